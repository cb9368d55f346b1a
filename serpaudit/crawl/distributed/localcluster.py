"""A whole distributed night on one machine, for the tests and `make bench`: a real Redis server on a free
loopback port, real `serpaudit worker` processes and the real coordinator (`serpaudit run --distributed`).

Everything started here runs in its own session.  Playwright starts Chromium in a session of its own, so
killing a process group is not enough: :func:`kill_tree` collects every descendant first, then SIGKILLs
them all by pid.  Nothing is ever killed by name.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from audits.store import Store
from sandbox import DEFAULT_WORLD_PATH, load_world, world_brands
from serpaudit.crawl.jobs import jobs_for
from serpaudit.ops.procs import descendants

SERPAUDIT = str(Path(sys.executable).with_name("serpaudit"))


class RedisUnavailable(RuntimeError):
    """No redis-server on this machine."""

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def kill_tree(proc: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    """SIGKILL ``proc`` and all its descendants (Chromium included), by pid."""
    pids = [proc.pid, *descendants(proc.pid)]
    for pid in pids:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


def stop_tree(proc: subprocess.Popen, timeout: float = 15) -> None:
    """SIGTERM (a worker's warm shutdown), then SIGKILL whatever is left of the tree."""
    if proc.poll() is None:
        pids = descendants(proc.pid)
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    kill_tree(proc)


class RedisServer:
    """A real redis-server on a free loopback port in ``tmp``, which can be stopped and started again on the
    same port (a broker restart). ``persist``: append-only file, so a restart keeps the data; else it comes
    back empty, as a Redis without persistence does."""

    def __init__(self, tmp: Path, *, persist: bool = False) -> None:
        exe = shutil.which("redis-server")
        if not exe:
            raise RedisUnavailable("redis-server is not installed (`make system` installs Debian's redis-server)")
        self.exe, self.tmp, self.port, self.persist = exe, tmp, free_port(), persist
        self.proc: subprocess.Popen | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        keep = ["--appendonly", "yes", "--appendfsync", "always"] if self.persist else ["--appendonly", "no"]
        with open(self.tmp / "redis.log", "ab") as log:
            self.proc = subprocess.Popen([self.exe, "--port", str(self.port), "--bind", "127.0.0.1", "--dir",
                                          str(self.tmp), "--save", "", *keep], stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        deadline = time.monotonic() + 15
        while not self._answers():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start: {(self.tmp / 'redis.log').read_text()[-500:]}")
            time.sleep(0.1)

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)
        self.proc = None


@contextmanager
def redis_process(tmp: Path, *, persist: bool = False) -> Iterator[RedisServer]:
    """A started :class:`RedisServer`, stopped at the end whatever happened to it meanwhile."""
    server = RedisServer(tmp, persist=persist)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@contextmanager
def redis_server(tmp: Path) -> Iterator[str]:
    """A real redis-server on a free loopback port in ``tmp``; yields its URL."""
    with redis_process(tmp) as server:
        yield server.url


class Cluster:
    """A folder with settings, a database holding the world's brands, and worker processes on ``broker_url``."""

    def __init__(self, root: Path, broker_url: str, *, job_timeout_s: int = 90, visibility_timeout_s: int = 100,
                 extra: str = ""):
        self.root, self.broker_url = root, broker_url
        world = load_world(DEFAULT_WORLD_PATH)
        # `run` against a world of several nights serves its first night (sandbox.web): judge by that night
        self.world = world.night(1) if world.nights > 1 else world
        self.config = root / "serpaudit.toml"
        devices = ", ".join(f'"{d}"' for d in self.world.crawl["devices"])
        self.config.write_text(
            "[serpaudit]\n"
            'database = "db.sqlite"\nevidence_dir = "evidence"\nreports_dir = "reports"\n'
            f"devices = [{devices}]\n"
            f'sandbox_world = "{DEFAULT_WORLD_PATH}"\nbroker_url = "{broker_url}"\n'
            f"job_timeout_s = {job_timeout_s}\nvisibility_timeout_s = {visibility_timeout_s}\n"
            # the sandbox web is ours: workers keep no delays there, and back off briefly (as the demo)
            "backoff_s = 0.5\nbackoff_max_s = 2.0\n" + extra,
            encoding="utf-8")  # fmt: skip
        self.database = root / "db.sqlite"
        store = Store(self.database)
        try:
            store.upsert_brands(world_brands(self.world))
        finally:  # a connection left to the garbage collector stays open beside the night's processes
            store.close()
        self.env = {**os.environ, "SERPAUDIT_CONFIG": str(self.config)}
        self.workers: list[subprocess.Popen] = []

    def jobs(self, brands: list[str] | None = None) -> list[Any]:
        chosen = [b for b in world_brands(self.world) if not brands or b.name in brands]
        crawl = self.world.crawl
        return jobs_for(chosen, crawl["engines"], crawl["query_templates"], crawl["devices"])

    def worker_log(self, i: int) -> Path:
        return self.root / f"worker{i}.log"

    def start_workers(self, n: int, env: dict[str, str] | None = None) -> None:
        """``n`` more `serpaudit worker` processes (one process each), with ``env`` added to their environment."""
        for _ in range(n):
            log = self.worker_log(len(self.workers)).open("wb")
            self.workers.append(subprocess.Popen([SERPAUDIT, "worker", "--queues", "nl", "--concurrency", "1"],
                                                 env={**self.env, **(env or {})}, cwd=self.root, stdout=log,
                                                 stderr=log, start_new_session=True))

    def coordinator(self, *args: str) -> subprocess.Popen:
        """``serpaudit run --distributed --json ARGS``; the night's summary and findings to coordinator.out, logs to
        coordinator.log."""
        return self.serpaudit("run", "--distributed", "--json", *args)

    def serpaudit(self, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
        out = (self.root / "coordinator.out").open("ab")
        err = (self.root / "coordinator.log").open("ab")
        return subprocess.Popen([SERPAUDIT, *args], env={**self.env, **(env or {})}, cwd=self.root, stdout=out,
                                stderr=err, start_new_session=True)

    def stop(self) -> None:
        for w in self.workers:
            stop_tree(w)

    def search_captures(self) -> list[dict[str, Any]]:
        """Captures of result pages (not landing pages) stored so far, read as another process would."""
        if not self.database.exists():
            return []
        store = Store(self.database)
        try:
            return store.captures(kind="serp")
        finally:
            store.close()

    def executions(self, i: int) -> list[tuple[str, str]]:
        """(job key, session) of every job worker ``i`` ran, from its log."""
        text = self.worker_log(i).read_text(errors="replace")
        return re.findall(r"job ([0-9a-f]{16}) session ([0-9a-f]+):", text)

    def in_flight(self, i: int) -> set[str]:
        """Task ids worker ``i`` received and has not finished."""
        text = self.worker_log(i).read_text(errors="replace")
        received = set(re.findall(r"Task serpaudit\.capture\[([^\]]+)\] received", text))
        done = set(re.findall(r"Task serpaudit\.capture\[([^\]]+)\] (?:succeeded|raised|failed)", text))
        return received - done


def wait_for(predicate: Any, timeout: float, what: str, step: float = 0.5) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(step)
