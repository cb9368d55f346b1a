"""What a report knows besides the night's findings, and the small helpers every output shares.

Findings are plain dicts (``audits.store.Store.findings`` rows).  Fields other issues add later are
optional here: ``id``/``status``/``state``/``nights_seen``/``campaign`` (lifecycle) and
``advertiser_domain`` (the landing page's real domain).  A report made without them still works.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

VERDICT_ORDER = ("scam", "suspect", "inconclusive")
SEVERITY_ORDER = ("high", "medium", "low")
STATES = ("open", "confirmed", "reported", "dismissed", "resolved")


@dataclass(frozen=True)
class ReportContext:
    """Everything a report shows that is not a finding of the night.

    ``officials``: brand -> official number rows (``e164``, ``raw``, ``source_url``).
    ``trend``: (night ``YYYY-MM-DD``, engine, findings) over the last nights.
    ``campaigns``: dicts with ``id``, ``label`` / ``e164``, ``brands``, ``domains``, ``findings``, ``first_seen``.
    ``takedowns``: platform -> {``reported``, ``taken_down``, ``median_days``, ``worst_days``}.
    ``sent``: (finding id, platform) -> when it was last sent (ISO-8601 UTC): nothing is sent twice.
    ``sent_tonight``: (finding id, platform) this night's own mail already delivered: a report written
    again for the night still holds them, though the mail made them ``reported``.
    ``gone_tonight``: findings of earlier nights that this night made ``gone`` (absent for the set number
    of audited nights): not among the night's findings, but part of its story.
    ``answer_sources``: AI-answer finding id -> its cited sources checked for its number
    (:func:`audits.answer_trace.check_sources`: ``url``, ``domain``, ``carries``, ``why``, ``pdf`` and the
    visit's evidence paths).
    ``answers_unread``: the night's AI answers that could not be read whole (``unfinished``, ``declined``):
    recorded, never taken for "no answer" (``brand``, ``engine``, ``query``, ``device``, ``answer_state``).
    ``answer_states``: AI-answer finding id -> how far its answer got (``expanded`` after "Show more", ...).
    """

    region: str = "NL"
    language: str = "nl"
    now: str = ""
    brands: Sequence[str] = ()
    officials: Mapping[str, Sequence[Mapping[str, Any]]] = field(default_factory=dict)
    trend: Sequence[tuple[str, str, int]] = ()
    campaigns: Sequence[Mapping[str, Any]] = ()
    takedowns: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    sent: Mapping[tuple[str, str], str] = field(default_factory=dict)
    followup_days: int = 7
    sent_tonight: frozenset[tuple[str, str]] = frozenset()
    gone_tonight: int = 0
    answer_sources: Mapping[str, Sequence[Mapping[str, Any]]] = field(default_factory=dict)
    answers_unread: Sequence[Mapping[str, Any]] = ()
    answer_states: Mapping[str, str] = field(default_factory=dict)  # AI-answer finding id -> its answer's state


def finding_key(f: Mapping[str, Any]) -> str:
    """The finding's id (issue 7's short stable id), or one made from its key fields."""
    if f.get("id"):
        return str(f["id"])
    key = "\x1f".join(str(f.get(k) or "") for k in ("brand", "e164", "engine", "kind", "domain"))
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def platforms_of(f: Mapping[str, Any]) -> list[str]:
    """The ad platforms a finding was seen on: its ``platforms`` list (a finding across nights and engines,
    as a list or JSON text) or its single ``platform``."""
    many = f.get("platforms")
    if isinstance(many, str):
        try:
            many = json.loads(many)
        except ValueError:
            many = [p.strip() for p in many.split(",")]
    found = [str(p) for p in (many or []) if p] if isinstance(many, list | tuple) else []
    return found or ([str(f["platform"])] if f.get("platform") else [])


def case_reasons(f: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The case's reasons (rule, number, how it was shown, verdict, severity, why), worst first; a row without
    ``reasons`` (made by hand, or before cases) is its own one reason."""
    reasons = f.get("reasons")
    if isinstance(reasons, str):
        try:
            reasons = json.loads(reasons)
        except ValueError:
            reasons = None
    if isinstance(reasons, list | tuple) and reasons:
        return [dict(r) for r in reasons if isinstance(r, Mapping)]
    return [{k: f.get(k) or "" for k in ("rule", "e164", "raw", "number_type", "verdict", "severity", "reason")}]


def case_numbers(f: Mapping[str, Any]) -> list[dict[str, str]]:
    """Every number the case showed, each once, worst reason first: ``{e164, raw, number_type}``."""
    out: dict[str, dict[str, str]] = {}
    for r in case_reasons(f):
        if r.get("e164") and str(r["e164"]) not in out:
            out[str(r["e164"])] = {"e164": str(r["e164"]), "raw": str(r.get("raw") or ""),
                                   "number_type": str(r.get("number_type") or "")}
    many = f.get("numbers")
    for n in many if isinstance(many, list | tuple) else ():
        out.setdefault(str(n), {"e164": str(n), "raw": "", "number_type": ""})
    if not out and f.get("e164"):
        out[str(f["e164"])] = {"e164": str(f["e164"]), "raw": str(f.get("raw") or ""),
                               "number_type": str(f.get("number_type") or "")}
    return list(out.values())


def advertiser_domain(f: Mapping[str, Any]) -> str:
    """The landing page's real registrable domain where known (trackers unwrapped), else the result's."""
    return str(f.get("advertiser_domain") or f.get("domain") or "")


def official_for(ctx: ReportContext, brand: str) -> tuple[list[str], list[str]]:
    """The brand's active official numbers (E.164) and the pages they were found on."""
    rows = [r for r in ctx.officials.get(brand, ()) if not r.get("removed")
            and (r.get("published", 1) or r.get("manual"))]  # fmt: skip
    numbers = sorted({str(r["e164"]) for r in rows if r.get("e164")})
    sources = sorted({str(r["source_url"]) for r in rows if r.get("source_url")})
    return numbers, sources


def _order(name: Any, options: tuple[str, ...]) -> int:
    return options.index(name) if name in options else len(options)


def sort_key(f: Mapping[str, Any]) -> tuple[Any, ...]:
    """Deterministic order: brand, then worst first, then number, engine, kind, domain, position."""
    return (
        str(f.get("brand") or "").casefold(), str(f.get("brand") or ""),
        _order(f.get("severity"), SEVERITY_ORDER), _order(f.get("verdict"), VERDICT_ORDER),
        str(f.get("e164") or ""), str(f.get("engine") or ""), str(f.get("kind") or ""),
        str(f.get("domain") or ""), str(f.get("placement") or ""), int(f.get("rank") or 0),
        str(f.get("device") or ""), str(f.get("query") or ""),
    )  # fmt: skip


def state_of(f: Mapping[str, Any]) -> str:
    return str(f.get("state") or "open")


def campaign_rows(findings: Iterable[Mapping[str, Any]], ctx: ReportContext,
                  sizes: tuple[Counter[str], set[str]] | None = None) -> list[dict[str, Any]]:
    """Campaigns to show: the store's (issue 7) when given, else tonight's findings grouped by campaign
    (or, without lifecycle fields, by the number advertised), only those spanning several findings.

    ``findings`` is read twice (a list, or :class:`reports.ordered.OrderedFindings`): once to count each group
    (unless ``sizes`` has them: key -> cases, and the keys with a case in a campaign), once to gather the groups
    shown, so the night's findings are never held, only a count per group."""
    if ctx.campaigns:
        return [dict(c) for c in ctx.campaigns]
    if sizes is None:
        counted: Counter[str] = Counter()
        named: set[str] = set()  # groups with a member in a campaign: shown even when alone
        for f in findings:
            key = campaign_key(f)
            if key:
                counted[key] += 1
                if f.get("campaign"):
                    named.add(key)
        sizes = (counted, named)
    shown = {k for k, n in sizes[0].items() if n > 1 or k in sizes[1]}
    if not shown:  # nothing shared tonight: no second pass
        return []
    groups: dict[str, dict[str, Any]] = {}
    for f in findings:
        key = campaign_key(f)
        if key not in shown:
            continue
        g = groups.setdefault(key, {"numbers": set(), "brands": set(), "domains": set(), "engines": set(),
                                    "findings": 0, "first_seen": None})
        g["numbers"].add(str(f.get("e164") or ""))
        g["brands"].add(str(f.get("brand") or ""))
        g["domains"].add(advertiser_domain(f))
        g["engines"].add(str(f.get("engine") or ""))
        g["findings"] += 1
        first = str(f.get("first_seen") or f.get("captured_at") or "")
        g["first_seen"] = first if g["first_seen"] is None else min(g["first_seen"], first)
    return [{"id": key, "numbers": sorted(g["numbers"]), "brands": sorted(g["brands"]),
             "domains": sorted(g["domains"] - {""}), "engines": sorted(g["engines"]), "findings": g["findings"],
             "first_seen": g["first_seen"]} for key, g in sorted(groups.items())]  # fmt: skip


def campaign_key(f: Mapping[str, Any]) -> str:
    return str(f.get("campaign") or f.get("e164") or "")


def hours_seen(f: Mapping[str, Any]) -> list[int]:
    """The UTC hours of day of the sweeps that saw the finding (stored as a JSON list)."""
    value = f.get("hours_seen") or []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return []
    return sorted({int(h) for h in value if isinstance(h, int | float | str) and str(h).isdigit()})


def hours_text(f: Mapping[str, Any]) -> str:
    """"09, 14": the hours it was live at, as the sweeps saw it (UTC); "" when not known."""
    return ", ".join(f"{h:02d}" for h in hours_seen(f))


def seen_text(f: Mapping[str, Any]) -> str:
    """"seen on 5 days, in 9 of 15 sweeps": days, not sweeps, count in the case file."""
    days, seen, looked = (int(f.get(k) or 0) for k in ("nights_seen", "times_seen", "sweeps_audited"))
    if not days:
        return ""
    text = f"seen on {days} day{'s' if days != 1 else ''}"
    if looked:
        text += f", in {seen} of {looked} sweep{'s' if looked != 1 else ''}"
    return text

