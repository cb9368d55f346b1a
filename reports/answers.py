"""AI-answer findings, kept apart from the ads: their section of report.html and ``ai_answers.csv``.

An AI answer is no ad: it never goes into an ads-platform CSV (:mod:`reports.platforms` sends ads only).  It
goes to two other readers, and ``ai_answers.csv`` is shaped for both:

- the engine's feedback channel (Google's "Feedback" on an AI Overview, Bing's and DuckDuckGo's answer
  feedback): the query, country, language, device and time, the answer's text and state, the number it
  gives, the brand's official numbers, and the crop and screenshot of the answer;
- the hosts of the poisoned pages: for each cited source, its URL and site, whether it carries the number,
  and the evidence of the visit (the page or PDF as served, its screenshot, with sha256).

One row per (finding, cited source): a host filters on ``source_carries_number = yes`` and its own site; the
engine reads the answer columns, the same on every row of a finding.  A finding whose answer cites nothing
has one row with the source columns empty.  Every cell is neutralised against formulas (:mod:`reports.cells`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from audits.answer_trace import CARRIES, PRODUCTS, headline
from reports.cells import phone_as_shown, phone_number, phone_tel, write_csv
from reports.context import ReportContext, finding_key, official_for, sort_key

AI_KINDS = frozenset({"ai_answer"})
STATE_WORDS = {"complete": "shown whole", "collapsed": "collapsed (part of it unseen)",
               "expanded": "expanded from 'Show more'", "unfinished": "still being written when the wait ran out",
               "declined": "declined by the engine"}  # fmt: skip
SOURCE_EVIDENCE = {"html_path": "html_sha256", "screenshot_path": "screenshot_sha256"}

AI_ANSWER_COLUMNS: tuple[str, ...] = (
    "report_id", "answer_product", "search_engine", "search_query", "country", "language", "device",
    "seen_at_utc", "first_seen_utc", "nights_seen", "answer_state", "answer_text", "phone_number", "phone_tel",
    "phone_as_shown", "number_type", "brand", "brand_official_numbers", "brand_official_source", "verdict",
    "reason", "where_found", "answer_crop_file", "answer_crop_sha256", "screenshot_file", "screenshot_sha256",
    "page_html_file", "page_html_sha256", "source_url", "source_site", "source_title", "source_is_pdf",
    "source_carries_number", "source_not_read_why", "source_final_url", "source_visited_at_utc",
    "source_evidence_file", "source_evidence_sha256", "source_screenshot_file", "source_screenshot_sha256",
    "campaign",
)  # fmt: skip


def is_ai_finding(f: Mapping[str, Any]) -> bool:
    return f.get("kind") in AI_KINDS or f.get("rule") == "ai_answer_number"


def answer_views(rows: Iterable[Mapping[str, Any]], ctx: ReportContext, relocate: Any) -> list[dict[str, Any]]:
    """The night's AI-answer findings, each with ``checks`` (its cited sources, their evidence copied into the
    report folder by ``relocate``, the bundle's :meth:`EvidenceCopier.relocate`) and ``headline``."""
    out = []
    for f in sorted((r for r in rows if is_ai_finding(r)), key=sort_key):
        fid = finding_key(f)
        checks = [_relocated(c, relocate) for c in ctx.answer_sources.get(fid, ())]
        numbers, official_sources = official_for(ctx, str(f.get("brand") or ""))
        state = f.get("answer_state") or ctx.answer_states.get(fid, "")
        out.append({**f, "id": fid, "checks": checks, "answer_state": state, "headline": headline(f, checks),
                    "product": PRODUCTS.get(str(f.get("engine") or ""), "AI answer"),
                    "officials": [phone_number(n, ctx.region) for n in numbers], "official_sources": official_sources,
                    "carrying": [c for c in checks if c["carries"] == CARRIES]})
    return out


def _relocated(check: Mapping[str, Any], relocate: Any) -> dict[str, Any]:
    moved = relocate({k: check.get(k) for k in (*SOURCE_EVIDENCE, *SOURCE_EVIDENCE.values())})
    out = dict(check)
    for path_key, sha_key in SOURCE_EVIDENCE.items():
        out[path_key], out[sha_key] = moved.get(path_key) or "", moved.get(sha_key) or ""
    out["html_safe_path"], out["html_safe_sha256"] = moved.get("html_safe_path") or "", \
        moved.get("html_safe_sha256") or ""
    return out


def answer_rows(view: Mapping[str, Any], ctx: ReportContext) -> list[list[Any]]:
    numbers, sources = official_for(ctx, str(view.get("brand") or ""))
    base = {
        "report_id": view["id"], "answer_product": view["product"], "search_engine": view.get("engine"),
        "search_query": view.get("query"), "country": ctx.region, "language": ctx.language,
        "device": view.get("device"), "seen_at_utc": view.get("captured_at"),
        "first_seen_utc": view.get("first_seen") or view.get("captured_at"),
        "nights_seen": view.get("nights_seen") or 1,
        "answer_state": view.get("answer_state") or "", "answer_text": view.get("text"),
        "phone_number": phone_number(view.get("e164"), ctx.region), "phone_tel": phone_tel(view.get("e164")),
        "phone_as_shown": phone_as_shown(view.get("raw"), view.get("e164"), ctx.region),
        "number_type": view.get("number_type"), "brand": view.get("brand"),
        "brand_official_numbers": " / ".join(phone_number(n, ctx.region) for n in numbers) or "none published",
        "brand_official_source": " ".join(sources), "verdict": view.get("verdict"), "reason": view.get("reason"),
        "where_found": view["headline"], "answer_crop_file": view.get("evidence_path"),
        "answer_crop_sha256": view.get("evidence_sha256"), "screenshot_file": view.get("screenshot_path"),
        "screenshot_sha256": view.get("screenshot_sha256"), "page_html_file": view.get("html_path"),
        "page_html_sha256": view.get("html_sha256"), "campaign": view.get("campaign"),
    }  # fmt: skip
    rows = []
    for c in view["checks"] or [None]:
        source = {} if c is None else {
            "source_url": c["url"], "source_site": c.get("domain"), "source_title": c.get("title"),
            "source_is_pdf": "yes" if c.get("pdf") else "no", "source_carries_number": c["carries"],
            "source_not_read_why": c.get("why") if c["carries"] != CARRIES else "",
            "source_final_url": c.get("final_url"), "source_visited_at_utc": c.get("captured_at"),
            "source_evidence_file": c.get("html_path"), "source_evidence_sha256": c.get("html_sha256"),
            "source_screenshot_file": c.get("screenshot_path"), "source_screenshot_sha256": c.get("screenshot_sha256"),
        }  # fmt: skip
        values = {**base, **source}
        rows.append([values.get(col, "") for col in AI_ANSWER_COLUMNS])
    return rows


def write_ai_answers_csv(views: Sequence[Mapping[str, Any]], path: Path, ctx: ReportContext) -> Path:
    """``ai_answers.csv``: one row per (AI-answer finding, cited source); header only on a night without one."""
    return write_csv(path, AI_ANSWER_COLUMNS, (row for v in views for row in answer_rows(v, ctx)))


def evidence_files(views: Iterable[Mapping[str, Any]]) -> list[str]:
    """The (relative) evidence files ``ai_answers.csv`` names, each once."""
    seen: dict[str, None] = {}
    for v in views:
        for key in ("evidence_path", "screenshot_path", "html_path"):
            if v.get(key):
                seen.setdefault(str(v[key]))
        for c in v["checks"]:
            for key in SOURCE_EVIDENCE:
                if c.get(key):
                    seen.setdefault(str(c[key]))
    return list(seen)
