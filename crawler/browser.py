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

import io
import logging
import os
import shutil
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from crawler.clicks import CLICK_URL_CANDIDATES, is_ad_click_url
from crawler.errors import BrowserNotFound, FetchError

log = logging.getLogger(__name__)

DESKTOP_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
)
DESKTOP_VIEWPORT = {"width": 1366, "height": 900}
MOBILE_DEVICE = "Pixel 7"
SYSTEM_CHROMIUMS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# The full-page screenshot is taken at one image pixel per CSS pixel: text stays as legible as on a
# desktop screen, while a phone's device scale (2.6 on a Pixel 7) made a 10 Mpx image and took 5x as long.
# The crops of result blocks are cut from it, at the same scale.
FULL_PAGE_SCALE = "css"
# How long to wait, after the load event, for a page's ready selector (its results or block marker).
READY_TIMEOUT_MS = 5_000

# Numbers on contact pages often sit behind a button that reveals them.
REVEAL_TEXTS = ("toon nummer", "toon telefoonnummer", "bel ons", "show number", "call us", "bekijk nummer")

INSTALL_HINT = (
    "No Chromium found. Set browser_path in serpaudit.toml (or SERPAUDIT_BROWSER_PATH), "
    "or install one: `apt-get install -y chromium` (Debian/Ubuntu) or `playwright install chromium`."
)


def find_chromium(configured: str | None = None) -> str:
    """The Chromium to drive: the configured path, Playwright's own, or the system one."""
    if configured:
        if Path(configured).is_file() and os.access(configured, os.X_OK):
            return configured
        raise BrowserNotFound(f"browser_path {configured!r} is not an executable file. {INSTALL_HINT}")
    own = _playwright_chromium()
    if own:
        return own
    for name in SYSTEM_CHROMIUMS:
        found = shutil.which(name)
        if found:
            return found
    raise BrowserNotFound(INSTALL_HINT)


def _playwright_chromium() -> str | None:
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            path = p.chromium.executable_path
    except Exception:  # Playwright missing or its driver cannot start: fall back to the system
        return None
    return path if path and Path(path).is_file() else None


@dataclass(frozen=True)
class BrowserConfig:
    executable: str | None = None  # None: find_chromium()
    headless: bool = True
    timeout_ms: int = 20_000
    # "127.0.0.1:8443": every host name resolves there (the sandbox web). None in real use.
    resolve_all_to: str | None = None
    locale: str = "nl-NL"
    timezone_id: str = "Europe/Amsterdam"
    # Screenshots stop at this many CSS pixels: Chromium cannot render a 120,000 px page in one image,
    # and the rest of the page is kept as HTML anyway.
    max_screenshot_height: int = 16_000


    # Accept-Language header; None: derived from ``locale`` ("nl-NL,nl;q=0.9").
    accept_language: str | None = None
    # Playwright proxy server for every request of this browser, e.g. "http://nl-proxy:3128" (regional egress).
    proxy: str | None = None
    # Folder of a browser profile kept across nights (consent cookies survive); one sub-folder per device.
    profile_dir: str | None = None


@dataclass(frozen=True)
class BlockShot:
    """Where one result block stood on the rendered page, and its cropped evidence."""

    box: tuple[float, float, float, float] | None  # x, y, width, height in page pixels
    above_fold: bool | None  # inside the first viewport
    png: bytes | None = None  # crop of the block with its numbers highlighted


# analyse(html, final_url) -> one (title, numbers to highlight) per result block
Analyser = Callable[[str, str], Sequence[tuple[str, Sequence[str]]]]


@dataclass(frozen=True)
class PageCapture:
    """What the browser saw of one page."""

    url: str  # as requested
    final_url: str  # after redirects
    http_status: int | None
    html: str
    screenshot: bytes  # full-page PNG
    user_agent: str
    device: str
    captured_at: str  # ISO-8601 UTC
    blocks: tuple[BlockShot, ...] = field(default=(), compare=False)  # aligned with analyse()'s targets
    # Isolated visits only (see Browser.visit): every URL the main frame went through, requested first and
    # final last (HTTP redirects and script or meta-refresh jumps); the navigations refused (ad click URLs)
    # and the DOM as it stood just before the first refusal.
    redirect_chain: tuple[str, ...] = ()
    refused: tuple[str, ...] = ()
    html_before_refusal: str | None = field(default=None, compare=False)
    page_height: int | None = None  # CSS pixels; the screenshot stops at max_screenshot_height
    screenshot_clipped: bool = False


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

        The three callbacks are pure (HTML in, answer out): they run in a
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
            viewport = page.viewport_size or {"height": 0}
            blocks = _blocks(page, found.targets, int(viewport["height"]), shot) if analyse else ()
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
        """Open an untrusted page (an ad's landing page) once, in a fresh isolated context, and record
        what really happened: the HTTP status of the document shown, the redirect chain, and every
        navigation refused because it led to an ad click URL, with the DOM as it stood just before.

        A page that ends on a browser error page (``chrome-error://``, e.g. after a refused jump) is
        returned as it is: the caller decides it is not a readable page.
        """
        ctx = self._new_context(device)
        page = ctx.new_page()
        page.on("dialog", lambda d: d.dismiss())
        page.on("popup", lambda p: p.close())
        page.set_default_timeout(self.config.timeout_ms)
        chain: list[str] = [url]
        refused: list[str] = []
        snapshots: list[tuple[str, str]] = []  # (url, DOM) of the main frame's documents as they unloaded
        documents: list[Any] = []  # main-frame document responses, in order

        def on_navigated(frame: Any) -> None:
            if frame == page.main_frame and frame.url != chain[-1]:
                chain.append(frame.url)

        def on_response(response: Any) -> None:
            req = response.request
            if req.is_navigation_request() and req.frame == page.main_frame:
                documents.append(response)

        def on_snapshot(source: dict[str, Any], dom: Any) -> None:
            if source.get("frame") == page.main_frame and isinstance(dom, str):
                snapshots.append((source["frame"].url, dom))

        def refuse(route: Any) -> None:
            # Playwright calls may not be made in here (the page would wait on this very route):
            # the DOM before the jump comes from the page's own beforeunload snapshot
            req = route.request
            if req.is_navigation_request() and req.frame == page.main_frame:
                refused.append(req.url)
            self._refuse(route)

        page.on("framenavigated", on_navigated)
        page.on("response", on_response)
        page.expose_binding(_SNAPSHOT_BINDING, on_snapshot)
        page.add_init_script(_SNAPSHOT_JS)
        page.route(is_ad_click_url, refuse)
        try:
            try:
                response = page.goto(url, wait_until="load")
            except Exception:
                if not refused:
                    raise
                # the jump was refused while the page loaded: goto reports the aborted navigation
                log.info("%s jumped to an ad click URL while loading; refused", url)
                response = documents[0] if documents else None
            if response is not None:
                hops = []
                req = response.request.redirected_from
                while req is not None:
                    hops.append(req.url)
                    req = req.redirected_from
                chain[:] = [url, *[h for h in reversed(hops) if h != url], *chain[1:]]
            _settle(page)
            final = page.url
            if final != chain[-1]:
                chain.append(final)
            try:
                html = page.content()
                shot, height, clipped = _screenshot(page, self.config.max_screenshot_height)
            except Exception:
                if not refused:
                    raise
                # still swapping in the browser's error page after the refused jump
                html, shot, height, clipped = "", b"", 0, False
            last = documents[-1] if documents else response
            before = [dom for u, dom in snapshots if u.startswith(("http:", "https:"))]
            return PageCapture(
                url=url, final_url=final, http_status=last.status if last is not None else None, html=html,
                screenshot=shot, user_agent=self._user_agent(page), device=device,
                captured_at=datetime.now(UTC).isoformat(timespec="seconds"),
                redirect_chain=tuple(dict.fromkeys(chain)), refused=tuple(refused),
                html_before_refusal=before[-1] if refused and before else None, page_height=height,
                screenshot_clipped=clipped,
            )
        except BrowserNotFound:
            raise
        except Exception as exc:
            raise FetchError(url, str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__) from exc
        finally:
            page.close()
            ctx.close()

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

# An untrusted page hands its DOM over as it unloads (a script or meta refresh jumping away): what it
# showed before a refused jump is still read.
_SNAPSHOT_BINDING = "__serpauditSnapshot"
_SNAPSHOT_JS = """
(() => {
  const send = () => { try { window.BINDING(document.documentElement.outerHTML); } catch (e) {} };
  window.addEventListener("beforeunload", send, true);
  window.addEventListener("pagehide", send, true);
})();
""".replace("BINDING", _SNAPSHOT_BINDING)
_HEIGHT_JS = "Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0)"


def _screenshot(page: Any, max_height: int) -> tuple[bytes, int, bool]:
    """(PNG, page height, clipped): the full page, or its top ``max_height`` pixels when it is taller."""
    height = int(page.evaluate(_HEIGHT_JS) or 0)
    if height <= max_height:
        return page.screenshot(full_page=True, scale=FULL_PAGE_SCALE), height, False
    width = (page.viewport_size or DESKTOP_VIEWPORT)["width"]
    log.info("page %s is %d px tall: screenshot clipped at %d px (the HTML keeps the rest)", page.url[:200],
             height, max_height)
    clip = {"x": 0, "y": 0, "width": width, "height": max_height}
    return page.screenshot(full_page=True, clip=clip, scale=FULL_PAGE_SCALE), height, True


def client_hints(user_agent: str, *, mobile: bool) -> dict[str, str]:
    """Sec-CH-UA headers that agree with ``user_agent`` (never "HeadlessChrome")."""
    import re

    m = re.search(r"Chrome/(\d+)", user_agent)
    major = m.group(1) if m else "126"
    return {
        "sec-ch-ua": f'"Chromium";v="{major}", "Not.A/Brand";v="24"',
        "sec-ch-ua-mobile": "?1" if mobile else "?0",
        "sec-ch-ua-platform": '"Android"' if mobile else '"Linux"',
    }


@dataclass(frozen=True)
class _Look:
    """What the pure callbacks said about one HTML read."""

    ready: bool
    consent: bool
    targets: Sequence[tuple[str, Sequence[str]]]


def _look(html: str, url: str, is_ready: Callable[[str, str], bool] | None, is_consent: Any,
          analyse: Analyser | None) -> _Look:
    return _Look(ready=is_ready(html, url) if is_ready is not None else True,
                 consent=bool(is_consent is not None and is_consent(html, url)),
                 targets=analyse(html, url) if analyse is not None else ())


def _wait_ready(page: Any, selector: str) -> bool:
    """Wait, bounded, for ``selector``; True when it is there, False when the wait timed out."""
    try:
        # Most pages are there at the load event: one plain query answers. wait_for_selector would first
        # inject Playwright's selector engine into every new document, which cost more than the query.
        if page.evaluate("s => document.querySelector(s) !== null", selector):
            return True
        page.wait_for_selector(selector, state="attached", timeout=READY_TIMEOUT_MS)
        return True
    except Exception:  # neither results nor a known marker: the parser will say what the page is
        log.debug("%s: nothing matched %r within %d ms", page.url[:200], selector, READY_TIMEOUT_MS)
        return False


def _settle(page: Any) -> None:
    try:
        page.wait_for_load_state("networkidle", timeout=3_000)
    except Exception:  # pages that keep polling never go idle; what has rendered is enough
        pass


def _reject_consent(page: Any, selectors: tuple[str, ...]) -> None:
    for sel in selectors:
        try:
            loc = page.locator(sel).first
            if loc.count() and loc.is_visible():
                log.info("consent wall at %s: clicking %s", page.url, sel)
                loc.click(timeout=3_000)
                _settle(page)
                return
        except Exception as exc:  # try the next selector
            log.debug("consent selector %s failed: %s", sel, exc)


def _click_reveal_buttons(page: Any) -> None:
    for text in REVEAL_TEXTS:
        buttons = page.get_by_role("button", name=text)
        for i in range(buttons.count()):
            try:
                buttons.nth(i).click(timeout=2_000)
            except Exception as exc:
                log.debug("reveal button %r failed: %s", text, exc)
    _settle(page)


# Results are located by position, not by title text alone: the i-th result takes the first title
# element in document order not taken by an earlier one, so results with identical titles get one
# element each; a block then grows from its title while it holds no other result's title *element*.
_LOCATE_JS = """
([titles]) => {
  const norm = s => (s || "").replace(/\\s+/g, " ").trim().toLowerCase();
  const wanted = titles.map(norm);
  const all = Array.from(document.body.querySelectorAll("h1,h2,h3,h4,a,[role=heading],span,div"));
  const used = new Set();
  const heads = wanted.map(w => {
    if (!w) return null;
    const head = all.find(el => !used.has(el) && norm(el.textContent) === w && el.getClientRects().length);
    if (!head) return null;
    // the outermost element with exactly this text (an <a> around an <h3>): one per result
    let top = head;
    while (top.parentElement && top.parentElement !== document.body && norm(top.parentElement.textContent) === w) {
      top = top.parentElement;
    }
    top.querySelectorAll("*").forEach(el => used.add(el));
    used.add(top);
    return top;
  });
  return heads.map((head, i) => {
    if (!head) return null;
    const others = heads.filter((h, j) => h && j !== i);
    let block = head;
    while (block.parentElement && block.parentElement !== document.body
           && !others.some(h => block.parentElement.contains(h))) {
      block = block.parentElement;
    }
    block.setAttribute("data-serpaudit-block", (block.getAttribute("data-serpaudit-block") || "") + ` ${i} `);
    const r = block.getBoundingClientRect();
    return [r.left + window.scrollX, r.top + window.scrollY, r.width, r.height];
  });
}
"""

# The rectangles of the numbers to highlight in each located block (text occurrences and call links),
# in page pixels. Drawn on the crop afterwards: the page itself is never changed.
_MARKS_JS = """
([marks]) => marks.map((wanted, i) => {
  if (!wanted.length) return [];
  const block = document.querySelector(`[data-serpaudit-block~="${i}"]`);
  if (!block) return [];
  const rects = [];
  const add = r => {
    if (r.width > 0 && r.height > 0) rects.push([r.left + window.scrollX, r.top + window.scrollY, r.width, r.height]);
  };
  block.querySelectorAll('a[href^="tel:"],a[href*="wa.me"],a[href*="whatsapp"]')
       .forEach(a => add(a.getBoundingClientRect()));
  const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const n = walker.currentNode;
    for (const m of wanted) {
      for (let at = m ? n.data.indexOf(m) : -1; at >= 0; at = n.data.indexOf(m, at + m.length)) {
        const range = document.createRange(); range.setStart(n, at); range.setEnd(n, at + m.length);
        Array.from(range.getClientRects()).forEach(add);
      }
    }
  }
  return rects;
})
"""

# One round trip for both: the boxes of the blocks, then the numbers inside them.
_LOCATE_AND_MARK_JS = f"""
([titles, marks]) => {{
  const boxes = ({_LOCATE_JS.strip()})([titles]);
  return [boxes, ({_MARKS_JS.strip()})([marks]), window.devicePixelRatio];
}}
"""

CROP_MARGIN = 6  # CSS pixels of the page kept around a block
HIGHLIGHT_FILL = (255, 230, 0, 96)  # translucent yellow over the number: the text stays readable
HIGHLIGHT_LINE = (208, 0, 0, 255)


def _blocks(page: Any, targets: Sequence[tuple[str, Sequence[str]]], fold: int, shot: bytes
            ) -> tuple[BlockShot, ...]:
    """Each result's box on the page and, where it shows numbers, its crop with them highlighted.

    Crops are cut from the full-page screenshot already taken, not taken one by one: a screenshot
    per block cost more than the page itself (the browser re-renders for each), and the page keeps
    no trace of the highlighting.
    """
    boxes, marks, dpr = page.evaluate(_LOCATE_AND_MARK_JS, [[t for t, _ in targets], [list(m) for _, m in targets]])
    scale = 1.0 if FULL_PAGE_SCALE == "css" else float(dpr or 1)
    image = None
    shots = []
    for (_, wanted), box, rects in zip(targets, boxes, marks, strict=True):
        if not box or box[2] <= 0 or box[3] <= 0:
            shots.append(BlockShot(None, None))
            continue
        png = None
        if wanted:
            try:
                image = image or _open_png(shot)
                png = _crop(image, box, rects, scale)
            except Exception as exc:  # a crop is extra evidence; the full page is already kept
                log.warning("could not crop a result at %s: %s", box, exc)
        above = box[1] < fold if fold else None
        shots.append(BlockShot((box[0], box[1], box[2], box[3]), above, png))
    return tuple(shots)


def _open_png(png: bytes) -> Any:
    from PIL import Image  # only when a page has numbers to crop

    image = Image.open(io.BytesIO(png))
    image.load()
    return image


def _crop(image: Any, box: Sequence[float], rects: Sequence[Sequence[float]], scale: float) -> bytes | None:
    """The block's part of the page screenshot, each number outlined; None when it lies outside the image."""
    from PIL import Image, ImageDraw

    x, y, w, h = box
    left, top = max(int((x - CROP_MARGIN) * scale), 0), max(int((y - CROP_MARGIN) * scale), 0)
    right = min(int((x + w + CROP_MARGIN) * scale + 0.5), image.width)
    bottom = min(int((y + h + CROP_MARGIN) * scale + 0.5), image.height)
    if right <= left or bottom <= top:
        return None
    crop = image.crop((left, top, right, bottom)).convert("RGBA")
    overlay = Image.new("RGBA", crop.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for rx, ry, rw, rh in rects:
        draw.rectangle([rx * scale - left - 2, ry * scale - top - 2, (rx + rw) * scale - left + 2,
                        (ry + rh) * scale - top + 2], fill=HIGHLIGHT_FILL, outline=HIGHLIGHT_LINE, width=2)
    out = io.BytesIO()
    Image.alpha_composite(crop, overlay).convert("RGB").save(out, "PNG", compress_level=3)
    return out.getvalue()
