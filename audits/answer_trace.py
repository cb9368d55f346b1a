"""Where an AI answer took its number from: the cited sources that carry it.

The sources stage (:mod:`serpaudit.night.sources`) visits the pages an AI answer cites and stores, per page,
the numbers read on it (captures of kind ``source``).  Here those visits meet the answer: for a number the
answer gives, each cited source either carries it, does not, could not be read (a PDF without text, a page
that did not load), or was not visited (over the page budget).

The sentence a finding carries (``found on forum.example.nl/t/123 and a PDF on example.org``) names the
pages an analyst asks hosts to take down: a web page by its host and path, a PDF by the site it is on.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from crawler.domains import registrable_domain

# what a check says about one cited source
CARRIES, ABSENT, NOT_READ, NOT_VISITED = "yes", "no", "not read", "not visited"
PRODUCTS = {"google": "Google's AI Overview", "bing": "Bing's Copilot answer",
            "duckduckgo": "DuckDuckGo's Search Assist"}  # fmt: skip
# a page read whole, or as it stood before it tried to jump to an ad click URL (the jump refused)
READ = ("ok", "refused")
_EVIDENCE_KEYS = ("html_path", "html_sha256", "screenshot_path", "screenshot_sha256")


def cited(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The sources an answer result cites (its ``sources`` JSON), each once, in page order."""
    raw = result.get("sources")
    try:
        items = json.loads(raw) if isinstance(raw, str) else list(raw or [])
    except ValueError:
        return []
    out: dict[str, dict[str, Any]] = {}
    for s in items:
        if isinstance(s, Mapping) and isinstance(s.get("url"), str) and s["url"]:
            out.setdefault(s["url"], {"url": s["url"], "title": str(s.get("title") or ""),
                                      "domain": s.get("domain") or registrable_domain(s["url"]) or ""})
    return list(out.values())


def is_pdf(visit: Mapping[str, Any] | None, url: str) -> bool:
    if visit and str(visit.get("notes") or "").startswith("PDF"):
        return True
    return urlsplit(url).path.lower().endswith(".pdf")


def check_sources(sources: Iterable[Mapping[str, Any]], visits: Mapping[str, Mapping[str, Any]],
                  e164: str) -> list[dict[str, Any]]:
    """Each cited source with whether it carries ``e164`` (:data:`CARRIES`, :data:`ABSENT`, :data:`NOT_READ`,
    :data:`NOT_VISITED`), why not where it was not read, and its visit's evidence."""
    out = []
    for s in sources:
        visit = visits.get(s["url"])
        if visit is None:
            carries, why = NOT_VISITED, "not visited (over the page budget, or the night stopped first)"
        elif visit.get("status") in READ:
            carries, why = (CARRIES if e164 in visit.get("numbers", ()) else ABSENT), str(visit.get("notes") or "")
            if visit.get("status") == "refused":
                why = "read as it stood before it jumped to an ad click URL (refused)"
        else:
            carries, why = NOT_READ, str(visit.get("error") or visit.get("status") or "")
        out.append({**s, "carries": carries, "why": why, "pdf": is_pdf(visit, s["url"]),
                    "status": (visit or {}).get("status") or "", "final_url": (visit or {}).get("final_url") or "",
                    "captured_at": (visit or {}).get("captured_at") or "",
                    **{k: (visit or {}).get(k) or "" for k in _EVIDENCE_KEYS}})
    return out


def page_name(url: str) -> str:
    """``forum.example.nl/t/123``: host (without ``www.``) and path, no scheme, query or fragment."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    path = parts.path.rstrip("/")
    return host + path


def where_found(checks: Sequence[Mapping[str, Any]]) -> str:
    """The sentence a finding carries: where the number was found among the answer's sources."""
    names = [f"a PDF on {c['domain'] or page_name(c['url'])}" if c["pdf"] else page_name(c["url"])
             for c in checks if c["carries"] == CARRIES]
    unread = sum(1 for c in checks if c["carries"] in (NOT_READ, NOT_VISITED))
    tail = f" ({unread} not read)" if unread else ""
    if names:
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        return f"found on {listed}" + (f"; {unread} other source(s) not read" if unread else "")
    if not checks:
        return "the answer cites no source"
    return f"on none of its {len(checks)} cited source(s){tail}"


def headline(f: Mapping[str, Any], checks: Sequence[Mapping[str, Any]]) -> str:
    """``0900 ... in Google's AI Overview, found on forum.example.nl/t/123``: what the analyst reads first."""
    product = PRODUCTS.get(str(f.get("engine") or ""), "the engine's AI answer")
    return f"{f.get('raw') or f.get('e164')} in {product}, {where_found(checks)}"


def visits_by_url(visits: Iterable[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    return {str(v["source_url"]): v for v in visits if v.get("source_url")}


def sources_of(results: Iterable[Mapping[str, Any] | None]) -> list[dict[str, Any]]:
    """The sources cited by any of ``results`` (the answers a finding was seen in), each once."""
    out: dict[str, dict[str, Any]] = {}
    for r in results:
        for s in cited(r or {}):
            out.setdefault(s["url"], s)
    return list(out.values())


def finding_checks(store: Any, finding: Mapping[str, Any], run_id: str,
                   visits: Mapping[str, Mapping[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The source checks of a stored AI-answer finding for ``run_id``: the sources of every answer it was
    seen in that night, checked for its number."""
    if visits is None:
        visits = visits_by_url(store.source_visits(run_id))
    result_ids = dict.fromkeys(s["result_id"] for s in store.finding_sightings(finding["id"], run_id)
                               if s.get("capture_kind") == "serp" and s.get("result_id"))
    return check_sources(sources_of(store.result(rid) for rid in result_ids), visits, str(finding["e164"]))


def answer_states(store: Any, run_id: str, findings: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """finding id -> how far the answer it was seen in got (``expanded`` beats ``complete`` beats the rest), for
    the AI-answer findings among ``findings`` seen in ``run_id``."""
    order = ("expanded", "complete", "collapsed", "unfinished", "declined")
    out = {}
    for f in findings:
        if f.get("rule") != "ai_answer_number" or not f.get("id"):
            continue
        states = {(store.result(s["result_id"]) or {}).get("answer_state") or ""
                  for s in store.finding_sightings(f["id"], run_id) if s.get("capture_kind") == "serp"}
        known = [s for s in order if s in states]
        if known:
            out[str(f["id"])] = known[0]
    return out


def answer_traces(store: Any, run_id: str, findings: Iterable[Mapping[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """finding id -> its source checks, for the AI-answer findings among ``findings`` seen in ``run_id``."""
    visits = visits_by_url(store.source_visits(run_id))
    return {str(f["id"]): finding_checks(store, f, run_id, visits) for f in findings
            if f.get("rule") == "ai_answer_number" and f.get("id")}
