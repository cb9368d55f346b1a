"""``report.html``: the night on one page, for an analyst with no other tool.

Everything on the page comes from search results, i.e. from the attackers, so: Jinja2 autoescaping
is on, only http(s) URLs become links (``javascript:`` and friends stay text), ad click URLs are
never linked (visiting one bills the advertiser and warns the scammer) and fold away, a
Content-Security-Policy forbids scripts, and a captured page is linked only as its sanitised copy
(``html_safe_path``, scripts removed); the raw capture is named with its sha256 but never linked.
Each finding's crop is inlined as a ``data:`` image, so the page shows them even when mailed alone;
other evidence links are relative to the report folder.  AI-answer findings have a section of their own
(``answers.html``): the answer's crop, the number, the official numbers, and the cited sources that carry
the number with their evidence.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from itertools import groupby
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from reports.ad_text import ad_description
from reports.answers import STATE_WORDS, answer_views, is_ai_finding
from reports.cells import phone_number
from reports.context import (
    VERDICT_ORDER,
    ReportContext,
    advertiser_domain,
    campaign_rows,
    case_numbers,
    case_reasons,
    finding_key,
    hours_text,
    official_for,
    seen_text,
)
from reports.ordered import in_report_order
from reports.platforms import PLATFORM_NAMES
from reports.summary import NightCounts, night_counts, night_sentences, plural
from reports.tally import NightTally
from reports.trend import trend_chart

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parent / "templates"
_ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


def utc_time(iso: Any) -> str:
    """An ISO timestamp as an analyst reads it, ``2026-12-04 19:31 UTC``; anything else as it is."""
    try:
        when = datetime.fromisoformat(str(iso))
    except ValueError:
        return str(iso or "")
    if when.tzinfo is not None:
        when = when.astimezone(UTC)
    return when.strftime("%Y-%m-%d %H:%M UTC")


_ENV.filters["utc"] = utc_time
_ENV.filters["counted"] = plural
INLINE_LIMIT = 2_000_000  # bytes: a bigger crop is linked, not inlined
FOLD_URL_AT = 80


def safe_url(url: Any) -> str | None:
    """``url`` when it is an absolute http(s) URL (fit for an href), else None."""
    if not isinstance(url, str) or not url.strip():
        return None
    u = url.strip()
    try:
        parts = urlsplit(u)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if any(ch in u for ch in "\x00\r\n\t\"'<> "):
        return None
    return u


def rel_href(path: Any) -> str | None:
    """A link to a file inside the report folder (paths there are relative and stay inside)."""
    if not path:
        return None
    p = str(path).replace("\\", "/")
    if p.startswith("/") or ".." in p.split("/") or ":" in p:
        return None
    return quote(p)


def inline_image(out_dir: Path, rel: Any) -> str | None:
    """A ``data:`` URI of a PNG/JPEG crop inside the folder, or its relative link when too big."""
    href = rel_href(rel)
    if href is None:
        return None
    path = out_dir / str(rel)
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if len(data) > INLINE_LIMIT:
        return href
    mime = "image/png" if data[:8] == b"\x89PNG\r\n\x1a\n" else "image/jpeg" if data[:2] == b"\xff\xd8" else ""
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}" if mime else None


def _badges(f: Mapping[str, Any], reported_platforms: set[str]) -> list[tuple[str, str]]:
    out = []
    status, state = str(f.get("status") or "new"), str(f.get("state") or "open")
    if status in ("new", "reopened", "recurring"):
        out.append((status, f"badge-{status}"))
    if state == "reported":
        out.append(("reported, still live", "badge-live"))
    elif state in ("confirmed", "dismissed", "resolved"):
        out.append((state, "badge-state"))
    if f.get("platform") in reported_platforms:
        out.append((f"to {PLATFORM_NAMES.get(str(f['platform']), f['platform'])} tonight", "badge-send"))
    return out


def _finding_view(f: Mapping[str, Any], out_dir: Path, ctx: ReportContext, sent: Mapping[str, set[str]]) -> dict:
    v = {k: ("" if val is None else val) for k, val in f.items()}
    for k in ("brand", "verdict", "severity", "platform", "raw", "e164", "number_type", "engine", "kind",
              "placement", "rank", "device", "query", "captured_at", "first_seen", "title", "display_url",
              "landing_url", "click_url", "text", "reason", "campaign", "nights_seen"):  # fmt: skip
        v.setdefault(k, "")
    fid = finding_key(f)
    numbers, sources = official_for(ctx, str(f.get("brand") or ""))
    v.update(
        id=fid, verdict_class=f"badge-{v['verdict']}" if v["verdict"] in VERDICT_ORDER else "badge-unknown",
        severity_class=v["severity"] if v["severity"] in ("high", "medium", "low") else "low",
        number=phone_number(f.get("e164"), ctx.region), advertiser_domain=advertiser_domain(f),
        officials=[phone_number(n, ctx.region) for n in numbers],
        official_sources=[(s, safe_url(s)) for s in sources],
        landing_href=safe_url(f.get("landing_url")), landing_long=len(str(v["landing_url"])) > FOLD_URL_AT,
        crop=inline_image(out_dir, f.get("evidence_path")),
        description=ad_description(f),
        numbers=[{"shown": n["raw"] or phone_number(n["e164"], ctx.region),
                  "national": phone_number(n["e164"], ctx.region), "type": n["number_type"]} for n in case_numbers(f)],
        reasons=[{"severity": str(r.get("severity") or ""), "verdict": str(r.get("verdict") or ""),
                  "rule": str(r.get("rule") or "").replace("_", " "), "reason": str(r.get("reason") or ""),
                  "number": phone_number(r.get("e164"), ctx.region) if r.get("e164") else ""}
                 for r in case_reasons(f)],
        badges=_badges(f, {p for p, ids in sent.items() if fid in ids}),
        evidence=_evidence(f), seen_text=seen_text(f), hours_text=hours_text(f),
    )  # fmt: skip
    return v


def _evidence(row: Mapping[str, Any]) -> list[tuple[str, str | None, str]]:
    """(label, href or None, sha256): the raw captured page is never linked."""
    out = []
    for label, path_key, sha_key in (("ad crop", "evidence_path", "evidence_sha256"),
                                     ("screenshot", "screenshot_path", "screenshot_sha256"),
                                     ("screenshot, ad outlined", "screenshot_outlined_path",
                                      "screenshot_outlined_sha256"),
                                     ("page (sanitised)", "html_safe_path", "html_safe_sha256")):  # fmt: skip
        if row.get(path_key):
            out.append((label, rel_href(row[path_key]), str(row.get(sha_key) or "")))
    if row.get("html_path"):
        out.append(("raw page (not linked: its scripts would run)", None, str(row.get("html_sha256") or "")))
    return out


def _answer_view(a: Mapping[str, Any], out_dir: Path, ctx: ReportContext) -> dict[str, Any]:
    v = {k: ("" if val is None else val) for k, val in a.items()}
    for k in ("raw", "e164", "number_type", "engine", "device", "query", "captured_at", "first_seen", "text",
              "reason", "campaign", "nights_seen", "answer_state", "severity", "verdict", "brand"):  # fmt: skip
        v.setdefault(k, "")
    sources = []
    for c in a.get("checks") or ():
        sources.append({**c, "href": safe_url(c.get("url")), "evidence": [
            (label, rel_href(c[path_key]) if link else None, str(c.get(sha_key) or ""))
            for label, path_key, sha_key, link in (
                ("PDF as served" if c.get("pdf") else "page (sanitised)",
                 "html_path" if c.get("pdf") else "html_safe_path",
                 "html_sha256" if c.get("pdf") else "html_safe_sha256", True),
                ("raw page (not linked: its scripts would run)", "html_path", "html_sha256", False),
                ("screenshot", "screenshot_path", "screenshot_sha256", True))
            if c.get(path_key) and not (c.get("pdf") and not link)]})  # fmt: skip
    v.update(number=phone_number(a.get("e164"), ctx.region), crop=inline_image(out_dir, a.get("evidence_path")),
             severity_class=v["severity"] if v["severity"] in ("high", "medium", "low") else "low",
             verdict_class=f"badge-{v['verdict']}" if v["verdict"] in VERDICT_ORDER else "badge-unknown",
             state_words=STATE_WORDS.get(str(v["answer_state"]), str(v["answer_state"])),
             official_links=[(s, safe_url(s)) for s in a.get("official_sources") or ()],
             sources=sources, evidence=_evidence(a))
    return v


def render_html(
    findings: Iterable[Mapping[str, Any]],
    out_dir: Path,
    *,
    run: Mapping[str, Any] | None = None,
    blocked: Iterable[Mapping[str, Any]] = (),
    context: ReportContext | None = None,
    sent: Mapping[str, list[str]] | None = None,
    answers: Iterable[Mapping[str, Any]] | None = None,
    counts: NightCounts | None = None,
    campaigns: Iterable[Mapping[str, Any]] | None = None,
    tally: NightTally | None = None,
) -> Iterator[str]:
    """report.html in pieces, as Jinja2 renders it (written as they come: at 100,000 findings the page is over
    100 MB, and one string of it, then its UTF-8 copy, doubled the report's peak memory).

    Each case's view is made as the page reaches it, from ``findings`` read in report order
    (:mod:`reports.ordered`): the cases are read once for the size of each brand's group (its heading comes
    first; unless ``tally`` has them) and once for the page.  ``counts``, ``campaigns`` and ``tally``: the
    night's, when the caller has them."""
    ctx = context or ReportContext()
    sent = sent or {}
    ordered = in_report_order(findings)
    if answers is None:  # rendered alone: the sources' evidence stays where the store has it
        answers = answer_views(ordered, ctx, dict)
    ai_views = [_answer_view(a, out_dir, ctx) for a in answers]
    blocked_rows = list(blocked)
    if tally is None:  # the first pass: the counts, and each brand's cases
        tally = NightTally.of(ordered)
    if counts is None:
        counts = night_counts(tally, run=run, blocked=blocked_rows, context=ctx, sent=sent)
    sizes = tally.brand_cases
    sent_to = {p: set(ids) for p, ids in sent.items()}  # looked up once per case: sets, not the lists
    groups = ({"brand": brand, "size": sizes[brand],
               "findings": (_finding_view(f, out_dir, ctx, sent_to) for f in cases)}
              for brand, cases in groupby((f for f in ordered if not is_ai_finding(f)),
                                          key=lambda f: str(f.get("brand") or "")))  # fmt: skip
    not_audited = []
    for c in sorted(blocked_rows, key=lambda c: tuple(str(c.get(k) or "") for k in (
            "brand", "engine", "query", "device", "captured_at"))):  # fmt: skip
        row = {k: ("" if c.get(k) is None else c.get(k)) for k in (
            "brand", "engine", "query", "device", "kind", "status", "captured_at", "error", "final_url")}  # fmt: skip
        row["evidence"] = _evidence(c)
        row["url_long"] = len(str(row["final_url"])) > FOLD_URL_AT
        not_audited.append(row)
    last_night = str((run or {}).get("started_at") or ctx.now or "")
    takedowns = [(PLATFORM_NAMES.get(p, p), dict(t)) for p, t in sorted(ctx.takedowns.items())]
    return _ENV.get_template("report.html").generate(
        counts=counts, night=night_sentences(counts), groups=groups, blocked=not_audited,
        campaigns=list(campaigns) if campaigns is not None else campaign_rows(
            ordered, ctx, (tally.campaign_sizes, tally.campaign_named)),
        chart=trend_chart(ctx.trend, last_night),
        takedowns=takedowns, platform_names=PLATFORM_NAMES, sent=sent, answers=ai_views,
        answers_unread=[{k: ("" if r.get(k) is None else r.get(k)) for k in (
            "brand", "engine", "query", "device", "answer_state", "captured_at")} for r in ctx.answers_unread],
    )  # fmt: skip


def write_html(
    findings: Iterable[Mapping[str, Any]],
    path: Path,
    *,
    run: Mapping[str, Any] | None = None,
    blocked: Iterable[Mapping[str, Any]] = (),
    context: ReportContext | None = None,
    sent: Mapping[str, list[str]] | None = None,
    answers: Iterable[Mapping[str, Any]] | None = None,
    counts: NightCounts | None = None,
    campaigns: Iterable[Mapping[str, Any]] | None = None,
    tally: NightTally | None = None,
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pieces = render_html(findings, path.parent, run=run, blocked=blocked, context=context, sent=sent, answers=answers,
                         counts=counts, campaigns=campaigns, tally=tally)
    with open(path, "w", encoding="utf-8") as out:
        out.writelines(pieces)
    return path
