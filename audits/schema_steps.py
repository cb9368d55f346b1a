"""The data steps of :data:`audits.schema.MIGRATIONS`, one function per schema version (moved out of
``audits/schema.py`` unchanged, so the tables and the steps each fit one screen).

Each step gets the connection after :func:`audits.schema.ensure_tables` added what the tables declare, inside
the migration's one transaction, and changes only the data.
"""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import UTC, datetime

from audits.ids import capture_id, result_id, stable_id

_SLOT = re.compile(r"^(?P<placement>.*?)(?P<rank>\d+)$")
# v0 named the findings' indexes by hand; v1 names every index after its table and columns
_V0_INDEXES = ("finding_runs_finding", "finding_sightings_finding", "finding_sightings_run", "finding_jobs_job",
               "finding_jobs_finding", "finding_events_finding", "allowlist_key", "campaign_keys_value",
               "findings_campaign", "findings_last_run", "findings_state", "nights_started", "finding_runs_run")


def landing_kinds(conn: sqlite3.Connection) -> None:
    """v1: ``device = 'landing:<device>:<slot>'`` becomes ``kind = 'landing'``, the device and the result it came from.

    The result is the one at that slot (placement and rank) of the same job's result page; the capture
    keeps its id, so its results, sightings and findings still point at it.
    """
    landings = conn.execute("select id, run_id, brand, engine, query, device from captures"
                            " where device like 'landing:%'").fetchall()  # fmt: skip
    for cid, run_id, brand, engine, query, device in landings:
        _, base, slot = (device.split(":", 2) + [""])[:3]
        row = conn.execute("select placement, rank from results where capture_id = ? limit 1", [cid]).fetchone()
        match = _SLOT.match(slot)
        if row is None and match:
            row = (match["placement"], int(match["rank"]))
        serp = capture_id(run_id, brand, engine, query, base)
        via = result_id(serp, row[0], row[1]) if row else None
        conn.execute("update captures set kind = 'landing', device = ?, via_result_id = ? where id = ?",
                     [base, via, cid])
    conn.execute("update captures set kind = 'serp' where kind is null")
    for table in ("finding_sightings", "findings", "finding_runs", "finding_jobs"):
        if table == "finding_sightings":
            conn.execute("update finding_sightings set capture_kind = case when device like 'landing:%'"
                         " then 'landing' else 'serp' end where capture_kind is null")
        conn.execute(f"update [{table}] set device = substr(device, 9, instr(substr(device, 9), ':') - 1)"
                     " where device like 'landing:%:%'")
    from audits.schema import TABLES, index_name  # the tables as declared now (schema.py imports this module)

    declared = {index_name(t, cols) for t, table in TABLES.items() for cols in table.indexes}
    for name in {f"idx_{n}" for n in _V0_INDEXES} - declared:
        conn.execute(f"drop index if exists [{name}]")


def sweep_hour(started_at: str) -> int | None:
    """The UTC hour of day of a run's start (ISO 8601), the hour its sweep is counted at; None when unreadable."""
    try:
        at = datetime.fromisoformat(started_at.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        return None
    return (at if at.tzinfo is None else at.astimezone(UTC)).hour


def sweeps_from_runs(conn: sqlite3.Connection) -> None:
    """v3: a ``finding_sweeps`` row (seen) for each run that saw a finding (a case, since v2), at the run's
    start; the finding's ``sweeps_audited`` and ``hours_seen`` from them."""
    rows = conn.execute("select fr.finding_id, fr.run_id, fr.night, r.started_at from finding_runs fr"
                        " left join runs r on r.id = fr.run_id").fetchall()  # fmt: skip
    for fid, run_id, night, started in rows:
        conn.execute("insert or ignore into finding_sweeps (id, finding_id, run_id, day, hour, seen)"
                     " values (?, ?, ?, ?, ?, 1)",
                     [stable_id(fid, run_id), fid, run_id, night or (started or "")[:10], sweep_hour(started or "")])
    for (fid,) in conn.execute("select id from findings").fetchall():
        (n,) = conn.execute("select count(*) from finding_sweeps where finding_id = ?", [fid]).fetchone()
        hours = [h for (h,) in conn.execute("select distinct hour from finding_sweeps where finding_id = ?"
                                            " and seen = 1 and hour is not null order by hour", [fid])]
        conn.execute("update findings set sweeps_audited = ?, hours_seen = ? where id = ?",
                     [n, json.dumps(hours), fid])


def nothing_to_change(conn: sqlite3.Connection) -> None:
    """A step whose tables and columns :func:`ensure_tables` adds, and whose old rows stay as they are."""


def evidence_box(conn: sqlite3.Connection) -> None:
    """v5: ``findings.box`` and ``finding_runs.box`` (added empty: a night audited again fills them)."""


def finding_counts_from_history(conn: sqlite3.Connection) -> int:
    """v7 (and :meth:`audits.store_counts.CountRecords.recount_finding_stats`): ``finding_counts`` counted from
    the history, one row per case: its ``finding_runs`` rows and their nights, its ``finding_sweeps`` rows and
    the hours of those that saw it.  Returns how many cases."""
    runs = {fid: (t, n) for fid, t, n in conn.execute(
        "select finding_id, count(*), count(distinct night) from finding_runs group by finding_id")}
    sweeps = dict(conn.execute("select finding_id, count(*) from finding_sweeps group by finding_id").fetchall())
    hours: dict[str, list[int]] = {}
    for fid, hour in conn.execute("select distinct finding_id, hour from finding_sweeps where seen = 1"
                                  " and hour is not null order by finding_id, hour"):  # fmt: skip
        hours.setdefault(fid, []).append(int(hour))
    conn.execute("delete from finding_counts")
    fids = [fid for (fid,) in conn.execute("select id from findings order by id")]
    conn.executemany("insert into finding_counts (finding_id, times_seen, nights_seen, sweeps_audited, hours_seen)"
                     " values (?, ?, ?, ?, ?)",
                     [(fid, *runs.get(fid, (0, 0)), sweeps.get(fid, 0), json.dumps(hours.get(fid, [])))
                      for fid in fids])  # fmt: skip
    return len(fids)


def counters_from_history(conn: sqlite3.Connection) -> None:
    """v7: ``finding_counts`` filled from the history of an older file."""
    finding_counts_from_history(conn)
