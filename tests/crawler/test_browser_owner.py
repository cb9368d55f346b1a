"""One Chromium for the crawl (issue 22): views on a shared Chromium, in a real Chromium against pages of our own.

Each lane's view has its own contexts and deadlines; a page stuck in a script costs only its own view's call
(its renderer is crashed), while the other view's captures go on in the same Chromium, at the same time.
"""

from __future__ import annotations

import threading
import time

import pytest

from crawler.browser import BrowserConfig
from crawler.browser_owner import SharedChromium
from crawler.browser_procs import browser_processes
from crawler.errors import FetchError
from tests.crawler.test_browser_deadline import TIMEOUT_MS, server  # noqa: F401 (the fixture)

pytestmark = pytest.mark.browser


@pytest.fixture()
def shared(server):  # noqa: F811
    config = BrowserConfig(resolve_all_to=server.address, timeout_ms=TIMEOUT_MS)
    with SharedChromium(config) as chromium:
        yield chromium, config


def test_a_page_stuck_in_one_view_crashes_only_its_own_page_while_the_other_view_goes_on(shared):
    chromium, config = shared
    stuck, other = chromium.browser(config), chromium.browser(config)
    failed: list[FetchError] = []
    done: list[float] = []

    def visit_busy() -> None:
        with pytest.raises(FetchError) as caught:
            stuck.visit("https://www.busy.test/busy")
        failed.append(caught.value)

    started = time.monotonic()
    lane = threading.Thread(target=visit_busy)
    lane.start()
    while lane.is_alive() and time.monotonic() - started < 60:  # the other lane's jobs while it is stuck
        cap = other.capture("https://www.plain.test/plain", ready="#results")
        assert "020 123 4567" in cap.html
        done.append(time.monotonic() - started)
    lane.join(30)
    assert failed and "renderer was stopped" in failed[0].reason
    assert len(done) >= 2  # captures finished while the stuck page waited for its deadline
    assert stuck.alive() and other.alive() and chromium.generation == 1  # the Chromium lived on, for both
    assert "020 123 4567" in stuck.visit("https://www.plain.test/plain").html  # and the stuck view reads again
    assert len(browser_processes(chromium.driver.pid if chromium.driver else None)) == 1
    stuck.__exit__(None, None, None)
    other.__exit__(None, None, None)


def test_a_crashed_shared_chromium_is_relaunched_once_whichever_views_find_it_dead(shared):
    chromium, config = shared
    views = [chromium.browser(config) for _ in range(3)]
    for v in views:
        v.capture("https://www.plain.test/plain", ready="#results")
    chromium.kill_browser()  # a crash of the browser itself: every view's pages go with it
    assert not any(v.alive() for v in views)
    threads = [threading.Thread(target=v.relaunch) for v in views]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert chromium.generation == 2  # launched once more, not once per view
    for v in views:
        assert v.alive() and "020 123 4567" in v.capture("https://www.plain.test/plain", ready="#results").html
        v.__exit__(None, None, None)


def test_a_jobs_watchdog_frees_its_lane_and_leaves_the_other_lanes_browser_running(shared):
    chromium, config = shared
    hung, other = chromium.browser(config), chromium.browser(config)
    watchdog = threading.Timer(2.0, hung.kill)
    watchdog.start()
    started = time.monotonic()
    try:
        with pytest.raises(FetchError):
            hung.visit("https://www.busy.test/busy")
    finally:
        watchdog.cancel()
    assert time.monotonic() - started < 8  # freed by its watchdog, not by the page's deadline
    assert not hung.alive() and other.alive()
    assert "020 123 4567" in other.capture("https://www.plain.test/plain", ready="#results").html
    hung.__exit__(None, None, None)
    other.__exit__(None, None, None)
