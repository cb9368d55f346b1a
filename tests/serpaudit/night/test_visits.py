"""Landing pages and cited pages opened a few at once (serpaudit.night.visits), handed back in order."""

from __future__ import annotations

import threading

import pytest

from crawler.errors import FetchError
from serpaudit.night.visits import visits

URLS = [f"https://scam-{i}.example/" for i in range(7)]


class FakeView:
    """A browser on the night's Chromium: its visits wait for two others to be under way (a barrier), so visits
    opened one after another fail the test; ``relaunch`` when ``alive`` says it was stopped."""

    def __init__(self, log: list, barrier: threading.Barrier | None, dead: set[str]) -> None:
        self.log, self.barrier, self.dead, self.stopped, self.threads = log, barrier, dead, False, set()

    def __enter__(self) -> FakeView:
        return self

    def __exit__(self, *exc: object) -> None:
        self.log.append(("closed", threading.get_ident()))

    def alive(self) -> bool:
        return not self.stopped

    def relaunch(self) -> None:
        self.log.append(("relaunched", threading.get_ident()))
        self.stopped = False

    def visit(self, url: str):
        self.threads.add(threading.get_ident())
        self.log.append(("visit", url))
        if self.barrier is not None and url in URLS[:3]:
            self.barrier.wait(10)  # BrokenBarrierError unless three views are opening the first pages at once
        if url in self.dead:  # this page stalls the browser: it is stopped and the page fails
            self.stopped = True
            raise FetchError(url, "stalled")
        return f"capture of {url}"


def _read(opened, urls):
    out = []
    for url, visit in zip(urls, opened, strict=True):
        try:
            out.append(visit.visit(url))
        except FetchError as exc:
            out.append(f"error: {exc.reason}")
    return out


def test_three_views_open_the_pages_at_once_and_they_come_back_in_order():
    log: list = []
    barrier = threading.Barrier(3)
    made: list[FakeView] = []

    def view() -> FakeView:
        made.append(FakeView(log, barrier, dead={URLS[4]}))
        return made[-1]

    got = _read(visits(None, URLS, view, at_once=3), URLS)
    assert got == [f"capture of {u}" if u != URLS[4] else "error: stalled" for u in URLS]
    assert len(made) == 3 and len({t for v in made for t in v.threads}) == 3
    assert threading.get_ident() not in {t for v in made for t in v.threads}  # never this thread's browser
    assert [e for e, _ in log].count("closed") == 3  # every view closed at the end
    # the view a stalling page stopped is relaunched before its next page (if it had one)
    assert [e for e, _ in log].count("relaunched") <= 1


def test_without_views_the_callers_browser_opens_each_page_when_asked():
    log: list = []
    browser = FakeView(log, None, dead={URLS[1]})
    got = _read(visits(browser, URLS[:3]), URLS[:3])
    assert got == [f"capture of {URLS[0]}", "error: stalled", f"capture of {URLS[2]}"]
    assert browser.threads == {threading.get_ident()} and ("relaunched", threading.get_ident()) in log


def test_an_unexpected_error_is_raised_at_its_page_and_the_views_stop():
    class Broken(FakeView):
        def visit(self, url: str):
            if url == URLS[2]:
                raise OSError("renderer gone wrong")
            return super().visit(url)

    log: list = []
    opened = visits(None, URLS, lambda: Broken(log, None, set()), at_once=2)
    assert next(opened).visit(URLS[0]) == f"capture of {URLS[0]}"
    assert next(opened).visit(URLS[1]) == f"capture of {URLS[1]}"
    with pytest.raises(OSError, match="renderer gone wrong"):
        next(opened)
    assert [e for e, _ in log].count("closed") == 2


def test_a_caller_that_stops_early_stops_the_views():
    log: list = []
    opened = visits(None, URLS, lambda: FakeView(log, None, set()), at_once=3)
    next(opened)
    opened.close()  # e.g. the disk filled while the first page was stored
    assert [e for e, _ in log].count("closed") == 3
