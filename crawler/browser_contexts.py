"""A browser's search contexts: one per device, click URLs refused, one reused page each, and closed while the
lane's next jobs are another device's.

Moved out of ``crawler/browser_session.py`` (which keeps the processes, deadlines and the shared Chromium's
view), with one addition: :meth:`SearchContexts.close_search_contexts_except`.  A Chromium renderer process
serves one browser context, so each open search context holds its own renderer (about 40 MB on the bench
world's pages); a lane whose jobs come device by device (:func:`serpaudit.crawl.jobs.grouped_by_device`)
needs one open at a time.  A context it closes keeps its cookies and local storage (Playwright's
``storage_state``), given back when the context is opened again: a consent wall rejected stays rejected.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from crawler.browser_launch import DESKTOP_UA, MOBILE_DEVICE, BrowserConfig
from crawler.browser_pages import DESKTOP_VIEWPORT, client_hints
from crawler.clicks import CLICK_URL_CANDIDATES, is_ad_click_url

if TYPE_CHECKING:
    from crawler.browser_owner import SharedChromium

log = logging.getLogger("crawler.browser")  # the browser's logger, as before the move
T = TypeVar("T")


class SearchContexts:
    """The search contexts of :class:`crawler.browser_session.BrowserSession` (a mixin: the session has the
    browser, the deadlines and the thread its calls run in)."""

    config: BrowserConfig
    _shared: SharedChromium | None
    _pw: Any
    _browser: Any
    _launch: dict[str, Any]
    _contexts: dict[str, Any]
    _pages: dict[str, Any]
    _cdps: dict[str, Any]
    _closed_states: dict[str, dict[str, Any]]  # the storage of each search context closed, until reopened

    if TYPE_CHECKING:  # the session's (crawler.browser_session.BrowserSession)
        def _bound(self, what: str, seconds: float | None = None, *, cleanup: bool = False
                   ) -> AbstractContextManager[None]: ...

        def _launched(self, launch: Callable[[], Any], profile: str | None = None) -> Any: ...

        def _run(self, url: str, call: Callable[[], T]) -> T: ...

    def close_search_contexts_except(self, device: str) -> None:
        """Close the search contexts of every device but ``device`` (the lane's next jobs are its), keeping
        their cookies and storage for when they are opened again.  A persistent profile's context is left
        open: it is a Chromium of its own, its folder keeps its cookies anyway, and reopening it costs a
        launch."""
        if self.config.profile_dir:
            return
        others = [d for d in self._contexts if d != device]
        if others:
            self._run("closing search contexts", lambda: self._close_search_contexts(others))

    def _close_search_contexts(self, devices: list[str]) -> None:
        for device in devices:
            ctx = self._contexts.pop(device, None)
            self._pages.pop(device, None)
            self._cdps.pop(device, None)
            if ctx is None:
                continue
            try:
                with self._bound("saving a context's cookies", cleanup=True):
                    self._closed_states[device] = ctx.storage_state()
            except Exception as exc:  # a crashed context: the next one starts afresh (a consent wall again)
                log.debug("could not keep a context's cookies: %s", exc)
            self._close_quietly(ctx)

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
        if self._shared is not None and self.config.proxy:  # the shared Chromium has no proxy: each view its own
            opts["proxy"] = {"server": self.config.proxy}
        # headless Chromium names itself "HeadlessChrome" in its client hints: say "Chromium" as a window would
        opts["extra_http_headers"].update(client_hints(opts["user_agent"], mobile=device == "mobile"))
        return opts

    def _new_context(self, device: str, storage_state: dict[str, Any] | None = None) -> Any:
        ctx = self._browser.new_context(**self._context_options(device), storage_state=storage_state)
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
                    lambda: self._pw.chromium.launch_persistent_context(str(folder), **{**self._launch, **opts}),
                    profile=str(folder))
                ctx.route(CLICK_URL_CANDIDATES, self._refuse)
                self._contexts[device] = ctx
            else:  # a context closed earlier (close_search_contexts_except) comes back with its cookies
                self._contexts[device] = self._new_context(device, self._closed_states.pop(device, None))
        return self._contexts[device]

    def _search_page(self, device: str) -> Any:
        """The search context's one page, reused from capture to capture (a new page costs as much as a
        navigation); a page that failed is dropped and replaced by the next call."""
        page = self._pages.get(device)
        if page is None or page.is_closed():
            ctx = self._search_context(device)
            page = self._pages[device] = ctx.new_page()
            page.on("dialog", lambda d: d.dismiss())
            page.set_default_timeout(self.config.timeout_ms)
            if self._shared is not None:  # opened now: a page stuck in a script could not answer for it
                self._cdps[device] = ctx.new_cdp_session(page)
        return page

    def _drop_search_page(self, device: str) -> None:
        page = self._pages.pop(device, None)
        self._cdps.pop(device, None)
        if page is not None and not page.is_closed():
            try:
                with self._bound("closing a failed page", cleanup=True):
                    page.close()
            except Exception as exc:  # a crashed page may refuse to close; its context still closes it
                log.debug("could not close a failed page: %s", exc)

    def _close_all(self, contexts: list[Any]) -> None:
        for ctx in contexts:
            self._close_quietly(ctx)

    def _close_quietly(self, ctx: Any) -> None:
        try:
            with self._bound("closing a context", cleanup=True):
                ctx.close()
        except Exception as exc:  # a context of a stopped browser: it went with it
            log.debug("could not close a context: %s", exc)
