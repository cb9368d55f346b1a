"""Helpers for tests that run nights: our own Chromium processes, found by ancestry (never by name)."""

from __future__ import annotations

from serpaudit.ops.procs import browser_pids, kill


def our_browsers() -> list[int]:
    """Main Chromium processes Playwright started under this test process."""
    return sorted(browser_pids())


def kill_pids(pids: list[int]) -> None:
    kill(set(pids))
