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
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from crawler.browser_blocks import CROP_MARGIN, HIGHLIGHT_FILL, HIGHLIGHT_LINE, BlockShot, locate_blocks
from crawler.browser_launch import (
    DESKTOP_UA,
    INSTALL_HINT,
    MOBILE_DEVICE,
    BrowserConfig,
    PageCapture,
    find_chromium,
)
from crawler.browser_pages import (
    ANSWER_WAIT_MS,
    DESKTOP_VIEWPORT,
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
from crawler.browser_visit import visit_isolated
from crawler.clicks import CLICK_URL_CANDIDATES, is_ad_click_url
from crawler.errors import BrowserNotFound, FetchError

log = logging.getLogger(__name__)

# what callers use from the browser, wherever in crawler/browser*.py it is defined
__all__ = ["ANSWER_WAIT_MS", "CROP_MARGIN", "FULL_PAGE_SCALE", "HIGHLIGHT_FILL", "HIGHLIGHT_LINE",
           "READY_TIMEOUT_MS", "REVEAL_TEXTS", "Analyser", "AnswerSteps", "BlockShot", "Browser", "BrowserConfig",
           "PageCapture", "client_hints", "find_chromium"]

class Browser:
    """A running Chromium. Use as a context manager."""

    def __init__(self, config: BrowserConfig | None = None) -> None:
        self.config = config or BrowserConfig()
        self._pw: Any = None
        self._browser: Any = None
        self._contexts: dict[str, Any] = {}
        self._pages: dict[str, Any] = {}  # one reused page per search context
        self._user_agents: dict[str, str] = {}
        self._executor: ThreadPoolExecutor | None = None  # reads the HTML while the browser paints

    def __enter__(self) -> Browser:
        from playwright.sync_api import sync_playwright

        executable = find_chromium(self.config.executable)
        args = ["--disable-background-networking", "--disable-quic", "--disable-component-update",
                "--no-first-run", "--disable-sync"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            args.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
        if self.config.resolve_all_to:
            rules = f"MAP * {self.config.resolve_all_to}"
            proxy_host = urlsplit(self.config.proxy).hostname if self.config.proxy else None
            if proxy_host:  # the proxy itself is reached as configured; the pages behind it are the sandbox's
                rules += f", EXCLUDE {proxy_host}"
            args.append(f"--host-resolver-rules={rules}")
        self._launch = {"executable_path": executable, "headless": self.config.headless, "args": args}
        if self.config.proxy:
            self._launch["proxy"] = {"server": self.config.proxy}
        self._pw = sync_playwright().start()
        try:
            self._browser = self._pw.chromium.launch(**self._launch)
        except Exception as exc:
            self._pw.stop()
            raise BrowserNotFound(f"Chromium at {executable} did not start: {exc}. {INSTALL_HINT}") from exc
        log.info("browser started: %s", executable)
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            self._pages.clear()
            if self._executor is not None:
                self._executor.shutdown(wait=True)
                self._executor = None
            for ctx in self._contexts.values():
                ctx.close()
            self._contexts.clear()
            if self._browser is not None:
                self._browser.close()
        finally:
            if self._pw is not None:
                self._pw.stop()
                self._pw = None

    def alive(self) -> bool:
        """False once Chromium has crashed or was killed: the caller relaunches it."""
        contexts_ok = all(getattr(c, "browser", None) is None or c.browser.is_connected()
                          for c in self._contexts.values())
        return self._browser is not None and self._browser.is_connected() and contexts_ok

    # -- contexts -------------------------------------------------------------

    def _context_options(self, device: str) -> dict[str, Any]:
        language = self.config.locale.split("-")[0]
        opts: dict[str, Any] = {
            "locale": self.config.locale,
            "timezone_id": self.config.timezone_id,
            "extra_http_headers": {
                "Accept-Language": self.config.accept_language or f"{self.config.locale},{language};q=0.9"},
            # The sandbox web serves its own certificate; real use keeps TLS checks.
            "ignore_https_errors": bool(self.config.resolve_all_to),
            "accept_downloads": False,
            "service_workers": "block",
        }
        if device == "mobile":
            opts.update(self._pw.devices[MOBILE_DEVICE])
            opts["user_agent"] = opts["user_agent"].replace("HeadlessChrome", "Chrome")
        else:
            opts.update({"viewport": DESKTOP_VIEWPORT, "user_agent": DESKTOP_UA})
        # headless Chromium names itself "HeadlessChrome" in its client hints: say "Chromium" as a window would
        opts["extra_http_headers"].update(client_hints(opts["user_agent"], mobile=device == "mobile"))
        return opts

    def _new_context(self, device: str) -> Any:
        ctx = self._browser.new_context(**self._context_options(device))
        ctx.route(CLICK_URL_CANDIDATES, self._refuse)
        return ctx

    def _refuse(self, route: Any) -> None:
        if not is_ad_click_url(route.request.url):  # the route pattern is a superset
            route.continue_()
            return
        # following an ad click URL charges the advertiser: never, whoever asks for it
        log.warning("refused a request to an ad click URL: %s", route.request.url[:200])
        route.abort("blockedbyclient")

    def _search_context(self, device: str) -> Any:
        if device not in self._contexts:
            if self.config.profile_dir:
                folder = Path(self.config.profile_dir) / device
                folder.mkdir(parents=True, exist_ok=True)
                opts = self._context_options(device)
                opts.pop("default_browser_type", None)  # a device descriptor key, not a launch option
                ctx = self._pw.chromium.launch_persistent_context(str(folder), **self._launch, **opts)
                ctx.route(CLICK_URL_CANDIDATES, self._refuse)
                self._contexts[device] = ctx
            else:
                self._contexts[device] = self._new_context(device)
        return self._contexts[device]

    def _search_page(self, device: str) -> Any:
        """The search context's one page, reused from capture to capture (a new page costs as much as a
        navigation); a page that failed is dropped and replaced by the next call."""
        page = self._pages.get(device)
        if page is None or page.is_closed():
            page = self._pages[device] = self._search_context(device).new_page()
            page.on("dialog", lambda d: d.dismiss())
            page.set_default_timeout(self.config.timeout_ms)
        return page

    def _drop_search_page(self, device: str) -> None:
        page = self._pages.pop(device, None)
        if page is not None and not page.is_closed():
            try:
                page.close()
            except Exception as exc:  # a crashed page may refuse to close; its context still closes it
                log.debug("could not close a failed page: %s", exc)

    # -- pages ----------------------------------------------------------------

    def capture(
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
        try:
            if isolated:
                ctx = self._new_context(device)
                page = ctx.new_page()
                page.on("dialog", lambda d: d.dismiss())
                page.on("popup", lambda p: p.close())
                page.set_default_timeout(self.config.timeout_ms)
            else:
                page = self._search_page(device)
            response = page.goto(url, wait_until="load")
            error_page = bool(response and response.status >= 400)  # nothing more will come
            if not ready:
                _settle(page)
            elif is_ready is None and not error_page:
                _wait_ready(page, ready)
            html = page.content()  # read once; again only when the page changed below
            if reveal:
                _click_reveal_buttons(page)
                html = page.content()
            looking = self._pool().submit(_look, html, page.url, is_ready, is_consent, analyse)
            shot = self._screenshot(page)
            found = looking.result()
            if ready and not found.ready and not error_page and _wait_ready(page, ready):
                html, shot, found = self._again(page, is_ready, is_consent, analyse)
            if found.consent:
                _reject_consent(page, consent_selectors)
                html, shot, found = self._again(page, is_ready, is_consent, analyse)
            if answers is not None and not error_page and _settle_answers(page, html, answers):
                html, shot, found = self._again(page, is_ready, is_consent, analyse)
            viewport = page.viewport_size or {"height": 0}
            blocks = locate_blocks(page, found.targets, int(viewport["height"]), shot) if analyse else ()
            return PageCapture(
                url=url,
                final_url=page.url,
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
            raise FetchError(url, str(exc).splitlines()[0]) from exc
        finally:
            if isolated and ctx is not None:
                ctx.close()

    def _screenshot(self, page: Any) -> bytes:
        shot, _, _ = _screenshot(page, self.config.max_screenshot_height)
        return bytes(shot)

    def _again(self, page: Any, *callbacks: Any) -> tuple[str, bytes, _Look]:
        """Read the page afresh after it changed (results came late, a consent wall was rejected)."""
        html = page.content()
        return html, self._screenshot(page), _look(html, page.url, *callbacks)

    def _pool(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="serpaudit-look")
        return self._executor

    def _capture_user_agent(self, page: Any, device: str, isolated: bool) -> str:
        # fixed per context: asked once per device rather than once per capture
        if isolated:
            return self._user_agent(page)
        if not self._user_agents.get(device):
            self._user_agents[device] = self._user_agent(page)
        return self._user_agents[device]

    def visit(self, url: str, *, device: str = "desktop") -> PageCapture:
        """Open an untrusted page once, in a fresh isolated context (:func:`crawler.browser_visit.visit_isolated`)."""
        return visit_isolated(self, url, device=device)

    @staticmethod
    def _user_agent(page: Any) -> str:
        try:
            return str(page.evaluate("navigator.userAgent"))
        except Exception:  # the page is between documents
            return ""

    def fetch_text(self, url: str) -> tuple[int, str]:
        """(HTTP status, body text) of a small text resource such as robots.txt."""
        page = self._search_context("desktop").new_page()
        page.set_default_timeout(self.config.timeout_ms)
        try:
            response = page.goto(url)
            body = response.text() if response else ""
            return (response.status if response else 0), body
        except Exception as exc:
            raise FetchError(url, str(exc).splitlines()[0]) from exc
        finally:
            page.close()
