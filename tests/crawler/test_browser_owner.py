"""One Chromium for the crawl (issue 22): views on a shared Chromium, in a real Chromium against pages of our own.

Each lane's view has its own contexts and deadlines; a page stuck in a script costs only its own view's call
(its renderer is crashed), while the other view's captures go on in the same Chromium, at the same time.
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace

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


def test_a_view_that_closes_leaves_running_the_profile_chromium_another_view_launched_beside_it(shared, tmp_path):
    # with profile_dir each view's search context is a Chromium of its own, launched through the shared driver;
    # two lanes start theirs at the same moment, and the first lane to finish must close only its own
    chromium, config = shared
    # the fixture's short deadlines are for the stuck pages above: a profile's Chromium starting on a busy
    # machine is given the default page time
    views = [chromium.browser(replace(config, profile_dir=str(tmp_path / engine), timeout_ms=30_000))
             for engine in ("google", "bing")]
    for round_ in range(3):
        start = threading.Barrier(len(views))
        errors: list[BaseException] = []

        def first_capture(view, start: threading.Barrier = start, errors: list[BaseException] = errors) -> None:
            try:
                start.wait(30)
                view.capture("https://www.plain.test/plain", ready="#results")
            except BaseException as exc:  # noqa: BLE001 (reported below, with the round)
                errors.append(exc)

        threads = [threading.Thread(target=first_capture, args=(v,)) for v in views]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert not errors, f"round {round_}: {errors}"
        views[0].__exit__(None, None, None)  # the first lane is done for the night
        assert views[1].alive(), f"round {round_}: closing one view stopped the other view's Chromium"
        assert "020 123 4567" in views[1].capture("https://www.plain.test/plain", ready="#results").html
        views[1].__exit__(None, None, None)
        views = [chromium.browser(v.config) for v in views]
    assert chromium.generation == 1
