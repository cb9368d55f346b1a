"""Rules: which numbers seen at the top of the results are findings, and how bad they are.

A sighting (a number shown in a result for a brand's query) is fine when its
E.164 is one of the brand's active official numbers, or when the result is the
brand's own (its domain is one of the brand's domains or a subdomain of one).
Otherwise:

* the brand runs no phone customer service  -> ``scam``;
* the brand's official set is unknown for this run (harvest failed, empty or
  missing)                                   -> ``inconclusive``, never a scam;
* premium-rate / shared-cost / personal number, or any number in an ad
                                             -> ``scam``;
* a number the brand published before but no longer does -> ``suspect``;
* anything else                              -> ``suspect``.

More rules (a reason's ``rule``; the above is ``unofficial_number``):

* ``own_ad_unpublished_number``: an ad landing on the brand's own domain shows a number the brand does
  not publish: the brand's outdated or hijacked ad.  Severity low, no platform: analysts only.
* ``lookalike_domain``: an ad or a top-3 organic result on a domain that imitates the brand
  (``audits.lookalike``), with or without a number; one finding per (brand, domain), E.164 empty.
* ``ai_answer_number``: a number in an engine's AI answer (Google's AI Overview, Bing's Copilot answer,
  DuckDuckGo's Search Assist) that the brand does not publish.  Severity high: the answer gives it in the
  engine's own voice.  A brand without phone support has every number in an answer flagged; an official
  number is fine.  No ad platform gets it (it is no ad): analysts, the engine's feedback channel and the
  hosts of the pages it cites.  Its reason says where the answer took the number from: which of the cited
  sources carry it (``audits.answer_trace``; the numbers read on those pages are never judged themselves).

The rules judge each sighting; the audit groups what they found into *cases* (:mod:`audits.cases`): one
ad, organic result or AI answer, keyed (brand, channel, case kind, subject), holding one *reason* per
(rule, number) with its verdict and severity.  An ad on a lookalike domain that shows a number is one case
with two reasons (``lookalike_domain`` and ``unofficial_number``).  The advertiser domain is the
registrable domain of the real destination (``advertiser_domain`` where the crawl gave one, else the
landing URL's, else the result's ``domain``).  All the case's sightings of the night are kept on it.

Captures that were not a usable result page (captcha, blocked, consent,
unknown, error) are listed in :attr:`AuditResult.blocked` as NOT audited.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from audits.answer_trace import check_sources, sources_of, visits_by_url, where_found
from audits.brands import Brand
from audits.cases import case_channel, case_key, case_kind, case_subject, numbers_of, sorted_reasons
from audits.lookalike import imitation
from audits.store import Store
from audits.verdicts import (  # noqa: F401 (re-exported: callers read the rules' verdicts here)
    AD_KINDS,
    AD_PLATFORMS,
    AI_KINDS,
    PREMIUM_TYPES,
    _result_host,
    _severity,
    classify,
    judge,
    platform_for,
    severity_for,
)
from crawler.domains import registrable_domain

log = logging.getLogger(__name__)

VERDICTS = ("scam", "suspect", "inconclusive")
SEVERITIES = ("high", "medium", "low")
RULES = ("unofficial_number", "own_ad_unpublished_number", "lookalike_domain", "ai_answer_number")
TOP_ORGANIC = 3  # organic results this high count for lookalike_domain
AUDITED_STATUSES = frozenset({"ok", "empty"})  # anything else is listed as not audited
_ENGINE_ORDER = {"google": 0, "bing": 1, "duckduckgo": 2}
_PLACEMENT_ORDER = {"top": 0, "main": 1, "side": 2, "bottom": 3}
_BLOCKED_KEYS = ("id", "kind", "brand", "engine", "query", "device", "locale", "status", "captured_at", "final_url",
                 "error", "html_path", "html_sha256", "screenshot_path", "screenshot_sha256")  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class Case:
    """One ad, organic result or AI answer and every reason found against it tonight (:mod:`audits.cases`).

    ``rule``, ``verdict``, ``severity`` and ``reason`` are the lead reason's (the worst); ``e164``,
    ``raw`` and ``number_type`` its first number's.  ``reasons`` holds them all, ``numbers`` every number
    shown (worst reason first).  The evidence fields (``title`` .. ``evidence_sha256``) are the best-placed
    sighting's.
    """

    brand: str
    e164: str
    number_type: str = ""
    raw: str = ""
    verdict: str  # scam | suspect | inconclusive
    reason: str
    severity: str  # high | medium | low
    engine: str
    query: str = ""
    device: str = ""
    kind: str
    placement: str = ""
    rank: int = 0
    title: str = ""
    display_url: str = ""
    landing_url: str = ""
    click_url: str = ""
    domain: str = ""
    text: str = ""
    captured_at: str = ""
    html_path: str = ""
    screenshot_path: str = ""
    evidence_path: str = ""
    platform: str = ""  # google_ads | microsoft_advertising | "" (organic, AI answer, the brand's own ad)
    html_sha256: str = ""
    screenshot_sha256: str = ""
    evidence_sha256: str = ""
    box: str = ""  # where the evidence result stood on the screenshot: JSON [x, y, w, h] in CSS px
    rule: str = "unofficial_number"
    advertiser_domain: str = ""
    case_kind: str = "ad"  # ad | organic | ai_answer
    channel: str = ""  # the ad platform of an ad, else the engine
    reasons: tuple[dict[str, Any], ...] = ()  # {rule, e164, raw, number_type, verdict, severity, reason}, worst first
    numbers: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    engines: tuple[str, ...] = ()
    devices: tuple[str, ...] = ()
    placements: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()
    sightings: tuple[dict[str, Any], ...] = ()  # every sighting behind it: capture, result, engine, device

    @property
    def key(self) -> tuple[str, str, str, str]:
        """The case's identity, across runs: (brand, channel, case kind, subject), see :mod:`audits.cases`."""
        return (self.brand, self.channel, self.case_kind,
                case_subject(self.case_kind, self.advertiser_domain, self.e164))


@dataclass(frozen=True)
class AuditResult:
    run_id: str
    findings: tuple[Case, ...]  # the night's cases
    counts: dict[str, int] = field(default_factory=dict)
    blocked: tuple[dict[str, Any], ...] = ()  # captures NOT audited (captcha, consent, blocked, ...)


def advertiser_domain(s: dict[str, Any]) -> str:
    """The registrable domain of the real destination: the crawl's, else the landing URL's, else ``domain``."""
    return (s.get("advertiser_domain") or registrable_domain(s.get("landing_url"))
            or registrable_domain(s.get("domain")) or "")  # fmt: skip


def _rank_key(s: dict[str, Any]) -> tuple[Any, ...]:
    # the result page before the landing page it led to: both show the same placement and rank
    return (_PLACEMENT_ORDER.get(s.get("placement") or "", 9), s.get("rank") or 10_000, s.get("device") or "",
            s.get("capture_kind") == "landing", s.get("captured_at") or "", _ENGINE_ORDER.get(s.get("engine") or "", 9),
            s.get("channel") or "", s.get("sighting_id") or "")  # fmt: skip


def _case(group: list[dict[str, Any]], found: dict[tuple[str, str], tuple[str, str, dict[str, Any]]]) -> Case:
    """The case of ``group`` (its sightings) with one reason per (rule, number) in ``found``."""
    s = min(group, key=_rank_key)  # the best-placed sighting is the case's evidence
    kind, engine = s.get("kind") or "", s.get("engine") or ""
    reasons = sorted_reasons({
        "rule": rule, "e164": e164, "raw": str(w.get("raw") or "") if e164 else "",
        "number_type": str(w.get("number_type") or "") if e164 else "", "verdict": verdict,
        "severity": _severity(rule, verdict, w.get("kind") or "", w.get("number_type") or ""), "reason": reason,
    } for (rule, e164), (verdict, reason, w) in found.items())  # fmt: skip
    lead = reasons[0]
    first = lead if lead["e164"] else next((r for r in reasons if r["e164"]), lead)
    reportable = any(r["rule"] != "own_ad_unpublished_number" for r in reasons)
    text = {k: str(s.get(k) or "") for k in (
        "query", "device", "placement", "title", "display_url", "landing_url", "click_url", "domain",
        "text", "captured_at", "html_path", "screenshot_path", "evidence_path", "html_sha256",
        "screenshot_sha256", "evidence_sha256", "box")}  # fmt: skip
    return Case(
        brand=s["brand"], e164=first["e164"], number_type=first["number_type"], raw=first["raw"],
        verdict=lead["verdict"], reason=lead["reason"], severity=lead["severity"], rule=lead["rule"],
        engine=engine, kind=kind, rank=int(s.get("rank") or 0), advertiser_domain=advertiser_domain(s),
        case_kind=case_kind(kind), channel=case_channel(engine, kind), reasons=tuple(reasons),
        numbers=tuple(numbers_of(reasons)), rules=_distinct(r["rule"] for r in reasons),
        platform=platform_for(engine, kind) if reportable else "",
        engines=_distinct(g.get("engine") for g in group),
        devices=_distinct(g.get("device") for g in group),
        placements=_distinct(g.get("placement") for g in group),
        platforms=_distinct(platform_for(g.get("engine") or "", g.get("kind") or "") for g in group)
        if reportable else (),
        sightings=tuple(sorted(({k: g.get(k) for k in (
            "sighting_id", "capture_id", "result_id", "engine", "query", "device", "placement", "kind",
            "captured_at", "capture_kind")} for g in group), key=lambda x: tuple(str(v or "") for v in x.values()))),
        **text,
    )  # fmt: skip


def _distinct(values: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(sorted({v for v in values if v}))


def _sort_key(f: Case) -> tuple[Any, ...]:
    return (SEVERITIES.index(f.severity), VERDICTS.index(f.verdict), *f.key)


def _key(s: dict[str, Any]) -> tuple[str, str, str, str]:
    return case_key(s["brand"], s.get("engine"), s.get("kind"), advertiser_domain(s), s.get("e164"))


def lookalike_results(store: Store, run_id: str, brands: dict[str, Brand],
                      captures: list[dict[str, Any]]) -> list[tuple[dict[str, Any], str]]:
    """(result, why) for every ad and top-3 organic result of the run on a domain imitating its brand."""
    by_id = {c["id"]: c for c in captures}
    out = []
    for r in store.results(run_id):
        brand = brands.get(r["brand"])
        if brand is None or r.get("capture_status") not in AUDITED_STATUSES or r.get("capture_kind") != "serp":
            # a landing capture repeats its SERP result; a source capture is a page an AI answer cites
            continue
        if not (r.get("kind") in AD_KINDS or (r.get("kind") == "organic" and (r.get("rank") or 99) <= TOP_ORGANIC)):
            continue
        host = _result_host(r) or r.get("advertiser_domain") or r.get("domain") or ""
        why = imitation(host, brand)
        if why:
            cap = by_id.get(r["capture_id"], {})
            out.append(({**{k: cap.get(k) for k in ("html_path", "html_sha256", "screenshot_path",
                                                    "screenshot_sha256")},
                         **r, "result_id": r["id"], "sighting_id": r["id"], "e164": ""}, why))  # fmt: skip
    return out


def _trace_answers(store: Store, run_id: str, groups: dict[tuple[str, ...], list[dict[str, Any]]],
                   found: dict[tuple[str, ...], dict[tuple[str, str], tuple[str, str, dict[str, Any]]]]) -> None:
    """An AI-answer case's reason says which of its answers' cited sources carry the number."""
    keys = [k for k in groups if any(rule == "ai_answer_number" for rule, _ in found[k])]
    if not keys:
        return
    visits = visits_by_url(store.source_visits(run_id))
    for k in keys:
        answers = {s["result_id"]: None for s in groups[k] if s.get("result_id")}
        for (rule, e164), (verdict, reason, s) in list(found[k].items()):
            if rule == "ai_answer_number":
                checks = check_sources(sources_of(store.result(rid) for rid in answers), visits, e164)
                found[k][(rule, e164)] = (verdict, f"{reason}; {where_found(checks)}", s)


def not_audited(captures: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Captures whose page was not read as results: CAPTCHA, block, consent wall, unknown markup, error.

    A cited source an AI answer's number was traced to (kind ``source``) is not part of the audit: one that
    could not be read is shown with its answer as not read, and leaves the night complete."""
    return [c for c in captures if c.get("status") not in AUDITED_STATUSES and c.get("kind") != "source"]


def audit(store: Store, run_id: str, *, save: bool = True, harvest_run_id: str | None = None) -> AuditResult:
    """Apply the rules to every sighting of ``run_id``; ``save`` upserts the findings into the store.

    The official sets count as known when the brand's harvest was ``ok``: the one recorded in
    ``harvest_run_id`` if given, else the one in ``run_id``, else the brand's latest harvest.
    """
    brands = {b.name: b for b in store.brands()}
    captures = store.captures(run_id)
    blocked = tuple({k: c.get(k) for k in _BLOCKED_KEYS} for c in not_audited(captures))
    counts: Counter[str] = Counter(captures=len(captures), blocked_captures=len(blocked))
    counts["audited_captures"] = len(captures) - len(blocked)
    counts.update(dict.fromkeys(("sightings", "fine", *VERDICTS), 0))
    official: dict[str, set[str]] = {}
    formerly: dict[str, set[str]] = {}
    harvest: dict[str, str | None] = {}
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}  # case key -> its sightings
    # case key -> (rule, number) -> (verdict, reason, the sighting that speaks for it)
    found: dict[tuple[str, ...], dict[tuple[str, str], tuple[str, str, dict[str, Any]]]] = {}
    for s in store.sightings(run_id):
        if s.get("capture_status") not in AUDITED_STATUSES or s.get("capture_kind") == "source":
            continue  # a number on a page an AI answer cites was not shown on the result page
        counts["sightings"] += 1
        name = s["brand"]
        if name not in official:
            rows = store.official_rows(name)
            official[name] = store.official_numbers(name)
            formerly[name] = {r["e164"] for r in rows if not r["removed"] and not r["published"]}
            harvest[name] = (store.harvest_status(harvest_run_id, name) if harvest_run_id
                             else store.harvest_status(run_id, name) or store.latest_harvest_status(name))
        outcome = judge(s, brands.get(name), official[name], formerly[name], harvest[name])
        if outcome is None:
            counts["fine"] += 1
            continue
        key = _key(s)
        groups.setdefault(key, []).append(s)
        reasons = found.setdefault(key, {})
        rk = (outcome[0], s["e164"])
        if rk not in reasons or _rank_key(s) < _rank_key(reasons[rk][2]):
            reasons[rk] = (outcome[1], outcome[2], s)  # the best-placed sighting's verdict speaks for the reason
    _trace_answers(store, run_id, groups, found)
    for s, why in lookalike_results(store, run_id, brands, captures):
        key = _key(s)
        groups.setdefault(key, []).append(s)
        reasons = found.setdefault(key, {})
        verdict = "scam" if s.get("kind") in AD_KINDS else "suspect"
        rk = ("lookalike_domain", "")
        if rk not in reasons or VERDICTS.index(verdict) < VERDICTS.index(reasons[rk][0]):
            reasons[rk] = (verdict, why, s)
    findings = tuple(sorted((_case(groups[k], found[k]) for k in groups), key=_sort_key))
    counts["findings"] = len(findings)  # cases; "reasons" counts what the rules found in them
    counts["reasons"] = sum(len(f.reasons) for f in findings)
    counts.update(f.verdict for f in findings)
    if save:
        store.upsert_findings(run_id, findings)
    for c in blocked:
        log.warning("not audited: %s %s %r (%s%s): %s", c["brand"], c["engine"], c["query"], c["device"],
                    " landing page" if c.get("kind") == "landing" else "", c["status"])  # fmt: skip
    log.info("audit of run %s: %s", run_id, ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in sorted(counts.items())))
    return AuditResult(run_id=run_id, findings=findings, counts=dict(sorted(counts.items())), blocked=blocked)
