"""Our own child processes, found by ancestry in /proc (never by name): to stop a hung Chromium."""

from __future__ import annotations

import os
import signal
from pathlib import Path


def descendants(pid: int) -> list[int]:
    kids: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            kids.setdefault(ppid, []).append(int(d.name))
    out, todo = [], [pid]
    while todo:
        for k in kids.get(todo.pop(), []):
            out.append(k)
            todo.append(k)
    return out


def browser_pids(pid: int | None = None) -> set[int]:
    """Main Chromium processes that Playwright started under ``pid`` (default: this process)."""
    out = set()
    for p in descendants(pid or os.getpid()):
        try:
            if b"--remote-debugging-pipe" in Path(f"/proc/{p}/cmdline").read_bytes():
                out.add(p)
        except OSError:
            continue
    return out


def kill(pids: set[int]) -> None:
    for p in pids:
        try:
            os.kill(p, signal.SIGKILL)
        except ProcessLookupError:
            pass
