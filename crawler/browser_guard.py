"""A deadline on every browser call: a page that never yields cannot hang a night.

Playwright bounds its navigations and waits, but not a call that needs the page's own thread: a landing page
that runs ``setTimeout(() => { while (true) {} }, 100)`` makes ``page.content()`` (or an evaluate, or a
screenshot) wait forever.  So :class:`crawler.browser.Browser` makes each of its calls under
:meth:`CallGuard.bound`, and a watchdog thread carries out what a deadline passed means, in steps, each
given ``grace_s`` to work before the next:

1. the browser's renderer processes are killed: the call fails ("Target crashed"), the browser lives on,
   and the page is recorded as ``error``;
2. the browser's Chromium is killed (a browser that does not even notice its renderers dying);
3. the Playwright driver is killed: every call still waiting on it fails at once (seen under load: a call
   left waiting for good after its Chromium was gone).

After step 2 the browser is dead (:attr:`CallGuard.browser_killed`): its owner relaunches it.  The kills are
by process id, found by ancestry from the driver (:mod:`crawler.browser_procs`), never by name.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from crawler.browser_procs import kill
from crawler.errors import BrowserStalled

log = logging.getLogger("crawler.browser")

GRACE_S = 5.0  # what each step of the escalation is given before the next


class CallGuard:
    """Deadlines for one browser's calls, and the watchdog thread that enforces them."""

    def __init__(self, renderers: Callable[[], set[int]], chromiums: Callable[[], set[int]],
                 driver: Callable[[], int | None], *, grace_s: float = GRACE_S) -> None:
        self._steps: list[tuple[str, Callable[[], None]]] = [
            ("its renderer was stopped", lambda: kill(renderers())),
            ("its Chromium was stopped", lambda: self._kill_browser(chromiums())),
            ("the Playwright driver was stopped", lambda: self._kill_driver(driver())),
        ]
        self.grace_s = grace_s
        self._cond = threading.Condition()
        self._armed: list[float | str | int] | None = None  # [deadline, what, seconds, next step]
        self._depth = 0
        self._thread: threading.Thread | None = None
        self._closed = False
        self.tripped: str | None = None  # why the current (or last) bounded call was stopped
        self.browser_killed = False

    @contextmanager
    def bound(self, what: str, seconds: float) -> Iterator[None]:
        """Run the block's browser calls with ``seconds`` to finish; nested bounds keep the outer one."""
        with self._cond:
            outer = self._depth == 0
            self._depth += 1
            if outer:
                self.tripped = None
                self._armed = [time.monotonic() + max(seconds, 0.0), what, seconds, 0]
                self._start()
                self._cond.notify_all()
        try:
            yield
        except Exception as exc:
            if outer and self.tripped:
                raise BrowserStalled(self.tripped) from exc
            raise
        finally:
            with self._cond:
                self._depth -= 1
                if outer:
                    self._armed = None
                    self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def _start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._closed = False
            self._thread = threading.Thread(target=self._watch, name="serpaudit-call-guard", daemon=True)
            self._thread.start()

    def _watch(self) -> None:
        with self._cond:
            while not self._closed:
                armed = self._armed
                if armed is None:
                    self._cond.wait()
                    continue
                deadline, what, seconds, step = armed
                left = float(deadline) - time.monotonic()
                if left > 0 or int(step) >= len(self._steps):
                    self._cond.wait(left if left > 0 else None)
                    continue
                done, act = self._steps[int(step)]
                self.tripped = f"{what} did not answer within {float(seconds):g} s: {done}"
                log.warning("browser call %s", self.tripped)
                try:
                    act()
                except Exception as exc:  # a kill that fails leaves the next step to do it
                    log.warning("could not stop the stalled browser call: %s", exc)
                armed[0], armed[3] = time.monotonic() + self.grace_s, int(step) + 1

    def _kill_browser(self, pids: set[int]) -> None:
        self.browser_killed = True
        kill(pids)

    def _kill_driver(self, pid: int | None) -> None:
        self.browser_killed = True
        if pid:
            kill({pid})
