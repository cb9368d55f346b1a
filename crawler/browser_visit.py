"""Visiting an untrusted page (an ad's landing page, a page an AI answer cites) once, in a fresh isolated
context of the browser.

What really happened is recorded: the HTTP status of the document shown, the redirect chain, and every
navigation refused because it led to an ad click URL, with the DOM as it stood just before.  A PDF is
kept as its bytes (``PageCapture.document``), up to :data:`crawler.pdf_text.MAX_BYTES` and one byte more.  Part of
:class:`crawler.browser.Browser` (``Browser.visit``); Playwright stays inside ``crawler/browser*.py``.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from crawler.browser_launch import PageCapture
from crawler.browser_pages import DESKTOP_VIEWPORT, _cdp_screenshot, _settle
from crawler.clicks import is_ad_click_url
from crawler.errors import BrowserNotFound, BrowserStalled, FetchError
from crawler.pdf_text import MAX_BYTES
from crawler.rendered_text import SNAPSHOT_PARAMS, rendered_text

if TYPE_CHECKING:
    from crawler.browser import Browser

log = logging.getLogger("crawler.browser")

# A page may write its number by script a moment after load (seen: 1.5 s). The visit gives it this long after
# the load event, however long the network took to go quiet, before the page is read: a wait of our own, which
# the page cannot see (nothing of ours runs in it), and within the page's deadline (crawler.browser_guard).
LATE_WRITE_S = 2.0

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


def _hops(response: Any) -> list[str]:
    """The URLs a document response went through: its redirects, first to last, then its own."""
    hops = [response.url]
    req = response.request.redirected_from
    while req is not None:
        hops.append(req.url)
        req = req.redirected_from
    return hops[::-1]


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
    documents: list[Any] = []  # main-frame document responses, in order
    cdp: Any = None

    def on_response(response: Any) -> None:
        req = response.request
        if req.is_navigation_request() and req.frame == page.main_frame:
            documents.append(response)

    def refuse(route: Any) -> None:
        # A jump of the page itself to an ad click URL is answered "204 No Content" here, never sent: a browser
        # then stays on the document it shows, so that document is read as it is, by the browser, afterwards.
        # (Nothing of ours runs in the page to hand it over: a page could see it, wrap it, or forge it.)
        req = route.request
        if req.is_navigation_request() and req.frame == page.main_frame:
            refused.append(req.url)
            log.warning("refused a jump to an ad click URL: %s", req.url[:200])
            route.fulfill(status=204, body="")
            return
        browser._refuse(route)

    try:
        with bound("opening a page"):
            ctx = browser._new_context(device)
            page = ctx.new_page()
            page.on("dialog", lambda d: d.dismiss())
            page.on("popup", lambda p: p.close())
            page.set_default_timeout(browser.config.timeout_ms)
            page.on("response", on_response)  # no frame listener: a page changing its address every
            page.route(is_ad_click_url, refuse)  # millisecond would flood it (same-document changes)
            cdp = browser._live_cdp = ctx.new_cdp_session(page)  # its renderer is crashed by it if it hangs
        try:
            with bound("page.goto"):
                response = page.goto(url, wait_until="load")
            loaded = time.monotonic()
        except Exception:
            if not refused:
                raise
            # the jump was refused while the page loaded: goto reports the aborted navigation
            log.info("%s jumped to an ad click URL while loading; refused", url)
            response = documents[0] if documents else None
            loaded = time.monotonic()
        for doc in documents or ([response] if response is not None else []):
            chain.extend(_hops(doc))  # HTTP redirects, then each document the page jumped to (script, refresh)
        with bound("waiting for the page"):
            _settle(page)
            late = LATE_WRITE_S - (time.monotonic() - loaded)
            if late > 0 and not refused:
                page.wait_for_timeout(late * 1000)
            final = page.url
        if final != chain[-1]:
            chain.append(final)
        try:
            with bound("page.content"):  # Playwright's own, in a world of its own: the page cannot wrap it
                html = page.content()
            with bound("page.screenshot"):
                width = (page.viewport_size or DESKTOP_VIEWPORT)["width"]
                shot, height, clipped = _cdp_screenshot(cdp, width, browser.config.max_screenshot_height)
            with bound("DOMSnapshot.captureSnapshot"):  # the browser's layout: what a person sees
                seen = rendered_text(cdp.send("DOMSnapshot.captureSnapshot", SNAPSHOT_PARAMS))
        except Exception as exc:
            if not refused or isinstance(exc, BrowserStalled):
                raise
            # still swapping in the browser's error page after the refused jump
            html, shot, height, clipped, seen = "", b"", 0, False, ""
        last = documents[-1] if documents else response
        content_type = str((last.headers.get("content-type") if last is not None else "") or "")
        document = None
        if not refused and _is_document(content_type, final):
            with bound("reading the document"):
                document = _document_bytes(page, final)
        return PageCapture(
            url=url, final_url=final, http_status=last.status if last is not None else None, html=html,
            screenshot=shot, user_agent=browser._configured_user_agent(device), device=device,
            captured_at=datetime.now(UTC).isoformat(timespec="seconds"),
            redirect_chain=tuple(dict.fromkeys(chain)), refused=tuple(refused),
            html_before_refusal=html if refused else None, page_height=height,
            screenshot_clipped=clipped, content_type=content_type, document=document, rendered_text=seen,
        )
    except BrowserNotFound:
        raise
    except Exception as exc:
        raise FetchError(url, str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__) from exc
    finally:
        browser._page_deadline = browser._live_cdp = None
        if ctx is not None:
            browser._close_quietly(ctx)
