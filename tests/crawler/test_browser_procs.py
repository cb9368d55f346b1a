"""Counting and finding browsers by process ancestry (crawler/browser_procs.py), on stand-in processes."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from crawler.browser_procs import browser_processes, chromium_pids, descendants, kill

# a stand-in "Chromium": a Python whose command line carries the switch Playwright starts Chromium with, and
# which forks a child that keeps that command line (as a Chromium child does between its fork and its exec)
FORKING = "import os, time\nif os.fork() == 0:\n    time.sleep(30)\nelse:\n    time.sleep(30)\n"


def _start(*switches: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", FORKING, "--remote-debugging-pipe", *switches])


def _wait_for_children(pid: int, count: int) -> None:
    deadline = time.monotonic() + 10
    while len(descendants(pid)) < count and time.monotonic() < deadline:
        time.sleep(0.05)


def test_a_browser_and_the_child_it_has_just_forked_count_as_one_browser() -> None:
    proc = _start()
    try:
        _wait_for_children(proc.pid, 1)
        assert len(chromium_pids(os.getpid()) & {proc.pid, *descendants(proc.pid)}) == 2  # both carry the switch
        assert browser_processes(os.getpid()) == {proc.pid}
    finally:
        kill([proc.pid, *descendants(proc.pid)])
        proc.wait(10)


def test_a_profiles_chromium_is_told_from_another_by_its_folder(tmp_path) -> None:
    mine, other = tmp_path / "google" / "desktop", tmp_path / "bing" / "desktop"
    # the first as a user may write it in profile_dir (Playwright passes it on as written)
    procs = [_start(f"--user-data-dir={tmp_path}/bing/../google/desktop"), _start(f"--user-data-dir={other}")]
    try:
        for p in procs:
            _wait_for_children(p.pid, 1)
        found = chromium_pids(os.getpid(), str(mine))
        assert procs[0].pid in found and procs[1].pid not in found
        assert procs[0].pid in chromium_pids(os.getpid(), str(tmp_path / "bing" / ".." / "google" / "desktop"))
    finally:
        for p in procs:
            kill([p.pid, *descendants(p.pid)])
            p.wait(10)
