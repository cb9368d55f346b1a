"""Opening the night's landing pages and cited pages a few at once, on the night's one Chromium.

A visit mostly waits: for the load, for the network to go quiet, and for a number a page writes late
(``crawler.browser_visit.LATE_WRITE_S``, 2 s after the load event, whatever the page). One after another, the
demo's 62 visits of three nights took 174 s of its 341 (load 9). :func:`visits` opens them ``at_once`` at a time,
each thread on a view of its own (a Playwright browser belongs to the thread that entered it), and hands them
back in order: the caller stores and reads each one in this thread, exactly as it would one after another.

The pages are on as many sites as there are scams, so this asks no site for more than before. A page that stalls
its view is stopped by the browser's own deadlines and recorded as that page's error; the view is relaunched
before its next page, as a single browser was.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator, Sequence
from contextlib import AbstractContextManager
from typing import Any

from crawler.errors import FetchError

VISITS_AT_ONCE = 3


class Visit:
    """One page's visit: ``visit(url)`` gives its capture or raises its ``FetchError``, as ``Browser.visit``."""

    def __init__(self, outcome: Any = None, browser: Any = None) -> None:
        self._outcome, self._browser = outcome, browser

    def visit(self, url: str) -> Any:
        if self._browser is not None:  # one after another: visited now, by the caller's browser
            if not getattr(self._browser, "alive", lambda: True)():  # a page stopped it: a fresh one
                self._browser.relaunch()
            return self._browser.visit(url)
        if isinstance(self._outcome, FetchError):
            raise self._outcome
        return self._outcome


def visits(browser: Any, urls: Sequence[str], views: Callable[[], AbstractContextManager[Any]] | None = None,
           at_once: int = VISITS_AT_ONCE) -> Generator[Visit, None, None]:
    """A :class:`Visit` per url, in order. Without ``views`` (or one url) each is opened by ``browser`` when the
    caller asks; with them, ``at_once`` views open the next pages meanwhile. An error other than a page's
    ``FetchError`` is raised at its page; closing the iterator early stops the views after their current page."""
    if views is None or at_once < 2 or len(urls) < 2:
        for _ in urls:
            yield Visit(browser=browser)
        return
    done: dict[int, Any] = {}
    failed: list[BaseException] = []  # a view that could not be opened
    ready = threading.Condition()
    stop = threading.Event()
    taken = iter(range(len(urls)))

    def work() -> None:
        try:
            with views() as view:
                while not stop.is_set():
                    with ready:
                        i = next(taken, None)
                    if i is None:
                        return
                    try:
                        outcome: Any = Visit(browser=view).visit(urls[i])
                    except FetchError as exc:  # the page's own error: recorded by the caller
                        outcome = exc
                    except BaseException as exc:  # raised at its page, and the other views stop
                        outcome = _Failed(exc)
                        stop.set()
                    with ready:
                        done[i] = outcome
                        ready.notify_all()
        except BaseException as exc:
            with ready:
                failed.append(exc)
                stop.set()
                ready.notify_all()

    threads = [threading.Thread(target=work, name=f"visit-{n}", daemon=True) for n in range(min(at_once, len(urls)))]
    for t in threads:
        t.start()
    try:
        for i in range(len(urls)):
            with ready:
                while i not in done and not failed and any(t.is_alive() for t in threads):
                    ready.wait(1.0)
                outcome = done.pop(i, None)
            if isinstance(outcome, _Failed):
                raise outcome.exc
            if outcome is None:
                if failed:
                    raise failed[0]
                raise RuntimeError(f"no view was left to open {urls[i][:200]}")  # a bug, said plainly
            yield Visit(outcome)
    finally:
        stop.set()
        for t in threads:
            t.join()


class _Failed:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc
