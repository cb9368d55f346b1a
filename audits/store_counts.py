"""A case's counters over its history (table ``finding_counts``, schema 7), kept up to date on every write.

One row per case: ``times_seen`` (its ``finding_runs`` rows: the sweeps that saw it), ``nights_seen`` (their
distinct nights), ``sweeps_audited`` (its ``finding_sweeps`` rows) and ``hours_seen`` (the UTC hours of the
sweeps that saw it, a sorted JSON list).  A night used to count them over a case's whole history, every row of
a year for a case seen all year; now each write of a history row moves them by what it changed, found by
primary-key and index look-ups that do not grow with the history:

* a ``finding_runs`` row counts once, when the insert creates it (an upsert of the same run's row again
  changes nothing), and its night once, when it is the case's first row of that night; a run's rows deleted
  (the run audited again) are taken off the same way;
* a ``finding_sweeps`` row counts once, when it is created; its hour joins ``hours_seen`` when it saw the
  case, and leaves when the last sweep at that hour that saw it is rewritten as not seen.

:meth:`CountRecords.recount_finding_stats` rebuilds the table from the history (a repair; the migration to
schema 7 fills it the same way: :func:`audits.schema_steps.finding_counts_from_history`).
"""

from __future__ import annotations

import json
from typing import Any

from audits.schema_steps import finding_counts_from_history
from audits.store_db import Repository, StoreDB

ZERO: dict[str, Any] = {"times_seen": 0, "nights_seen": 0, "sweeps_audited": 0, "hours_seen": []}


def _add(sql: StoreDB, fid: str, times: int = 0, nights: int = 0, sweeps: int = 0) -> None:
    sql.execute("insert into finding_counts (finding_id, times_seen, nights_seen, sweeps_audited, hours_seen)"
                " values (?, ?, ?, ?, '[]') on conflict(finding_id) do update set"
                " times_seen = times_seen + excluded.times_seen, nights_seen = nights_seen + excluded.nights_seen,"
                " sweeps_audited = sweeps_audited + excluded.sweeps_audited",
                [fid, times, nights, sweeps])  # fmt: skip


def run_row_written(sql: StoreDB, fid: str, row_id: str, night: str) -> None:
    """Before the ``finding_runs`` row ``row_id`` of ``fid`` is upserted: count it if it is new."""
    if sql.one("select 1 from finding_runs where id = ?", [row_id]):
        return
    new_night = not sql.one("select 1 from finding_runs where finding_id = ? and night = ? limit 1", [fid, night])
    _add(sql, fid, times=1, nights=int(new_night))


def run_rows_deleted(sql: StoreDB, rows: list[dict[str, Any]]) -> None:
    """After the ``finding_runs`` rows ``rows`` (finding_id, night) were deleted: take them off the counts."""
    per: dict[tuple[str, str], int] = {}
    for r in rows:
        key = (r["finding_id"], r["night"])
        per[key] = per.get(key, 0) + 1
    for (fid, night), n in per.items():
        gone = not sql.one("select 1 from finding_runs where finding_id = ? and night = ? limit 1", [fid, night])
        _add(sql, fid, times=-n, nights=-int(gone))


def sweep_row_written(sql: StoreDB, fid: str, old: dict[str, Any] | None, hour: int | None, seen: bool) -> None:
    """After a ``finding_sweeps`` row of ``fid`` was upserted (``old``: the row before, None when it is new)."""
    if old is None:
        _add(sql, fid, sweeps=1)
    dropped = old["hour"] if old and old["seen"] and old["hour"] is not None else None
    added = hour if seen and hour is not None else None
    if dropped == added:
        return
    row = sql.one("select hours_seen from finding_counts where finding_id = ?", [fid])
    hours = set(json.loads((row or {}).get("hours_seen") or "[]"))
    if dropped is not None and not sql.one(
            "select 1 from finding_sweeps where finding_id = ? and seen = 1 and hour = ? limit 1", [fid, dropped]):
        hours.discard(dropped)  # the last sweep at that hour that saw it: rare (a sweep applied again, not seen)
    if added is not None:
        hours.add(added)
    sql.execute("update finding_counts set hours_seen = ? where finding_id = ?", [json.dumps(sorted(hours)), fid])


class CountRecords(Repository):
    def finding_counts(self, fid: str) -> dict[str, Any]:
        """``times_seen``, ``nights_seen``, ``sweeps_audited`` and ``hours_seen`` (sorted UTC hours) of a case."""
        row = self.sql.one("select times_seen, nights_seen, sweeps_audited, hours_seen from finding_counts"
                           " where finding_id = ?", [fid])  # fmt: skip
        if row is None:
            return {**ZERO, "hours_seen": []}
        return {**row, "hours_seen": json.loads(row["hours_seen"] or "[]")}

    def recount_finding_stats(self) -> int:
        """Rebuild ``finding_counts`` from ``finding_runs`` and ``finding_sweeps`` (a repair); returns the cases."""
        with self.sql.transaction():
            return finding_counts_from_history(self.sql.db.conn)
