"""The processes behind a browser, found by ancestry in /proc (never by name): to stop what hangs.

Playwright's driver (a Node process) starts each Chromium; a Chromium's renderers are its descendants
with ``--type=renderer`` on their command line.  :mod:`crawler.browser_guard` stops them when a call
outlives its deadline; ``serpaudit.ops.procs`` uses the same walk for the lanes' own watchdog.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterable
from pathlib import Path


def _parents() -> dict[int, int]:
    """Every process's parent, from /proc."""
    parent: dict[int, int] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                parent[int(d.name)] = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    return parent


def descendants(pid: int, parent: dict[int, int] | None = None) -> list[int]:
    """Every process below ``pid`` (children, their children, ...)."""
    kids: dict[int, list[int]] = {}
    for child, ppid in (parent if parent is not None else _parents()).items():
        kids.setdefault(ppid, []).append(child)
    out, todo = [], [pid]
    while todo:
        for k in kids.get(todo.pop(), []):
            out.append(k)
            todo.append(k)
    return out


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def chromium_pids(under: int | None, user_data_dir: str | None = None) -> set[int]:
    """Main Chromium processes that a Playwright driver (or any process) ``under`` started; with
    ``user_data_dir``, only the one running on that profile folder.

    The folder tells a persistent profile's Chromium from the ones other views on the same driver launch at the
    same time: a before/after difference alone would count theirs too, and closing this view would kill them.
    """
    if not under:
        return set()
    mains = {p for p in descendants(under) if b"--remote-debugging-pipe" in _cmdline(p)}
    if user_data_dir is None:
        return mains
    # Playwright passes the folder as it was written: compare both sides normalised (a '..' in it, say)
    folder = os.path.normpath(os.path.abspath(user_data_dir))
    return {p for p in mains if folder in _user_data_dirs(_cmdline(p))}


def _user_data_dirs(cmdline: bytes) -> set[str]:
    flag = b"--user-data-dir="
    return {os.path.normpath(os.fsdecode(arg[len(flag):])) for arg in cmdline.split(b"\0") if arg.startswith(flag)}


def renderer_pids(chromiums: Iterable[int]) -> set[int]:
    """The renderer processes of the given Chromiums: where a page's scripts run."""
    return {p for c in chromiums for p in descendants(c) if b"--type=renderer" in _cmdline(p)}


def kill(pids: Iterable[int]) -> None:
    for p in pids:
        try:
            os.kill(p, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def browser_processes(under: int | None) -> set[int]:
    """The Chromium *browsers* started under ``under``: their main processes, not their renderers, GPU or
    utility processes (what "one Chromium" counts)."""
    if not under:
        return set()
    parent = _parents()
    found = {p for p in descendants(under, parent)
             if b"--remote-debugging-pipe" in (line := _cmdline(p)) and b"--type=" not in line}
    # a child the browser has just forked carries the browser's command line until it execs (a busy machine
    # widens that moment): it is not a browser of its own
    return {p for p in found if parent.get(p) not in found}
