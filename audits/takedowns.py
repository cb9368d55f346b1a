"""Takedown times of reported findings, per platform, for the reports.

A reported finding is *taken down* on the first audited night it is absent (``audits.lifecycle``);
``takedown_days`` counts from the report date.  One still live ``followup_days`` after its report is
due for a second report.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from statistics import median
from typing import Any

from audits.store import Store


def _today() -> str:
    return datetime.now(UTC).date().isoformat()


def followup_due(f: dict[str, Any], followup_days: int, as_of: str | None = None) -> bool:
    """Reported, still live, and reported at least ``followup_days`` days ago."""
    if f.get("state") != "reported" or f.get("taken_down_at") or not f.get("reported_at"):
        return False
    age = (date.fromisoformat((as_of or _today())[:10]) - date.fromisoformat(f["reported_at"][:10])).days
    return age >= followup_days


def takedown_stats(store: Store, followup_days: int = 7, as_of: str | None = None) -> list[dict[str, Any]]:
    """Per platform: reported, taken down, still live, median and worst days to takedown, follow-ups due.

    ``worst_days`` also counts findings still live: their age so far, when that exceeds every takedown.
    """
    as_of = as_of or store.latest_night() or _today()
    out: dict[str, dict[str, Any]] = {}
    for f in store.reported_findings():
        p = out.setdefault(f["reported_platform"] or "", {"platform": f["reported_platform"] or "", "reported": 0,
                                                          "taken_down": 0, "still_live": 0, "days": [],
                                                          "live_days": [], "followup_due": 0})  # fmt: skip
        p["reported"] += 1
        if f.get("taken_down_at"):
            p["taken_down"] += 1
            p["days"].append(int(f.get("takedown_days") or 0))
        else:
            p["still_live"] += 1
            p["live_days"].append((date.fromisoformat(as_of[:10]) - date.fromisoformat(f["reported_at"][:10])).days)
            p["followup_due"] += followup_due(f, followup_days, as_of)
    rows = []
    for p in sorted(out.values(), key=lambda r: r["platform"]):
        days, live = p.pop("days"), p.pop("live_days")
        p["median_days"] = median(days) if days else None
        p["worst_days"] = max([*days, *live]) if days or live else None
        rows.append(p)
    return rows
