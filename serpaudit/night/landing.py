"""The landing stage: numbers a scam ad shows only after the click.

For each ad (and each top-3 organic result) of this run on a domain that is not
the brand's, the landing URL resolved from the result page is opened once, in
a fresh isolated browser context.  Ad click URLs are never opened.  The numbers
found are stored as a capture of kind ``landing`` (``via_result_id`` names the
result that led to it; its device is that result page's) whose single result
is a copy of the originating result, so the audit judges them like any number
shown for it.

A landing page is attacker-controlled, so the visit records what really
happened, and only a readable page counts as audited (status ``ok``):

- the HTTP status of the document shown, the final URL and the redirect chain
  (``http_status``, ``final_url``, ``redirect_chain``: the evidence behind an
  ``advertiser_domain`` taken from the landing page);
- a navigation the browser refused (a script or meta refresh jumping to an ad
  click URL): status ``refused``, with the DOM as it stood just before it and
  the numbers read from it;
- anything else that is not a readable page (HTTP 4xx/5xx, a browser error
  page, a page that did not load): status ``error`` with the reason.

Every capture that is not ``ok`` is listed as NOT audited and makes the night
``incomplete``; its ``error`` says why.  A page read only in part (longer than
``max_page_chars``, or out of ``page_time_budget_s``) and a screenshot clipped
at ``max_screenshot_height`` are noted in ``notes``.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from crawler import contact
from crawler.browser import Browser, PageCapture
from crawler.clicks import is_ad_click_url
from crawler.domains import is_on_domains
from crawler.errors import FetchError
from crawler.models import ContactPage
from crawler.trackers import unwrap
from serpaudit.crawl.evidence import EvidenceFolder
from serpaudit.settings import Settings

log = logging.getLogger(__name__)

TOP_ORGANIC = 3
RESULT_KEYS = ("kind", "placement", "rank", "title", "display_url", "landing_url", "click_url", "domain")


def landing_targets(results: list[dict[str, Any]], brands: dict[str, Any]) -> list[dict[str, Any]]:
    """Results whose landing page is worth a visit, one per (brand, page), each with the ``visit_url`` to open.

    Where the landing URL is a click tracker that names its destination, the destination itself is opened:
    the tracker's redirect would only log a click on the advertiser's account and tell nothing the URL
    does not. A tracker that hides its destination is opened as shown, to learn where it leads.

    An ad whose landing URL is on the brand's own domain is opened too (``own_domain``): an open redirect on
    the brand's site (``https://www.<brand>.nl/go`` 302-ing to a scam site) hides where it really leads. Its
    visit is read only when it ended off the brand's domains (:func:`visit_one`).
    """
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for r in results:
        url = r.get("landing_url") or ""
        brand = brands.get(r["brand"])
        target = unwrap(url)[0] or url
        try:
            scheme = urlsplit(target).scheme
        except ValueError:
            continue
        if brand is None or scheme not in ("http", "https") or is_ad_click_url(url) or is_ad_click_url(target):
            continue
        if is_on_domains(target, brand.domains):
            if r["kind"] in ("ad", "shopping_ad"):
                out.setdefault((r["brand"], target), {**r, "visit_url": target, "own_domain": tuple(brand.domains)})
            continue
        wanted = r["kind"] in ("ad", "shopping_ad") or (r["kind"] == "organic" and r["rank"] <= TOP_ORGANIC)
        if wanted:
            out.setdefault((r["brand"], target), {**r, "visit_url": target})
    return list(out.values())


def page_limits(settings: Settings) -> contact.Limits:
    """How much of one attacker-controlled page is read (``max_page_chars``, ``page_time_budget_s``)."""
    return contact.Limits(settings.max_page_chars, settings.page_time_budget_s)


def unreadable_reason(cap: PageCapture) -> str:
    """Why the page the browser ended on is not a page to read numbers from, or ""."""
    if cap.refused:
        return f"the page navigated to an ad click URL, refused: {cap.refused[0][:300]}"
    if cap.final_url.startswith(("chrome-error:", "about:", "data:")) or not cap.final_url.startswith("http"):
        return f"the browser ended on {cap.final_url[:100]!r}, not a page"
    if cap.http_status is None:
        return "no HTTP response for the page"
    if cap.http_status >= 400:
        return f"HTTP {cap.http_status}"
    return ""


def visit_landing_pages(browser: Browser, store, run_id: str, brands: dict[str, Any], evidence: EvidenceFolder,
                        *, region: str, limits: contact.Limits | None = None) -> int:
    """Visit each landing page once; returns how many were read (status ``ok``).

    A resumed run does not open again a page it already read (or refused): one more visit to a scam
    page is one more chance for it to notice us. Pages that failed are tried again.
    """
    read = 0
    serp_results = [r for r in store.results(run_id) if r["capture_kind"] == "serp"]
    for r in landing_targets(serp_results, brands):
        before = store.landing_status(run_id, r["id"])
        if before in ("ok", "refused"):
            read += before == "ok"
            continue
        # a page stopped the browser (crawler.browser_guard): the next one gets a fresh one
        if not getattr(browser, "alive", lambda: True)():
            browser.relaunch()
        read += visit_one(browser, store, run_id, r, evidence, region=region, limits=limits) == "ok"
    return read


def visit_one(browser: Browser, store, run_id: str, r: dict[str, Any], evidence: EvidenceFolder, *, region: str,
              limits: contact.Limits | None = None) -> str:
    """Visit the landing page of result ``r``, store what happened; returns the capture status."""
    url = r.get("visit_url") or r["landing_url"]
    record: dict[str, Any] = {"run_id": run_id, "brand": r["brand"], "engine": r["engine"], "query": r["query"],
                              "device": r["device"], "kind": "landing", "via_result_id": r["id"], "locale": ""}
    try:
        cap = browser.visit(url)
    except FetchError as exc:
        # a number shown only on this page would go unseen: the run is not complete
        log.warning("landing page %s did not load: %s", url, exc)
        now = datetime.now(UTC).isoformat(timespec="seconds")
        store.record_capture({**record, "captured_at": now, "status": "error", "final_url": url,
                              "redirect_chain": json.dumps([url]), "error": f"did not load: {exc.reason}"}, None)
        return "error"
    reason = unreadable_reason(cap)
    # a refused jump leaves a browser error page: read the page as it stood before it
    html = cap.html_before_refusal if cap.refused and cap.html_before_refusal is not None else cap.html
    page = contact.parse(html, cap.final_url, region, limits)
    page, rendered_only = _with_rendered(page, cap, region, limits)
    own = r.get("own_domain")
    stayed = bool(own) and is_on_domains(cap.final_url, list(own or ()))
    if stayed:  # the brand's own page, as its ad said: its numbers are the harvest's business, not read here
        page, rendered_only = replace(page, phones=()), ""
    name = evidence.name("landing", r["brand"], url)
    html_path, html_sha = evidence.write(name, ".html", html.encode("utf-8"))
    png_path, png_sha = evidence.write(name, ".png", cap.screenshot) if cap.screenshot else (None, None)
    notes = [n for n in (page.truncated, rendered_only, _clip_note(cap),
                         "the brand's own page (no redirect off its domains): its numbers not read" if stayed else "")
             if n]
    numbers = ", ".join(p.e164 for p in page.phones)
    if cap.refused:
        reason += f"; numbers read before it navigated away: {numbers or 'none'}"
    status = "refused" if cap.refused else ("error" if reason else "ok")
    result = {k: r[k] for k in RESULT_KEYS}
    result.update(text=f"landing page {cap.final_url}", phones=[p.to_dict() for p in page.phones])
    store.record_capture(
        {**record, "captured_at": cap.captured_at, "status": status, "final_url": cap.final_url,
         "http_status": cap.http_status, "redirect_chain": json.dumps(list(cap.redirect_chain)),
         "refused": json.dumps(list(cap.refused)) if cap.refused else None, "error": reason or None,
         "notes": "; ".join(notes) or None, "user_agent": cap.user_agent, "html_path": html_path,
         "html_sha256": html_sha, "screenshot_path": png_path, "screenshot_sha256": png_sha},
        {"engine": r["engine"], "status": status, "query": r["query"], "results": [result]},
    )
    if status == "ok":
        log.info("landing page %s: %d number(s)%s", cap.final_url, len(page.phones),
                 f" ({'; '.join(notes)})" if notes else "")
    else:
        log.warning("landing page %s NOT audited: %s", url, reason)
    return status


def _with_rendered(page: ContactPage, cap: PageCapture, region: str, limits: contact.Limits | None
                   ) -> tuple[ContactPage, str]:
    """The page's numbers with those of its rendered text (what a person sees: CSS content, input values,
    SVG text, shadow roots, frames, junk digits left out), and a note naming the ones the HTML did not show."""
    seen = contact.parse_text(cap.rendered_text, cap.final_url, region, limits)
    known = {(p.e164, p.channel) for p in page.phones}
    extra = tuple(p for p in seen.phones if (p.e164, p.channel) not in known)
    if not extra:
        return page, ""
    note = "read from the rendered page only (not in its HTML): " + ", ".join(p.e164 for p in extra)
    return replace(page, phones=page.phones + extra), note


def _clip_note(cap: PageCapture) -> str:
    if not cap.screenshot_clipped:
        return ""
    return f"screenshot clipped: the page is {cap.page_height:,} px tall (the HTML keeps all of it)"
