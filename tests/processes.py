"""Real services for tests: a Redis server on a free loopback port, and process trees killed by pid.

Everything started here runs in its own session (process group).  Playwright starts Chromium in a session
of its own, so killing a process group is not enough: :func:`kill_tree` collects every descendant first,
then SIGKILLs them all by pid.  Nothing is ever killed by name.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def descendants(pid: int) -> list[int]:
    """Every live descendant of ``pid`` (children first seen via /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


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


@contextmanager
def redis_server(tmp: Path) -> Iterator[str]:
    """A real redis-server on a free loopback port in ``tmp``; yields its URL."""
    exe = shutil.which("redis-server")
    if not exe:
        pytest.skip("redis-server is not installed (`make system` installs Debian's redis-server)")
    port = free_port()
    log = open(tmp / "redis.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(tmp), "--save", "",
                             "--appendonly", "no"], stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"redis-server did not start: {(tmp / 'redis.log').read_text()[-500:]}")
            time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        log.close()
