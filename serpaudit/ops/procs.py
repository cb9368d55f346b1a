"""Our own child processes, found by ancestry in /proc (never by name): to stop a hung Chromium.

The walk itself is the browser's (:mod:`crawler.browser_procs`); here it starts from this process.
"""

from __future__ import annotations

import os

from crawler.browser_procs import chromium_pids, descendants, kill

__all__ = ["browser_pids", "descendants", "kill"]


def browser_pids(pid: int | None = None) -> set[int]:
    """Main Chromium processes that Playwright started under ``pid`` (default: this process)."""
    return chromium_pids(pid or os.getpid())
