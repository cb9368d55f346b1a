"""Visiting an untrusted page (an ad's landing page, a page an AI answer cites) once, in a fresh isolated
context of the browser.

What really happened is recorded: the HTTP status of the document shown, the redirect chain, and every
navigation refused because it led to an ad click URL, with the DOM as it stood just before.  A PDF is
kept as its bytes (``PageCapture.document``), up to :data:`crawler.pdf_text.MAX_BYTES` and one byte more.  Part of
:class:`crawler.browser.Browser` (``Browser.visit``); Playwright stays inside ``crawler/browser*.py``.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from crawler.browser_launch import PageCapture
from crawler.browser_pages import _SNAPSHOT_BINDING, _SNAPSHOT_JS, _screenshot, _settle
from crawler.clicks import is_ad_click_url
from crawler.errors import BrowserNotFound, BrowserStalled, FetchError
from crawler.pdf_text import MAX_BYTES

if TYPE_CHECKING:
    from crawler.browser import Browser

log = logging.getLogger("crawler.browser")

# Chromium shows a PDF in its viewer, and the navigation's response body is then the viewer's page, not the
# file: the page fetches the file again itself (same origin, its own network stack and host rules), reading at
# most ``limit`` bytes (one past the budget, so the reader can say it was over).
_DOCUMENT_JS = """async ([url, limit]) => {
  const r = await fetch(url, {credentials: 'omit', cache: 'force-cache'});
  const reader = r.body.getReader(); const parts = []; let n = 0;
  while (n < limit) {
    const {done, value} = await reader.read();
    if (done) break;
    parts.push(value); n += value.length;
  }
  await reader.cancel().catch(() => {});
  let s = '';
  for (const p of parts)
    for (let i = 0; i < p.length; i += 8192) s += String.fromCharCode.apply(null, p.subarray(i, i + 8192));
  return btoa(s);
}"""


def _is_document(content_type: str, url: str) -> bool:
    """A file shown by a viewer rather than a page: a PDF (by its content type, or a download type on a .pdf)."""
    kind = content_type.split(";")[0].strip().lower()
    return kind == "application/pdf" or (kind in ("application/octet-stream", "binary/octet-stream", "")
                                         and url.lower().split("?")[0].endswith(".pdf"))


def _document_bytes(page: Any, url: str) -> bytes | None:
    import base64

    try:
        return base64.b64decode(page.evaluate(_DOCUMENT_JS, [url, MAX_BYTES + 1]))[: MAX_BYTES + 1]
    except Exception as exc:  # the page went away, the fetch failed: the caller says it was not read
        log.info("could not read the document at %s: %s", url, str(exc).splitlines()[0] if str(exc) else exc)
        return None


def visit_isolated(browser: Browser, url: str, *, device: str = "desktop") -> PageCapture:
    """Open an untrusted page (an ad's landing page) once, in a fresh isolated context, and record
    what really happened: the HTTP status of the document shown, the redirect chain, and every
    navigation refused because it led to an ad click URL, with the DOM as it stood just before.

    A page that ends on a browser error page (``chrome-error://``, e.g. after a refused jump) is
    returned as it is: the caller decides it is not a readable page.
    """
    browser._page_started()
    bound = browser._bound
    ctx: Any = None
    page: Any = None
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
        browser._refuse(route)

    try:
        with bound("opening a page"):
            ctx = browser._new_context(device)
            page = ctx.new_page()
            page.on("dialog", lambda d: d.dismiss())
            page.on("popup", lambda p: p.close())
            page.set_default_timeout(browser.config.timeout_ms)
            page.on("framenavigated", on_navigated)
            page.on("response", on_response)
            page.expose_binding(_SNAPSHOT_BINDING, on_snapshot)
            page.add_init_script(_SNAPSHOT_JS)
            page.route(is_ad_click_url, refuse)
        try:
            with bound("page.goto"):
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
        with bound("waiting for the page"):
            _settle(page)
            final = page.url
        if final != chain[-1]:
            chain.append(final)
        try:
            with bound("page.content"):
                html = page.content()
            with bound("page.screenshot"):
                shot, height, clipped = _screenshot(page, browser.config.max_screenshot_height)
        except Exception as exc:
            if not refused or isinstance(exc, BrowserStalled):
                raise
            # still swapping in the browser's error page after the refused jump
            html, shot, height, clipped = "", b"", 0, False
        last = documents[-1] if documents else response
        content_type = str((last.headers.get("content-type") if last is not None else "") or "")
        document = None
        if not refused and _is_document(content_type, final):
            with bound("reading the document"):
                document = _document_bytes(page, final)
        before = [dom for u, dom in snapshots if u.startswith(("http:", "https:"))]
        return PageCapture(
            url=url, final_url=final, http_status=last.status if last is not None else None, html=html,
            screenshot=shot, user_agent=browser._user_agent(page), device=device,
            captured_at=datetime.now(UTC).isoformat(timespec="seconds"),
            redirect_chain=tuple(dict.fromkeys(chain)), refused=tuple(refused),
            html_before_refusal=before[-1] if refused and before else None, page_height=height,
            screenshot_clipped=clipped, content_type=content_type, document=document,
        )
    except BrowserNotFound:
        raise
    except Exception as exc:
        raise FetchError(url, str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__) from exc
    finally:
        browser._page_deadline = None
        if ctx is not None:
            browser._close_quietly(ctx)
