"""A deadline on every browser call (issue 20, item 3), in a real Chromium against hostile pages of our own.

A page that busy-loops after its load event makes ``page.content()`` wait forever in Playwright; the browser
stops the page's renderer past the call's deadline and fails the page, and lives on for the next page. A call
that would still not return (its Chromium gone, the driver left waiting) is freed by stopping the driver too:
the browser is then dead, and a new one starts in the same thread.
"""

from __future__ import annotations

import threading
import time

import pytest

from crawler.browser import Browser, BrowserConfig
from crawler.browser_procs import chromium_pids
from crawler.errors import FetchError
from sandbox.server import SandboxServer
from sandbox.web import Response
from tests.support.sandbox_runs import skip_without_chromium

pytestmark = pytest.mark.browser

HTML = "text/html; charset=utf-8"
PAGES = {
    "/plain": "<html><body><div id='results'><h3>Result</h3><p>Bel 020 123 4567.</p></div></body></html>",
    # loads, then never yields again: nothing that needs the page's own thread gets an answer
    "/busy": "<html><body><p>Bel 0900 123 4567.</p><script>setTimeout(() => { while (true) {} }, 100);"
             "</script></body></html>",
    # changes its address every millisecond (same-document navigations), forever
    "/restless": "<html><body><p>Bel 0900 765 4321.</p><script>let n = 0; setInterval(() => "
                 "history.replaceState(null, '', '/restless?n=' + (n++)), 1);</script></body></html>",
}
TIMEOUT_MS = 3_000  # so each call needing the page has 3 s + the 5 s grace


class TinyWeb:
    def respond(self, method: str, url: str, headers: dict[str, str]) -> Response:
        path = "/" + url.split("/", 3)[3].split("?")[0]
        if path in PAGES:
            return Response(200, {"content-type": HTML, "cache-control": "no-store"}, PAGES[path].encode())
        return Response(404, {"content-type": HTML}, b"<html><body>not found</body></html>")


@pytest.fixture(scope="module")
def server():
    skip_without_chromium()
    with SandboxServer(TinyWeb()) as srv:
        yield srv


@pytest.fixture(scope="module")
def browser(server):
    with Browser(BrowserConfig(resolve_all_to=server.address, timeout_ms=TIMEOUT_MS)) as b:
        yield b


def _fails_quickly(call, within_s: float) -> tuple[FetchError, float]:
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        call()
    took = time.monotonic() - started
    assert took < within_s, f"took {took:.1f} s"
    return caught.value, took


def test_a_busy_looping_landing_page_fails_at_its_deadline_and_the_browser_reads_the_next_page(browser):
    error, _ = _fails_quickly(lambda: browser.visit("https://www.busy.test/busy"), within_s=20)
    assert "did not answer within" in error.reason and "renderer was stopped" in error.reason
    assert browser.alive()  # only the page's renderer was stopped
    cap = browser.visit("https://www.plain.test/plain")
    assert "020 123 4567" in cap.html


def test_a_busy_looping_page_on_the_reused_search_page_fails_and_the_next_capture_works(browser):
    error, _ = _fails_quickly(lambda: browser.capture("https://www.busy.test/busy"), within_s=20)
    assert "did not answer within" in error.reason
    cap = browser.capture("https://www.plain.test/plain", ready="#results")
    assert "020 123 4567" in cap.html and browser.alive()


def test_a_page_changing_its_address_every_millisecond_is_read_or_failed_within_its_page_deadline(browser):
    started = time.monotonic()
    try:
        cap = browser.visit("https://www.restless.test/restless")
    except FetchError as exc:
        assert "did not answer" in exc.reason or "in all" in exc.reason
    else:
        assert "0900 765 4321" in cap.html
        assert len(cap.redirect_chain) < 100  # same-document changes are not a redirect chain
    assert time.monotonic() - started < 3 * (TIMEOUT_MS / 1000 + 5) + 5  # the page's deadline, not minutes
    if not browser.alive():  # the guard may have had to stop its Chromium: the next page gets a fresh one
        browser.relaunch()
    assert "020 123 4567" in browser.visit("https://www.plain.test/plain").html


def test_a_call_still_waiting_after_its_chromium_is_stopped_is_freed_by_stopping_the_driver(server):
    """The hazard seen under load: Chromium gone, the driver alive, a call waiting for good. Here the first two
    steps are made to do nothing, so only stopping the driver can free the call."""
    config = BrowserConfig(resolve_all_to=server.address, timeout_ms=TIMEOUT_MS)
    with Browser(config) as browser:
        browser._guard.grace_s = 1.0
        browser._guard._steps[0] = ("nothing was stopped", lambda: None)
        browser._guard._steps[1] = ("nothing was stopped", lambda: None)
        error, _ = _fails_quickly(lambda: browser.visit("https://www.busy.test/busy"), within_s=25)
        assert "Playwright driver was stopped" in error.reason
        assert not browser.alive()
        browser.relaunch()  # in the same thread: the dead driver is replaced
        assert "020 123 4567" in browser.visit("https://www.plain.test/plain").html
    assert chromium_pids(browser._driver.pid if browser._driver else None) == set()


def test_a_jobs_watchdog_frees_its_lane_by_killing_the_browser(server):
    with Browser(BrowserConfig(resolve_all_to=server.address, timeout_ms=60_000)) as browser:
        watchdog = threading.Timer(2.0, browser.kill)
        watchdog.start()
        try:
            _fails_quickly(lambda: browser.visit("https://www.busy.test/busy"), within_s=15)
        finally:
            watchdog.cancel()
        assert not browser.alive()
