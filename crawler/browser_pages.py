"""The page-level steps of :class:`crawler.browser.Browser`: waiting for a page to be ready, consent walls,
reveal buttons, the full-page screenshot, client hints, and the pure callbacks' answers about one HTML read.

Part of the browser (Playwright stays in ``crawler/browser*.py``); callers use :mod:`crawler.browser`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("crawler.browser")

DESKTOP_VIEWPORT = {"width": 1366, "height": 900}
# The full-page screenshot is taken at one image pixel per CSS pixel: text stays as legible as on a
# desktop screen, while a phone's device scale (2.6 on a Pixel 7) made a 10 Mpx image and took 5x as long.
# The crops of result blocks are cut from it, at the same scale.
FULL_PAGE_SCALE = "css"
# How long to wait, after the load event, for a page's ready selector (its results or block marker).
READY_TIMEOUT_MS = 5_000

# How long to wait, after the page was read, for an AI answer still being written (Google writes its AI
# Overview after the load event): an answer unfinished after this is recorded as "unfinished".
ANSWER_WAIT_MS = 5_000
_ANSWER_POLL_MS = 250

# Numbers on contact pages often sit behind a button that reveals them.
REVEAL_TEXTS = ("toon nummer", "toon telefoonnummer", "bel ons", "show number", "call us", "bekijk nummer")

# analyse(html, final_url) -> one (title, numbers to highlight) per result block
# (title, numbers to outline) per result; an AI answer adds the start of its text (crawler.browser_blocks)
Target = tuple[str, Sequence[str]] | tuple[str, Sequence[str], str] | tuple[str, Sequence[str], str, bool]
Analyser = Callable[[str, str], Sequence[Target]]  # crawler.browser_blocks.locate_blocks says what a target is


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


def _cdp_screenshot(cdp: Any, width: int, max_height: int) -> tuple[bytes, int, bool]:
    """(PNG, page height, clipped) taken by the browser (CDP), nothing evaluated in the page: the full page
    at one image pixel per CSS pixel, or its top ``max_height`` pixels when it is taller."""
    import base64

    size = cdp.send("Page.getLayoutMetrics").get("cssContentSize") or {}
    height = int(size.get("height") or 0)
    clipped = height > max_height
    clip = {"x": 0, "y": 0, "width": max(int(size.get("width") or width), 1), "height": max(min(height, max_height), 1),
            "scale": 1}
    shot = cdp.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip})
    return base64.b64decode(shot["data"]), height, clipped


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
    targets: Sequence[Target]


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


@dataclass(frozen=True)
class AnswerSteps:
    """How to wait for and open a page's AI answer; the engine says where the answer is (selectors and
    titles, crawler.engines.answers.AnswerMarkup) and ``pending(html, url)`` whether one is still being
    written.  ``stop`` selects what an answer panel never holds (result titles, ads), ``never`` what an expand
    control must never be inside (ad blocks)."""

    pending: Callable[[str, str], bool]
    containers: str
    headings: str
    labels: tuple[str, ...]
    controls: str
    stop: str
    never: str


# Marks the collapsed answers' own expand controls: a button (never a link, holding no link) whose
# aria-expanded is "false", inside the answer panel (an element matching the engine's containers, or
# holding the answer's title, reached before any element that holds a result title or an ad), and in no ad.
_MARK_EXPANDERS_JS = """
(spec) => {
  const labels = spec.labels.map(s => s.trim().toLowerCase());
  const isPanel = el => (spec.containers && el.matches(spec.containers)) ||
    [...el.querySelectorAll(spec.headings)].some(h => labels.includes(h.textContent.trim().toLowerCase()));
  let n = 0;
  for (const c of document.querySelectorAll(spec.controls)) {
    if (c.getAttribute("aria-expanded") !== "false" || c.closest("a, [href]") || c.querySelector("a[href]")) continue;
    if (spec.never && c.closest(spec.never)) continue;
    for (let el = c.parentElement, i = 0; el && i < 12; el = el.parentElement, i++) {
      if (el.querySelector(spec.stop)) break;
      if (isPanel(el)) { c.setAttribute("data-serpaudit-expand", String(n++)); break; }
    }
  }
  return n;
}
"""


_COLLAPSED = 'aria-expanded="false"'  # how Chromium serialises the attribute (page.content(): outerHTML)


def _settle_answers(page: Any, html: str, steps: AnswerSteps) -> bool:
    """Wait, bounded, for an answer still being written, then open a collapsed one; True when the page
    changed (read it again)."""
    import time

    changed = False
    deadline = time.monotonic() + ANSWER_WAIT_MS / 1000
    while steps.pending(html, page.url) and time.monotonic() < deadline:
        page.wait_for_timeout(_ANSWER_POLL_MS)
        html = page.content()
        changed = True
    if _COLLAPSED not in html:
        # the script marks only controls whose aria-expanded is "false", which the page's HTML, as the browser
        # serialised it, would then show: on a page without one the round trip into the page is spared
        return changed
    spec = {"containers": steps.containers, "headings": steps.headings, "labels": list(steps.labels),
            "controls": steps.controls, "stop": steps.stop, "never": steps.never}
    try:
        marked = int(page.evaluate(_MARK_EXPANDERS_JS, spec) or 0)
    except Exception as exc:  # a page that navigated away: nothing to open
        log.debug("answer expanders not looked for: %s", exc)
        return changed
    for i in range(marked):
        try:
            control = page.locator(f'[data-serpaudit-expand="{i}"]').first
            if control.is_visible():
                log.info("AI answer collapsed at %s: opening it", page.url[:200])
                control.click(timeout=2_000, no_wait_after=True)
                changed = True
        except Exception as exc:  # the answer stays collapsed, and is recorded so
            log.debug("answer expander %d failed: %s", i, exc)
    if marked:
        page.wait_for_timeout(_ANSWER_POLL_MS)
    return changed
