"""Was the night whole? The reasons a run is ``incomplete`` (exit 3) instead of clean or "findings".

- more than ``max_failed_harvest_share`` of the brand harvests failed (the official numbers are unknown);
- an engine showed zero results for more than ``max_empty_share`` of its queries (a block or a markup
  change looks like that);
- jobs stayed blocked, failed or unreadable (not audited);
- the run itself is not finished (killed, or still running): :func:`unfinished_reason`;
- numbers were left inconclusive (a brand's official set is unknown): :func:`inconclusive_reason`.

serpaudit.night.outcome decides the exit from these reasons and the findings.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from serpaudit.ops.logs import counted


def unfinished_reason(run: dict[str, Any]) -> list[str]:
    if run.get("status") in ("complete", "incomplete"):
        return []
    return [f"run {run['id']} is not finished (status {run.get('status')}): part of the audit may be missing"]


def harvest_reasons(harvests: dict[str, str], *, max_failed_share: float) -> list[str]:
    """More than ``max_failed_share`` of the brand harvests failed (0: any), so official numbers are unknown."""
    failed = sorted(brand for brand, status in harvests.items() if status == "failed")
    if not failed or len(failed) / len(harvests) <= max_failed_share:
        return []
    if not max_failed_share:
        shown = ", ".join(failed[:5]) + (", ..." if len(failed) > 5 else "")
        return [f"{len(failed)} of {len(harvests)} brand harvests failed ({shown}): their official numbers are unknown"]
    return [f"{len(failed)} of {len(harvests)} brand harvests failed "
            f"(more than max_failed_harvest_share {max_failed_share:.0%})"]


def inconclusive_reason(inconclusive: list[dict[str, Any]]) -> list[str]:
    """Numbers left inconclusive (a brand's official set is unknown) and not dismissed: they were not judged."""
    if not inconclusive:
        return []
    brands = ", ".join(sorted({f["brand"] for f in inconclusive}))
    return [f"{counted(len(inconclusive), 'number')} left inconclusive, official set unknown ({brands})"]


def incomplete_reasons(captures: list[dict[str, Any]], harvests: dict[str, str],
                       not_audited: list[dict[str, Any]], *, max_failed_harvest_share: float,
                       max_empty_share: float) -> list[str]:
    reasons = harvest_reasons(harvests, max_failed_share=max_failed_harvest_share)
    serps = [c for c in captures if c.get("kind") == "serp"]
    queries: Counter[str] = Counter()
    empty: Counter[str] = Counter()
    for c in serps:
        queries[c["engine"]] += 1
        if c["status"] in ("ok", "empty") and not c.get("result_count"):
            empty[c["engine"]] += 1
    for engine in sorted(queries):
        if empty[engine] and empty[engine] / queries[engine] > max_empty_share:
            reasons.append(f"{engine} showed zero results for {empty[engine]} of its {queries[engine]} queries "
                           f"(more than max_empty_share {max_empty_share:.0%}): a block or a markup change?")
    if not_audited:
        by_status = Counter(c["status"] for c in not_audited)
        detail = ", ".join(f"{n} {s}" for s, n in sorted(by_status.items()))
        reasons.append(f"{counted(len(not_audited), 'capture')} not audited ({detail})")
    return reasons
