"""One night at a time: an OS lock (``flock``) on ``<database>.lock``, beside the database.

The lock file holds the holder's pid, start time and command. The kernel drops
a ``flock`` when its process dies, however it dies, so a lock file whose
holder is gone is simply taken over (and the log says whose it was). A second
``run``, ``crawl``, ``harvest`` or ``demo`` on the same database fails at once
with :class:`RunLocked` (exit code 4), naming the process that holds it.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

log = logging.getLogger(__name__)


class RunLocked(Exception):
    """Another process holds the database's run lock: exit 4."""

    def __init__(self, path: Path, holder: dict[str, Any]) -> None:
        who = f"pid {holder.get('pid', '?')}"
        if holder.get("command"):
            who += f" ({holder['command']})"
        super().__init__(f"another run holds {path}: {who}, started {holder.get('started_at', 'at an unknown time')}")
        self.path = path
        self.holder = holder


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class RunLock:
    """``with RunLock(database, "run"):`` holds the lock for the block."""

    def __init__(self, database: Path, command: str) -> None:
        self.path = lock_path(Path(database))
        self.command = command
        self._fd: int | None = None

    def _read(self, fd: int) -> dict[str, Any]:
        os.lseek(fd, 0, os.SEEK_SET)
        raw = os.read(fd, 4096).decode("utf-8", "replace")
        try:
            data = json.loads(raw)
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    def acquire(self) -> RunLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = self._read(fd)
            os.close(fd)
            raise RunLocked(self.path, holder) from None
        previous = self._read(fd)
        if previous.get("pid") and previous.get("pid") != os.getpid():
            state = "no longer running" if not _pid_alive(int(previous["pid"])) else "its lock released"
            log.warning("took over a stale lock %s left by pid %s (%s, started %s; %s)", self.path,
                        previous.get("pid"), previous.get("command", "?"), previous.get("started_at", "?"), state)
        started = datetime.now(UTC).isoformat(timespec="seconds")
        me = {"pid": os.getpid(), "command": self.command, "started_at": started, "argv": " ".join(sys.argv)[:500]}
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, json.dumps(me).encode("utf-8"))
        os.fsync(fd)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is None:
            return
        # an empty file tells the next holder that this one ended cleanly
        os.ftruncate(self._fd, 0)
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        self.release()
