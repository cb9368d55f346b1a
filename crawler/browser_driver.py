"""One Playwright driver per thread, shared by every :class:`crawler.browser.Browser` started in that thread.

Playwright's sync API runs an event loop in the thread that starts it, and marks that loop as running
between calls: a second ``sync_playwright().start()`` in the same thread fails with "It looks like you are
using Playwright Sync API inside the asyncio loop".  A Celery worker process keeps one Chromium per engine
setting (a profile folder per engine) and, night after night, per sandbox address, all in its one thread: each
of them must share the thread's driver.  The driver stops when its last browser closes.

A driver that died (killed by :mod:`crawler.browser_guard` when a call would not return) is replaced by the
next browser started in the thread.
"""

from __future__ import annotations

import os
import threading
from typing import Any

_local = threading.local()

# The driver is Node: V8 lets its young generation grow to 16 MB a semi-space, which a driver passing
# screenshots through keeps filled.  At 1 MB its PSS during a three-lane crawl fell from about 124 to
# 98 MB (bench world, two runs each).  Put before the user's own NODE_OPTIONS, which therefore win.
DRIVER_NODE_OPTIONS = "--max-semi-space-size=1"
_ENVIRON = threading.Lock()  # os.environ is the process's: one driver start changes it at a time


class Driver:
    """The thread's Playwright (``pw``), its driver process id, and how many browsers use it."""

    def __init__(self) -> None:
        from playwright.sync_api import sync_playwright

        self._cm: Any = sync_playwright()
        self.pw: Any = _start(self._cm)
        self.users = 0
        self.pid = _driver_pid(self._cm)

    @property
    def dead(self) -> bool:
        """True once the driver process is gone: no call can be answered any more."""
        fiber = getattr(self._cm, "_dispatcher_fiber", None)
        return bool(fiber is not None and fiber.dead)

    def stop(self) -> None:
        try:
            self.pw.stop()
        except Exception:  # a dead driver has nothing left to stop
            pass


def _start(cm: Any) -> Any:
    """``cm.start()``, its driver process started with :data:`DRIVER_NODE_OPTIONS` (Playwright hands the driver
    a copy of os.environ, and has no other way in)."""
    with _ENVIRON:
        users = os.environ.get("NODE_OPTIONS")
        os.environ["NODE_OPTIONS"] = f"{DRIVER_NODE_OPTIONS} {users}" if users else DRIVER_NODE_OPTIONS
        try:
            return cm.start()
        finally:
            if users is None:
                os.environ.pop("NODE_OPTIONS", None)
            else:
                os.environ["NODE_OPTIONS"] = users


def _driver_pid(cm: Any) -> int | None:
    # Playwright names no public pid for its driver; the pipe transport's subprocess holds it
    try:
        return int(cm._client._transport._proc.pid)
    except (AttributeError, TypeError, ValueError):
        return None


def acquire() -> Driver:
    """The thread's driver, started (or restarted after it died) when needed; :func:`release` it after."""
    driver: Driver | None = getattr(_local, "driver", None)
    if driver is None or driver.dead:
        if driver is not None:
            driver.stop()
        driver = _local.driver = Driver()
    driver.users += 1
    return driver


def release(driver: Driver) -> None:
    """One browser less on ``driver`` (in the thread that acquired it); the last one stops it."""
    driver.users -= 1
    if driver.users > 0 and not driver.dead:
        return
    if getattr(_local, "driver", None) is driver:
        _local.driver = None
    driver.stop()
