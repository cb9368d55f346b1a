"""Was the night whole? The reasons a run is ``incomplete`` (exit 3) instead of clean or "findings".

- more than ``max_failed_harvest_share`` of the brand harvests failed (the official numbers are unknown);
- an engine showed zero results for more than ``max_empty_share`` of its queries (a block or a markup
  change looks like that);
- jobs stayed blocked, failed or unreadable (not audited);
- the run itself is not finished (killed, or still running): :func:`unfinished_reason`.
"""

from __future__ import annotations

from collections import Counter
from typing import Any


def unfinished_reason(run: dict[str, Any]) -> list[str]:
    if run.get("status") in ("complete", "incomplete"):
        return []
    return [f"run {run['id']} is not finished (status {run.get('status')}): part of the audit may be missing"]


def incomplete_reasons(captures: list[dict[str, Any]], harvests: dict[str, str],
                       not_audited: list[dict[str, Any]], *, max_failed_harvest_share: float,
                       max_empty_share: float) -> list[str]:
    reasons = []
    if harvests:
        failed = sum(1 for s in harvests.values() if s == "failed")
        if failed and failed / len(harvests) > max_failed_harvest_share:
            reasons.append(f"{failed} of {len(harvests)} brand harvests failed "
                           f"(more than max_failed_harvest_share {max_failed_harvest_share:.0%})")
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
        reasons.append(f"{len(not_audited)} capture(s) not audited ({detail})")
    return reasons
