"""Sweeps: which sweep (run) audited a finding's searches, on which day and at which hour, and whether it saw it.

Several sweeps a day catch the ads that run only at some hours.  ``finding_sweeps`` holds one row per finding
and sweep that audited one of its search jobs: the sweep's day and hour (its start, UTC) and ``seen``.  From
it the finding carries ``sweeps_audited`` (the sweeps that looked) and ``hours_seen`` (the hours of day of the
sweeps that saw it, a JSON list); ``times_seen`` and ``nights_seen`` stay the sweeps and days that saw it
("seen on 5 days, in 9 of 15 sweeps").  Rows are keyed by (finding, run): applying a sweep again changes
nothing.  The counts are kept as the rows are written (:mod:`audits.store_counts`), not counted over the
history.
"""

from __future__ import annotations

from collections.abc import Iterable

from audits.ids import stable_id
from audits.schema_steps import sweep_hour
from audits.store_counts import sweep_row_written
from audits.store_db import Repository

__all__ = ["SweepRecords", "sweep_hour"]

CHUNK = 500  # ids per query: SQLite allows 999 variables in older builds


class SweepRecords(Repository):
    def record_sweep(self, fid: str, run_id: str, day: str, hour: int | None, seen: bool) -> None:
        """Keep the sweep, and the case's ``sweeps_audited`` and ``hours_seen`` (:mod:`audits.store_counts`)."""
        row_id = stable_id(fid, run_id)
        old = self.sql.one("select seen, hour from finding_sweeps where id = ?", [row_id])
        self.sql.put("finding_sweeps", {"id": row_id, "finding_id": fid, "run_id": run_id, "day": day, "hour": hour,
                                        "seen": int(seen)})
        sweep_row_written(self.sql, fid, old, hour, seen)

    def seen_on_day(self, fid: str, day: str) -> bool:
        """Whether any sweep of ``day`` saw the finding (one day is one day, however many sweeps it had)."""
        return bool(self.sql.one("select 1 from finding_runs where finding_id = ? and night = ? limit 1", [fid, day]))

    def absence(self, fids: Iterable[str], night: str) -> dict[str, tuple[str, str]]:
        """For many findings at once: finding id -> (the latest day a sweep saw it, the latest day before ``night``
        with a sweep that audited its searches and missed it); "" where there is none.

        One query per 500 ids (SQLite's limit on variables), each answered by index look-ups per finding.
        """
        fids = list(dict.fromkeys(fids))
        out: dict[str, tuple[str, str]] = {}
        for i in range(0, len(fids), CHUNK):
            chunk = fids[i:i + CHUNK]
            marks = ", ".join("(?)" for _ in chunk)
            for r in self.sql.rows(
                    f"with ids(fid) as (values {marks}) select fid,"
                    " (select max(night) from finding_runs where finding_id = fid) as seen,"
                    " (select max(day) from finding_sweeps where finding_id = fid and seen = 0 and day < ?) as missed"
                    " from ids", [*chunk, night]):  # fmt: skip
                out[r["fid"]] = (r["seen"] or "", r["missed"] or "")
        return out
