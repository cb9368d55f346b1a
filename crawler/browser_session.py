"""The running Chromium behind :class:`crawler.browser.Browser`: its processes, its deadlines and its contexts.

Moved out of ``crawler/browser.py`` unchanged (that module keeps the browser's start, stop and pages), so
each stays small: here is what a capture runs inside of -- the thread's Playwright driver, the Chromium
processes the guard may stop by pid, the deadline on every call (:meth:`BrowserSession._bound`), and the
search contexts (one per device, click URLs refused) with their one reused page each.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from crawler.browser_driver import Driver, release
from crawler.browser_guard import GRACE_S, CallGuard
from crawler.browser_launch import DESKTOP_UA, MOBILE_DEVICE, BrowserConfig
from crawler.browser_pages import DESKTOP_VIEWPORT, client_hints
from crawler.browser_procs import chromium_pids, kill, renderer_pids
from crawler.clicks import CLICK_URL_CANDIDATES, is_ad_click_url
from crawler.errors import BrowserStalled

log = logging.getLogger("crawler.browser")  # the same logger as before the move: its lines read the same

LAUNCH_S = 90.0  # starting a Chromium, at most (a loaded machine takes its time)


class BrowserSession:
    """A Chromium's processes, the deadline on each of its calls, and its search contexts."""

    _launch: dict[str, Any]  # Chromium's launch options, set when the browser starts

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

    def _close_quietly(self, ctx: Any) -> None:
        try:
            with self._bound("closing a context", cleanup=True):
                ctx.close()
        except Exception as exc:  # a context of a stopped browser: it went with it
            log.debug("could not close a context: %s", exc)

    def _capture_user_agent(self, page: Any, device: str, isolated: bool) -> str:
        # fixed per context: asked once per device rather than once per capture
        if isolated:
            return self._user_agent(page)
        if not self._user_agents.get(device):
            self._user_agents[device] = self._user_agent(page)
        return self._user_agents[device]

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
