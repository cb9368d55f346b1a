"""The night in a few plain sentences: for the log, the mail body and the top of report.html.

One set of counts (:func:`night_counts`) feeds every output, so the page, the mail and the
spreadsheet never disagree about how many cases there were (one per ad, result or AI answer).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reports.context import VERDICT_ORDER, ReportContext

if TYPE_CHECKING:
    from reports.tally import NightTally

LIFECYCLE = ("new", "recurring", "reopened", "gone")
PLATFORM_LABELS = {"google_ads": "Google Ads", "microsoft_advertising": "Microsoft Advertising"}


@dataclass(frozen=True)
class NightCounts:
    run_id: str
    command: str
    status: str
    started_at: str
    finished_at: str
    brands: int
    captures: int
    audited: int
    not_audited: int
    not_audited_why: tuple[tuple[str, int], ...]
    findings: int
    by_verdict: tuple[tuple[str, int], ...]
    by_status: tuple[tuple[str, int], ...]
    to_platforms: tuple[tuple[str, int], ...]
    gone: int = 0  # findings of earlier nights gone as of this night


def plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def night_counts(
    findings: Iterable[Mapping[str, Any]] | NightTally,
    *,
    run: Mapping[str, Any] | None,
    blocked: Iterable[Mapping[str, Any]],
    context: ReportContext,
    sent: Mapping[str, list[str]],
) -> NightCounts:
    """``findings``: the night's (one pass, nothing kept but counts: it may be streamed from the store), or its
    :class:`reports.tally.NightTally` counted while another output read it."""
    from reports.tally import NightTally  # reports.tally imports reports.answers, which needs nothing of this

    blocked_rows = list(blocked)
    tally = findings if isinstance(findings, NightTally) else NightTally.of(findings)
    verdicts, statuses, seen_brands = tally.verdicts, tally.statuses, tally.brands
    run = run or {}
    summary = dict(run.get("summary") or {})
    by_capture_status = summary.get("captures") if isinstance(summary.get("captures"), dict) else {}
    captures = sum(int(v) for v in by_capture_status.values()) if by_capture_status else len(blocked_rows)
    not_audited = len(blocked_rows)
    why = Counter(str(c.get("status") or "unknown") for c in blocked_rows)
    brands = len(context.brands) or len(seen_brands | {c.get("brand") for c in blocked_rows})
    return NightCounts(
        run_id=str(run.get("id") or ""), command=str(run.get("command") or ""),
        status=str(run.get("status") or ""), started_at=str(run.get("started_at") or ""),
        finished_at=str(run.get("finished_at") or ""), brands=brands, captures=max(captures, not_audited),
        audited=max(captures - not_audited, 0), not_audited=not_audited, not_audited_why=tuple(sorted(why.items())),
        findings=sum(verdicts.values()), by_verdict=tuple((v, verdicts[v]) for v in VERDICT_ORDER if verdicts[v]),
        by_status=tuple((s, statuses[s]) for s in LIFECYCLE if statuses[s]),
        to_platforms=tuple((PLATFORM_LABELS.get(p, p), len(ids)) for p, ids in sent.items()),
        gone=context.gone_tonight,
    )  # fmt: skip


def night_sentences(c: NightCounts) -> list[str]:
    """The night in words, one sentence per line."""
    lines = []
    when = c.started_at.replace("T", " ")[:16]
    head = f"Run {c.run_id}" if c.run_id else "Report"
    lines.append(f"{head}{f' ({c.command})' if c.command else ''}{f' started {when} UTC' if when else ''}"
                 f"{f', {c.status}' if c.status else ''}.")  # fmt: skip
    audited = f"{c.audited} audited"
    if c.not_audited:
        why = ", ".join(f"{n} {s}" for s, n in c.not_audited_why)
        audited += f", {c.not_audited} NOT audited ({why})"
    lines.append(f"{plural(c.brands, 'brand')} searched, {plural(c.captures, 'result page')}: {audited}.")
    if c.findings:
        verdicts = ", ".join(f"{n} {v}" for v, n in c.by_verdict)
        statuses = ", ".join(f"{n} {s}" for s, n in c.by_status)
        lines.append(f"{plural(c.findings, 'case')} ({verdicts}){f'; {statuses}' if statuses else ''}.")
    else:
        lines.append("No cases." if not c.not_audited else "No cases in the pages that were audited.")
    if c.gone:
        lines.append(f"{plural(c.gone, 'case')} of earlier nights {'is' if c.gone == 1 else 'are'} gone:"
                     " not seen on the last audited nights.")
    if c.to_platforms:
        lines.append("To report: " + ", ".join(f"{name} {plural(n, 'ad')}" for name, n in c.to_platforms) + ".")
    return lines


def subject(c: NightCounts) -> str:
    """A mail subject that says what matters before it is opened."""
    date = c.started_at[:10]
    parts = [plural(c.findings, "case")]
    if c.not_audited:
        parts.append(f"{c.not_audited} not audited")
    return f"serpaudit {date}: {', '.join(parts)}".strip()
