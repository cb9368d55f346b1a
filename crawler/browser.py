"""Playwright in one place: find a Chromium, open pages, hand back HTML and pixels.

Parsers never see Playwright; they get the HTML and the final URL from the
:class:`PageCapture` this module returns.  Two kinds of browser context exist:

- the *search* context, shared by the SERP captures of one device, which keeps
  cookies (a rejected consent wall stays rejected);
- a fresh, *isolated* context per visit for pages we do not trust (landing
  pages of ads): no downloads, no permissions granted, dialogs dismissed,
  pop-ups closed.

Ad click URLs are never opened: callers pass landing URLs resolved from the
page, and every context refuses any request to a click URL (a script on a
result or landing page cannot make one either); each refusal is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from crawler.browser_blocks import (
    CROP_MARGIN,
    HIGHLIGHT_FILL,
    HIGHLIGHT_LINE,
    BlockShot,
    OffThread,
    locate_blocks,
)
from crawler.browser_driver import acquire
from crawler.browser_launch import (
    INSTALL_HINT,
    BrowserConfig,
    PageCapture,
    find_chromium,
    launch_options,
)
from crawler.browser_pages import (
    ANSWER_WAIT_MS,
    FULL_PAGE_SCALE,
    READY_TIMEOUT_MS,
    REVEAL_TEXTS,
    Analyser,
    AnswerSteps,
    _click_reveal_buttons,
    _Look,
    _look,
    _reject_consent,
    _screenshot,
    _settle,
    _settle_answers,
    _wait_ready,
    client_hints,
)
from crawler.browser_session import BrowserSession
from crawler.browser_visit import visit_isolated
from crawler.errors import BrowserNotFound, FetchError

log = logging.getLogger(__name__)


# what callers use from the browser, wherever in crawler/browser*.py it is defined
__all__ = ["ANSWER_WAIT_MS", "CROP_MARGIN", "FULL_PAGE_SCALE", "HIGHLIGHT_FILL", "HIGHLIGHT_LINE",
           "READY_TIMEOUT_MS", "REVEAL_TEXTS", "Analyser", "AnswerSteps", "BlockShot", "Browser", "BrowserConfig",
           "PageCapture", "client_hints", "find_chromium"]

class Browser(BrowserSession):
    """A running Chromium. Use as a context manager.

    Every Playwright call is made under a deadline (:meth:`_bound`, see :mod:`crawler.browser_guard`): a
    call needing the page's own thread has ``timeout_ms`` plus a grace, and one page, all its calls together,
    ``page_timeout_s``.  Past it the page's renderer is stopped and the page fails as a :class:`FetchError`;
    a browser the guard had to stop altogether is no longer :meth:`alive`, and its owner relaunches it.
    """

    def __enter__(self) -> Browser:
        if self._shared is not None:
            return self._attach()
        self._launch = launch_options(self.config, find_chromium(self.config.executable))
        self._driver = acquire()  # the thread's Playwright: a second one in this thread could not start
        self._pw = self._driver.pw
        try:
            self._browser = self._launched(lambda: self._pw.chromium.launch(**self._launch))
        except Exception as exc:
            self._stop_driver()
            raise BrowserNotFound(f"Chromium at {self._launch['executable_path']} did not start: {exc}. "
                                  f"{INSTALL_HINT}") from exc
        log.info("browser started: %s", self._launch["executable_path"])
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._shared is not None:
            return self._detach()
        try:
            self._pages.clear()
            if self._executor is not None:
                self._executor.shutdown(wait=True)
                self._executor = None
            for ctx in [*self._contexts.values(), *([self._browser] if self._browser is not None else [])]:
                try:
                    with self._bound("closing the browser", cleanup=True):
                        ctx.close()
                except Exception as exc:  # a browser the guard stopped cannot close politely
                    if self.alive():
                        raise
                    log.debug("closing a stopped browser: %s", exc)
            self._contexts.clear()
        finally:
            self._stop_driver()
            self._guard.close()

    def relaunch(self) -> None:
        """Start afresh after the browser died (it crashed, or the guard stopped it); a view on a shared
        Chromium starts a new one only when no other view has done so since (once for all)."""
        log.warning("browser stopped or crashed: relaunching it")
        generation = self._generation
        self.__exit__(None, None, None)
        self._reset()
        if self._shared is not None:
            self._shared.relaunch(generation)
        self.__enter__()

    # -- pages ----------------------------------------------------------------

    def capture(self, url: str, **options: Any) -> PageCapture:
        """Open ``url`` and capture it (:meth:`_capture` says how), in the browser's own thread."""
        return self._run(url, lambda: self._capture(url, **options))

    def _capture(
        self,
        url: str,
        *,
        device: str = "desktop",
        isolated: bool = False,
        consent_selectors: tuple[str, ...] = (),
        is_consent: Any = None,
        reveal: bool = False,
        analyse: Analyser | None = None,
        ready: str | None = None,
        is_ready: Callable[[str, str], bool] | None = None,
        answers: AnswerSteps | None = None,
    ) -> PageCapture:
        """Open ``url`` and capture it.

        ``is_consent(html, url) -> bool`` tells whether the page is a consent
        wall; then ``consent_selectors`` are tried in order to reject cookies.
        ``reveal`` clicks "toon nummer"-style buttons (never links).
        ``analyse`` names the result blocks on the page (by title) and the numbers
        in each: their pixel boxes are measured and, where a block has numbers,
        a crop of it with the numbers highlighted is cut from the screenshot.
        ``ready`` is a CSS selector for what shows the page is there (an engine's
        results, or its block or consent marker): waited for, at most
        ``READY_TIMEOUT_MS``, instead of waiting for the network to go idle.
        With ``is_ready(html, url) -> bool`` the HTML read at the load event
        answers first, and the selector is waited for only when it says no.

        ``answers`` waits, at most ``ANSWER_WAIT_MS``, for an AI answer still being
        written and opens a collapsed one with its own expand button (never a
        link, never inside an ad); the page is then read again.

        The callbacks are pure (HTML in, answer out): they run in a
        worker thread while the browser takes the screenshot.
        """
        ctx = page = None
        self._page_started()
        bound = self._bound
        try:
            with bound("opening a page"):
                if isolated:
                    ctx = self._new_context(device)
                    page = ctx.new_page()
                    page.on("dialog", lambda d: d.dismiss())
                    page.on("popup", lambda p: p.close())
                    page.set_default_timeout(self.config.timeout_ms)
                    self._live_cdp = ctx.new_cdp_session(page) if self._shared is not None else None
                else:
                    page = self._search_page(device)
                    self._live_cdp = self._cdps.get(device)
            with bound("page.goto"):
                response = page.goto(url, wait_until="load")
            error_page = bool(response and response.status >= 400)  # nothing more will come
            with bound("waiting for the page", READY_TIMEOUT_MS / 1000 + self._call_s):
                if not ready:
                    _settle(page)
                elif is_ready is None and not error_page:
                    _wait_ready(page, ready)
            with bound("page.content"):
                html = page.content()  # read once; again only when the page changed below
            if reveal:
                with bound("revealing numbers", 2 * self._call_s):
                    _click_reveal_buttons(page)
                    html = page.content()
            looking = self._pool().submit(_look, html, page.url, is_ready, is_consent, analyse)
            shot = self._screenshot(page)
            found = self._wait(looking)
            if ready and not found.ready and not error_page and self._waited(page, ready):
                html, shot, found = self._again(page, is_ready, is_consent, analyse)
            if found.consent:
                with bound("rejecting a consent wall"):
                    _reject_consent(page, consent_selectors)
                html, shot, found = self._again(page, is_ready, is_consent, analyse)
            if answers is not None and not error_page:
                with bound("waiting for an AI answer", ANSWER_WAIT_MS / 1000 + self._call_s):
                    changed = _settle_answers(page, html, answers)
                if changed:
                    html, shot, found = self._again(page, is_ready, is_consent, analyse)
            with bound("locating the results"):
                viewport = page.viewport_size or {"height": 0}
                blocks = (locate_blocks(page, found.targets, int(viewport["height"]), shot,
                                         OffThread(self._pool().submit, self._wait)) if analyse else ())
                final_url = page.url
            return PageCapture(
                url=url,
                final_url=final_url,
                http_status=response.status if response else None,
                html=html,
                screenshot=shot,
                user_agent=self._capture_user_agent(page, device, isolated),
                device=device,
                captured_at=datetime.now(UTC).isoformat(timespec="seconds"),
                blocks=blocks,
            )
        except BrowserNotFound:
            raise
        except Exception as exc:
            if not isolated:
                self._drop_search_page(device)
            raise FetchError(url, str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__) from exc
        finally:
            self._page_deadline = self._live_cdp = None
            if isolated and ctx is not None:
                self._close_quietly(ctx)

    def _waited(self, page: Any, ready: str) -> bool:
        with self._bound("waiting for the results", READY_TIMEOUT_MS / 1000 + self._call_s):
            return _wait_ready(page, ready)

    def _screenshot(self, page: Any) -> bytes:
        with self._bound("page.screenshot"):
            shot, _, _ = _screenshot(page, self.config.max_screenshot_height)
        return bytes(shot)

    def _again(self, page: Any, *callbacks: Any) -> tuple[str, bytes, _Look]:
        """Read the page afresh after it changed (results came late, a consent wall was rejected)."""
        with self._bound("page.content"):
            html, url = page.content(), page.url
        looking = self._pool().submit(_look, html, url, *callbacks)  # read while the browser paints
        shot = self._screenshot(page)
        return html, shot, self._wait(looking)

    def _pool(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="serpaudit-look")
        return self._executor

    def visit(self, url: str, *, device: str = "desktop") -> PageCapture:
        """Open an untrusted page once, in a fresh isolated context (:func:`crawler.browser_visit.visit_isolated`)."""
        return self._run(url, lambda: visit_isolated(self, url, device=device))

    def fetch_text(self, url: str) -> tuple[int, str]:
        """(HTTP status, body text) of a small text resource such as robots.txt."""
        return self._run(url, lambda: self._fetch_text(url))

    def _fetch_text(self, url: str) -> tuple[int, str]:
        self._page_started()
        page = None
        try:
            with self._bound("opening a page"):
                page = self._search_context("desktop").new_page()
                page.set_default_timeout(self.config.timeout_ms)
            with self._bound("fetching a text"):
                response = page.goto(url)
                body = response.text() if response else ""
            return (response.status if response else 0), body
        except Exception as exc:
            raise FetchError(url, str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__) from exc
        finally:
            self._page_deadline = None
            if page is not None:
                self._close_quietly(page)
