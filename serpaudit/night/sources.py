"""The sources stage: where an AI answer took a number the brand does not publish.

Scammers seed their numbers on forums, review sites and uploaded PDFs, and the engines' AI answers quote them
in the engine's own voice.  For every AI answer of the night that gives a number its brand does not publish
(every number, for a brand without phone support), each page the answer cites is opened once, with the rules
landing pages follow (:mod:`serpaudit.night.landing`):

- in a fresh isolated browser context, never following an ad click URL;
- within the page budgets (``max_page_chars``, ``page_time_budget_s``; a PDF also at most
  :data:`crawler.pdf_text.MAX_PAGES` pages), and at most :data:`MAX_SOURCES` sources per answer;
- once per run and URL: a page cited by several answers (the same forum post quoted for two brands) is
  opened once, and a resumed run does not open again a page it already read.

Each visit is stored as a capture of kind ``source`` (``via_result_id``: the first answer citing it) whose
single result holds the numbers read on the page, with its HTML (or the PDF as served) and screenshot as
evidence.  The audit then says which sources carry the answer's number (:mod:`audits.answer_trace`).  A PDF
is read with pypdf; one it cannot read (encrypted, no text layer) is recorded as not read (status
``unread``), never as "does not carry the number".  A source that cannot be read never makes the night
incomplete: the audit of the result page is whole without it.
"""

from __future__ import annotations

import html as html_lib
import json
import logging
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from audits.verdicts import AI_KINDS
from crawler import contact
from crawler.browser import Browser
from crawler.clicks import is_ad_click_url
from crawler.domains import registrable_domain
from crawler.errors import FetchError
from crawler.pdf_text import is_pdf, pdf_text
from crawler.trackers import unwrap
from serpaudit.crawl.evidence import EvidenceFolder
from serpaudit.night.harvest import RobotsTxt
from serpaudit.night.landing import unreadable_reason

log = logging.getLogger(__name__)

MAX_SOURCES = 8  # per answer: an answer citing 40 pages is not worth 40 visits to attacker-controlled sites
AUDITED = ("ok", "empty")
DONE = ("ok", "refused", "unread")  # a resumed run does not open these again; a page that failed is tried again


def untraced_numbers(store, run_id: str, brands: dict[str, Any]) -> dict[str, set[str]]:
    """answer result id -> the numbers in it its brand does not publish (all of them without phone support)."""
    official: dict[str, set[str]] = {}
    out: dict[str, set[str]] = {}
    for s in store.sightings(run_id):
        if s.get("capture_kind") != "serp" or s.get("kind") not in AI_KINDS or s.get("capture_status") not in AUDITED:
            continue
        name = s["brand"]
        if name not in official:
            brand = brands.get(name)
            official[name] = store.official_numbers(name) if brand is None or brand.phone_support else set()
        if s["e164"] not in official[name]:
            out.setdefault(s["result_id"], set()).add(s["e164"])
    return out


def source_targets(store, run_id: str, brands: dict[str, Any]) -> list[dict[str, Any]]:
    """The cited pages to open, once per URL: each with the answer result citing it first and ``source``."""
    wanted = untraced_numbers(store, run_id, brands)
    targets: dict[str, dict[str, Any]] = {}
    for r in store.results(run_id):
        if r["id"] not in wanted:
            continue
        try:
            sources = json.loads(r.get("sources") or "[]")
        except ValueError:
            continue
        for s in sources[:MAX_SOURCES]:
            url = visit_url(s.get("url") if isinstance(s, dict) else None)
            if url:
                targets.setdefault(s["url"], {**r, "source": s, "visit_url": url})
    return list(targets.values())


def visit_url(url: Any) -> str | None:
    """What to open for a cited URL: its destination when it is a tracker that names one; None for anything
    that is not an http(s) page or is an ad click URL (never followed)."""
    if not isinstance(url, str) or not url:
        return None
    target = unwrap(url)[0] or url
    try:
        scheme = urlsplit(target).scheme
    except ValueError:
        return None
    if scheme not in ("http", "https") or is_ad_click_url(url) or is_ad_click_url(target):
        return None
    return target


def visit_sources(browser: Browser, store, run_id: str, brands: dict[str, Any], evidence: EvidenceFolder, *,
                  region: str, limits: contact.Limits | None = None) -> dict[str, int]:
    """Open each cited page once; returns how many visits ended in each status (this run's, resumed included)."""
    counts: dict[str, int] = {}
    robots = RobotsTxt(browser)
    for t in source_targets(store, run_id, brands):
        status = store.source_status(run_id, t["source"]["url"])
        brand = brands.get(t["brand"])
        if status not in DONE and brand is not None and brand.owns(urlsplit(t["visit_url"]).hostname or "") \
                and not robots.allowed(t["visit_url"]):
            # the brand's own pages are read as the harvest reads them: within their robots.txt
            status = refuse_source(store, run_id, t, "disallowed by robots.txt (the brand's own site)")
        elif status not in DONE:
            # a page stopped the browser (crawler.browser_guard): the next one gets a fresh one, as landing pages do
            if not getattr(browser, "alive", lambda: True)():
                browser.relaunch()
            status = visit_source(browser, store, run_id, t, evidence, region=region, limits=limits)
        counts[status] = counts.get(status, 0) + 1
    return counts


def _source_records(run_id: str, t: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The capture and the page of a visit to target ``t``'s cited page, before anything is read."""
    cited = t["source"]["url"]
    record: dict[str, Any] = {"run_id": run_id, "brand": t["brand"], "engine": t["engine"], "query": t["query"],
                              "device": t["device"], "kind": "source", "via_result_id": t["id"],
                              "source_url": cited, "locale": ""}
    result: dict[str, Any] = {"kind": "other", "placement": t["placement"], "rank": t["rank"],
                              "title": str(t["source"].get("title") or ""), "display_url": None, "landing_url": cited,
                              "click_url": None, "domain": registrable_domain(cited), "text": "", "phones": []}
    return record, {"engine": t["engine"], "query": t["query"], "results": [result]}


def refuse_source(store, run_id: str, t: dict[str, Any], why: str) -> str:
    """Store a cited page as not opened, with why (the check then says "not read" and why)."""
    record, page = _source_records(run_id, t)
    log.info("AI-answer source %s: not opened: %s", t["visit_url"], why)
    store.record_capture({**record, "captured_at": datetime.now(UTC).isoformat(timespec="seconds"),
                          "status": "error", "final_url": t["visit_url"], "error": why}, {**page, "status": "error"})
    return "error"


def visit_source(browser: Browser, store, run_id: str, t: dict[str, Any], evidence: EvidenceFolder, *,
                 region: str, limits: contact.Limits | None = None) -> str:
    """Open the cited page of target ``t``, store what it carries; returns the capture status."""
    cited, url = t["source"]["url"], t["visit_url"]
    record, page = _source_records(run_id, t)
    result = page["results"][0]
    try:
        cap = browser.visit(url)
    except FetchError as exc:
        log.warning("AI-answer source %s did not load: %s", url, exc)
        now = datetime.now(UTC).isoformat(timespec="seconds")
        store.record_capture({**record, "captured_at": now, "status": "error", "final_url": url,
                              "redirect_chain": json.dumps([url]), "error": f"did not load: {exc.reason}"},
                             {**page, "status": "error"})
        return "error"
    name = evidence.name("source", cited)
    notes: list[str] = []
    reason = unreadable_reason(cap)
    document = cap.document if cap.document is not None else b""
    if document and is_pdf(document, cap.content_type):
        html_path, html_sha = evidence.write(name, ".pdf", document)
        read = pdf_text(document, max_chars=(limits or contact.Limits()).max_chars)
        notes.append(f"PDF, {read.pages} page(s)")
        notes += [n for n in (read.truncated,) if n]
        text = f"<pre>{html_lib.escape(read.text)}</pre>" if read.text else ""
        status = "error" if reason else ("unread" if read.unread else "ok")
        reason = reason or read.unread
    else:
        body = cap.html_before_refusal if cap.refused and cap.html_before_refusal is not None else cap.html
        html_path, html_sha = evidence.write(name, ".html", body.encode("utf-8"))
        text = body
        status = "refused" if cap.refused else ("error" if reason else "ok")
        if not reason and cap.document is None and cap.content_type.startswith("application/pdf"):
            status, reason = "unread", "PDF could not be fetched from its viewer"
    png_path, png_sha = evidence.write(name, ".png", cap.screenshot) if cap.screenshot else (None, None)
    found = contact.parse(text, cap.final_url, region, limits) if text and status in ("ok", "refused") else None
    if found is not None:
        notes += [n for n in (found.truncated,) if n]
        result["phones"] = [p.to_dict() for p in found.phones]
    result["text"] = f"cited page {cap.final_url}"
    store.record_capture(
        {**record, "captured_at": cap.captured_at, "status": status, "final_url": cap.final_url,
         "http_status": cap.http_status, "redirect_chain": json.dumps(list(cap.redirect_chain)),
         "refused": json.dumps(list(cap.refused)) if cap.refused else None, "error": reason or None,
         "notes": "; ".join(notes) or None, "user_agent": cap.user_agent, "html_path": html_path,
         "html_sha256": html_sha, "screenshot_path": png_path, "screenshot_sha256": png_sha},
        {**page, "status": status},
    )
    numbers = ", ".join(dict.fromkeys(p["e164"] for p in result["phones"])) or "none"
    log.info("AI-answer source %s: %s (numbers: %s)", cap.final_url, status if not reason else f"{status}: {reason}",
             numbers)
    return status
