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
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from crawler.browser_blocks import CROP_MARGIN, HIGHLIGHT_FILL, HIGHLIGHT_LINE, BlockShot, locate_blocks
from crawler.browser_driver import Driver, acquire, release
from crawler.browser_guard import GRACE_S, CallGuard
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
from crawler.browser_procs import chromium_pids, kill, renderer_pids
from crawler.browser_visit import visit_isolated
from crawler.clicks import CLICK_URL_CANDIDATES, is_ad_click_url
from crawler.errors import BrowserNotFound, BrowserStalled, FetchError

log = logging.getLogger(__name__)

LAUNCH_S = 90.0  # starting a Chromium, at most (a loaded machine takes its time)

# what callers use from the browser, wherever in crawler/browser*.py it is defined
__all__ = ["ANSWER_WAIT_MS", "CROP_MARGIN", "FULL_PAGE_SCALE", "HIGHLIGHT_FILL", "HIGHLIGHT_LINE",
           "READY_TIMEOUT_MS", "REVEAL_TEXTS", "Analyser", "AnswerSteps", "BlockShot", "Browser", "BrowserConfig",
           "PageCapture", "client_hints", "find_chromium"]

class Browser:
    """A running Chromium. Use as a context manager.

    Every Playwright call is made under a deadline (:meth:`_bound`, see :mod:`crawler.browser_guard`): a
    call needing the page's own thread has ``timeout_ms`` plus a grace, and one page, all its calls together,
    ``page_timeout_s``.  Past it the page's renderer is stopped and the page fails as a :class:`FetchError`;
    a browser the guard had to stop altogether is no longer :meth:`alive`, and its owner relaunches it.
    """

    def __init__(self, config: BrowserConfig | None = None) -> None:
        self.config = config or BrowserConfig()
        self._reset()

    def _reset(self) -> None:
        self._driver: Driver | None = None
        self._chromiums: set[int] = set()  # this browser's Chromium processes (one more per profile context)
        self._guard = CallGuard(lambda: renderer_pids(self._chromiums), lambda: set(self._chromiums),
                                lambda: self._driver.pid if self._driver else None)
        self._call_s = self.config.timeout_ms / 1000 + GRACE_S
        self._page_deadline: float | None = None
        self._pw: Any = None
        self._browser: Any = None
        self._contexts: dict[str, Any] = {}
        self._pages: dict[str, Any] = {}  # one reused page per search context
        self._user_agents: dict[str, str] = {}
        self._context_uas: dict[str, str] = {}
        self._executor: ThreadPoolExecutor | None = None  # reads the HTML while the browser paints

    def __enter__(self) -> Browser:
        executable = find_chromium(self.config.executable)
        # AutomationControlled off: navigator.webdriver is false, as in a browser a person drives (a landing
        # page that shows its number only to people must show it to us)
        args = ["--disable-background-networking", "--disable-quic", "--disable-component-update",
                "--no-first-run", "--disable-sync", "--disable-blink-features=AutomationControlled"]
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
        self._driver = acquire()  # the thread's Playwright: a second one in this thread could not start
        self._pw = self._driver.pw
        try:
            self._browser = self._launched(lambda: self._pw.chromium.launch(**self._launch))
        except Exception as exc:
            self._stop_driver()
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
        """Start afresh after the browser died (it crashed, or the guard stopped it)."""
        log.warning("browser stopped or crashed: relaunching it")
        self.__exit__(None, None, None)
        self._reset()
        self.__enter__()

    def _stop_driver(self) -> None:
        if self._driver is not None:
            release(self._driver)
            self._driver = None
            self._pw = None

    def _launched(self, launch: Callable[[], Any]) -> Any:
        """``launch()``'s Chromium, its process remembered (the guard stops it by pid if it hangs)."""
        pid = self._driver.pid if self._driver else None
        before = chromium_pids(pid)
        with self._bound("starting Chromium", LAUNCH_S, cleanup=True):
            launched = launch()
        self._chromiums |= chromium_pids(pid) - before
        return launched

    def _bound(self, what: str, seconds: float | None = None, *, cleanup: bool = False
               ) -> AbstractContextManager[None]:
        """A deadline for the calls in the block: ``seconds`` (default ``timeout_ms`` plus a grace), and no
        later than the page's own deadline unless this is ``cleanup`` (closing what the page opened)."""
        bound = self._call_s if seconds is None else seconds
        if self._page_deadline is not None and not cleanup:
            left = self._page_deadline - time.monotonic()
            if left <= 0:
                raise BrowserStalled(f"{what}: the page took more than {self._page_s:g} s in all")
            bound = min(bound, left)
        return self._guard.bound(what, bound)

    @property
    def _page_s(self) -> float:
        return self.config.page_timeout_s or 3 * self._call_s

    def _page_started(self) -> None:
        self._page_deadline = time.monotonic() + self._page_s

    def alive(self) -> bool:
        """False once Chromium has crashed or was killed: the caller relaunches it."""
        if self._guard.browser_killed or self._driver is None or self._driver.dead:
            return False
        contexts_ok = all(getattr(c, "browser", None) is None or c.browser.is_connected()
                          for c in self._contexts.values())
        return self._browser is not None and self._browser.is_connected() and contexts_ok

    def kill(self) -> None:
        """Stop this browser's Chromium and its driver now, from any thread (a job's watchdog): every call
        waiting on them fails at once, and the browser is no longer :meth:`alive`."""
        self._guard.browser_killed = True
        kill(self._chromiums)
        if self._driver is not None and self._driver.pid:
            kill({self._driver.pid})

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
                ctx = self._launched(
                    lambda: self._pw.chromium.launch_persistent_context(str(folder), **self._launch, **opts))
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
                with self._bound("closing a failed page", cleanup=True):
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
                else:
                    page = self._search_page(device)
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
            found = looking.result()
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
                blocks = locate_blocks(page, found.targets, int(viewport["height"]), shot) if analyse else ()
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
            self._page_deadline = None
            if isolated and ctx is not None:
                self._close_quietly(ctx)

    def _close_quietly(self, ctx: Any) -> None:
        try:
            with self._bound("closing a context", cleanup=True):
                ctx.close()
        except Exception as exc:  # a context of a stopped browser: it went with it
            log.debug("could not close a context: %s", exc)

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
        return html, self._screenshot(page), _look(html, url, *callbacks)

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

    def _configured_user_agent(self, device: str) -> str:
        """The user agent ``device``'s contexts are given (what navigator.userAgent says), asked of no page."""
        if device not in self._context_uas:
            self._context_uas[device] = str(self._context_options(device)["user_agent"])
        return self._context_uas[device]

    def _user_agent(self, page: Any) -> str:
        try:
            with self._bound("navigator.userAgent", cleanup=True):
                return str(page.evaluate("navigator.userAgent"))
        except Exception:  # the page is between documents
            return ""

    def fetch_text(self, url: str) -> tuple[int, str]:
        """(HTTP status, body text) of a small text resource such as robots.txt."""
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
