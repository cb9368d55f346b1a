"""The audit store's schema: every table, index and migration, and the schema version.

The column names are the store's public data model (they show up in Datasette and in the dicts the
store returns).  Every table has a declared primary key and foreign keys, and timestamps are ISO-8601
UTC text, so the file opens in Datasette as is.

Versions (``PRAGMA user_version``):

* 0: the databases written before the schema had a version (all of them until December 2026);
  landing visits were captures whose ``device`` read ``landing:<device>:<slot>``;
* 1: a capture says what it is in ``captures.kind`` (``serp`` for a result page, ``landing`` for a
  landing page) and a landing visit links the result that led to it (``via_result_id``); ``device``
  is always the job's plain device (desktop, mobile).  A capture of kind ``source`` (a page an AI answer
  cites) came later in the same version: it is new data in the same columns, nothing to migrate;
* 2: a row of ``findings`` is a *case* (:mod:`audits.cases`): one ad, organic result or AI answer with
  every number it showed (``numbers``), every rule that fired (``rules``) and each reason with its verdict
  and severity (``reasons``), keyed (brand, channel, case kind, subject) instead of (brand, rule, number,
  domain); ``finding_aliases`` maps the old ids to their case (:mod:`audits.schema_cases` says what a
  case keeps of the findings folded into it);
* 3: several sweeps a day (:mod:`audits.store_sweeps`): ``finding_sweeps`` holds each sweep that audited a
  finding's searches (day, UTC hour, seen or not), the finding its ``sweeps_audited`` and ``hours_seen``;
  older files get a row for each run that saw a finding (the sweeps that looked and did not see it were not
  kept before);
* 4: platform submissions (``submissions``: the bundles built for a platform, by whom, with which
  ads) and the ``outbox`` (every mail to send, kept and retried until it goes through);
  ``report_deliveries`` say which submission and which mail delivered them (``submission_id``,
  ``outbox_id``; ``run_id`` is the night whose own mail did, empty for a submission);
* 5: a case's night keeps the ``box`` of the result its evidence is (where it stood on the page), so the
  reports can hand over the full screenshot with that ad outlined;
* 6: an index on ``finding_sweeps`` (finding, seen, day, hour) that answers a case's sweep figures by itself:
  each night asked them of every sweep row of every case it saw or missed, a year of rows for a long case;
* 7: ``finding_counts`` (:mod:`audits.store_counts`): a case's ``times_seen``, ``nights_seen``,
  ``sweeps_audited`` and ``hours_seen``, kept up to date on each write of its history instead of counted over
  the whole history every night; filled from the history of older files.

:func:`migrate` brings any older database to :data:`SCHEMA_VERSION` in one transaction: first every
table and column of :data:`TABLES` that is missing is added (a column added later starts NULL in old
rows), then each step of :data:`MIGRATIONS` newer than the file's version changes the data.  A change
to the tables bumps :data:`SCHEMA_VERSION` and adds its step (a step may have nothing to do but be
counted), so a file says which code it was written for.  A file newer than the code is refused.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field

from audits.schema_cases import fold_findings_into_cases
from audits.schema_steps import (
    counters_from_history,
    evidence_box,
    landing_kinds,
    nothing_to_change,
    sweeps_from_runs,
)

S, N = str, int
HARVEST_STATUSES = ("ok", "failed", "empty")
# serp: a result page; landing: the page a result led to; source: a page an AI answer cites, visited to see
# whether it carries the answer's number (serpaudit.night.sources)
CAPTURE_KINDS = ("serp", "landing", "source")

# Per-night columns of a finding: kept per run in finding_runs; the latest night's copy is on the finding.
RUN_COLUMNS = (
    "verdict", "reason", "severity", "engine", "kind", "platform", "query", "device", "placement", "rank",
    "raw", "title", "display_url", "landing_url", "click_url", "domain", "text", "captured_at",
    "html_path", "html_sha256", "screenshot_path", "screenshot_sha256", "evidence_path", "evidence_sha256",
    "reasons", "box",
)  # fmt: skip
# JSON lists of text, merged over every night a case was seen (a case holds every number it ever showed)
LIST_COLUMNS = ("engines", "devices", "placements", "platforms", "numbers", "rules")
JSON_COLUMNS = ("reasons",)  # a JSON list of {rule, e164, raw, number_type, verdict, severity, reason}
FINDING_COLUMNS = {
    "id": S, "brand": S, "e164": S, "engine": S, "kind": S, "domain": S, "number_type": S, "raw": S,
    "verdict": S, "reason": S, "severity": S, "platform": S, "query": S, "device": S, "placement": S,
    "rank": N, "title": S, "display_url": S, "landing_url": S, "click_url": S, "text": S,
    "captured_at": S, "html_path": S, "html_sha256": S, "screenshot_path": S, "screenshot_sha256": S,
    "evidence_path": S, "evidence_sha256": S,
    "first_seen": S, "last_seen": S, "first_run_id": S, "last_run_id": S,
    # across nights: identity, lifecycle, triage, campaign, takedown
    "rule": S, "advertiser_domain": S, "status": S, "state": S, "times_seen": N, "nights_seen": N,
    "engines": S, "devices": S, "placements": S, "platforms": S, "absent_nights": N,
    "last_absent_night": S, "status_run_id": S,
    "gone_at": S, "reopened_at": S, "state_at": S, "state_reason": S, "reported_platform": S,
    "reported_at": S, "report_reference": S, "taken_down_at": S, "takedown_days": N, "campaign": S,
    "fingerprint": S,
    # the case (schema 2): what it is, who removes it, and everything found against it (audits.cases)
    "case_kind": S, "channel": S, "numbers": S, "rules": S, "reasons": S,
    # several sweeps a day (schema 3): the sweeps that audited its searches, the UTC hours of those that saw it
    "sweeps_audited": N, "hours_seen": S,
    "box": S,  # schema 5: where the evidence result stood on its page (JSON [x, y, w, h], CSS px)
}  # fmt: skip


@dataclass(frozen=True)
class Table:
    columns: dict[str, type]
    fks: tuple[tuple[str, str, str], ...] = ()  # (column, other table, other column)
    pk: str = "id"
    indexes: tuple[tuple[str, ...], ...] = field(default=())  # each one index over these columns


TABLES: dict[str, Table] = {
    # -- officials: brands, their official numbers, the harvests that read them ---------------------
    "brands": Table({"name": S, "domains": S, "contact_pages": S, "phone_support": N, "queries": S,
                     "category": S, "note": S}, pk="name"),
    "runs": Table({"id": S, "command": S, "status": S, "started_at": S, "finished_at": S, "summary": S}),
    "harvests": Table({"id": S, "run_id": S, "brand": S, "status": S, "detail": S, "at": S},
                      (("run_id", "runs", "id"), ("brand", "brands", "name")), indexes=(("run_id",),)),
    "official_numbers": Table(
        {"id": S, "brand": S, "e164": S, "raw": S, "number_type": S, "channel": S, "source_url": S,
         "found_by": S, "first_seen": S, "last_seen": S, "published": N, "manual": N, "removed": N,
         "reason": S, "removed_at": S, "run_id": S, "unpublished_run_id": S},
        (("brand", "brands", "name"), ("run_id", "runs", "id"), ("unpublished_run_id", "runs", "id")),
        indexes=(("brand",),)),
    # -- captures: the pages a run read, their results and the numbers in them ----------------------
    "captures": Table(
        {"id": S, "run_id": S, "brand": S, "engine": S, "query": S, "device": S, "locale": S,
         "captured_at": S, "status": S, "page_status": S, "final_url": S, "user_agent": S,
         "html_path": S, "html_sha256": S, "screenshot_path": S, "screenshot_sha256": S, "error": S,
         "result_count": N,
         # landing visits: HTTP status of the page shown, redirect chain and refused navigations (JSON
         # lists of URLs), and notes (page read in part, screenshot clipped)
         "http_status": N, "redirect_chain": S, "refused": S, "notes": S,
         # what the page is (CAPTURE_KINDS), and for a visit the result that led to it
         "kind": S, "via_result_id": S},
        (("run_id", "runs", "id"), ("brand", "brands", "name"), ("via_result_id", "results", "id")),
        indexes=(("run_id",), ("via_result_id",))),
    "results": Table(
        {"id": S, "capture_id": S, "kind": S, "placement": S, "rank": N, "title": S, "display_url": S,
         "landing_url": S, "click_url": S, "domain": S, "text": S, "box": S, "above_fold": N,
         "evidence_path": S, "evidence_sha256": S, "advertiser_domain": S, "advertiser_domain_source": S,
         # AI answers (kind "ai_answer"): how far the answer got, and the pages it cites (a JSON list of
         # {url, title, domain})
         "answer_state": S, "sources": S},
        (("capture_id", "captures", "id"),), indexes=(("capture_id",),)),
    "sightings": Table(
        {"id": S, "result_id": S, "capture_id": S, "raw": S, "e164": S, "number_type": S, "channel": S,
         "found_in": S},
        (("result_id", "results", "id"), ("capture_id", "captures", "id")),
        indexes=(("capture_id",), ("result_id",))),
    # -- findings across nights ----------------------------------------------------------------------
    "findings": Table(FINDING_COLUMNS, (("brand", "brands", "name"), ("first_run_id", "runs", "id"),
                                        ("last_run_id", "runs", "id")),
                      indexes=(("brand",), ("campaign",), ("last_run_id",), ("state", "status"))),
    "finding_runs": Table(
        {"id": S, "finding_id": S, "run_id": S, "night": S, **dict.fromkeys(RUN_COLUMNS, S), "rank": N,
         **dict.fromkeys(LIST_COLUMNS, S)},
        (("finding_id", "findings", "id"), ("run_id", "runs", "id")),
        indexes=(("finding_id", "night"), ("run_id",))),
    "finding_sightings": Table(
        {"id": S, "finding_id": S, "run_id": S, "sighting_id": S, "capture_id": S, "result_id": S, "engine": S,
         "device": S, "placement": S, "kind": S, "captured_at": S, "capture_kind": S},
        (("finding_id", "findings", "id"), ("run_id", "runs", "id"), ("capture_id", "captures", "id"),
         ("result_id", "results", "id")),
        indexes=(("finding_id", "run_id"), ("run_id",))),
    # the jobs (brand, engine, query, device) a finding was seen in; active while it is not gone
    "finding_jobs": Table(
        {"id": S, "finding_id": S, "brand": S, "engine": S, "query": S, "device": S, "active": N},
        (("finding_id", "findings", "id"),),
        indexes=(("brand", "engine", "query", "device", "active"), ("finding_id",))),
    # each sweep (run) that audited one of a finding's jobs: its day and UTC hour, and whether it saw it
    "finding_sweeps": Table(
        {"id": S, "finding_id": S, "run_id": S, "day": S, "hour": N, "seen": N},
        (("finding_id", "findings", "id"), ("run_id", "runs", "id")),
        indexes=(("finding_id", "day"), ("run_id",), ("finding_id", "seen", "day", "hour"))),
    # a case's counters over its history, kept on each write of finding_runs and finding_sweeps (schema 7)
    "finding_counts": Table({"finding_id": S, "times_seen": N, "nights_seen": N, "sweeps_audited": N,
                             "hours_seen": S}, (("finding_id", "findings", "id"),), pk="finding_id"),
    "finding_events": Table(
        {"id": N, "finding_id": S, "at": S, "old_state": S, "new_state": S, "reason": S, "user": S,
         "platform": S, "reference": S},
        (("finding_id", "findings", "id"),), indexes=(("finding_id", "at"),)),
    # the findings of schema 1 (one per rule and number) and the case each was folded into
    "finding_aliases": Table({"id": S, "old_id": S, "case_id": S, "rule": S, "e164": S},
                             (("case_id", "findings", "id"),), indexes=(("old_id",), ("case_id",))),
    "allowlist": Table(
        {"id": S, "brand": S, "e164": S, "domain": S, "reason": S, "finding_id": S, "at": S, "user": S},
        (("finding_id", "findings", "id"),), indexes=(("brand", "e164", "domain"),)),
    "nights": Table({"run_id": S, "night": S, "started_at": S, "applied_at": S}, (("run_id", "runs", "id"),),
                    pk="run_id", indexes=(("started_at",),)),
    # -- campaigns: findings joined by a shared number, domain or page -------------------------------
    "campaigns": Table({"id": S, "created_at": S, "merged_into": S}),
    "campaign_keys": Table({"id": S, "kind": S, "value": S, "campaign_id": S},
                           (("campaign_id", "campaigns", "id"),), indexes=(("kind", "value"),)),
    # -- deliveries: which finding went to which platform in which mail ------------------------------
    # a submission: a platform bundle (CSV, evidence, SHA256SUMS, zipped) built from chosen ads
    "submissions": Table(
        {"id": S, "platform": S, "created_at": S, "by": S, "folder": S, "zip_path": S, "zip_sha256": S,
         "finding_ids": S, "run_id": S},
        (("run_id", "runs", "id"),), indexes=(("platform", "created_at"),)),
    # every mail to send (the analysts' night, a platform's submission), until it went through
    "outbox": Table(
        {"id": S, "kind": S, "run_id": S, "submission_id": S, "recipients": S, "subject": S, "body": S,
         "attachments": S, "link": S, "finding_ids": S, "zip_sha256": S, "by": S, "status": S, "attempts": N,
         "last_error": S, "last_attempt_at": S, "created_at": S, "sent_at": S},
        (("run_id", "runs", "id"), ("submission_id", "submissions", "id")), indexes=(("status", "created_at"),)),
    "report_deliveries": Table(
        {"id": S, "finding_id": S, "platform": S, "run_id": S, "sent_at": S, "recipients": S, "zip_sha256": S,
         "submission_id": S, "outbox_id": S},
        (("run_id", "runs", "id"), ("submission_id", "submissions", "id")),
        indexes=(("finding_id",), ("run_id",))),
}  # fmt: skip


class SchemaError(Exception):
    """The database cannot be used by this code (written by a newer serpaudit)."""


def _sql_type(kind: type) -> str:
    return "INTEGER" if kind is int else "TEXT"


def _column_sql(table: Table, col: str) -> str:
    refs = {c: (other, oc) for c, other, oc in table.fks}
    sql = f"[{col}] {_sql_type(table.columns[col])}"
    if col == table.pk:
        sql += " PRIMARY KEY"
    if col in refs:
        sql += f" REFERENCES [{refs[col][0]}]([{refs[col][1]}])"
    return sql


def ensure_tables(conn: sqlite3.Connection) -> None:
    """Create every missing table, column and index of :data:`TABLES` (old rows keep NULL in new columns)."""
    for name, table in TABLES.items():
        have = [r[1] for r in conn.execute(f"PRAGMA table_info([{name}])")]
        if not have:
            conn.execute(f"CREATE TABLE [{name}] ({', '.join(_column_sql(table, c) for c in table.columns)})")
        for col in table.columns:
            if have and col not in have:
                conn.execute(f"ALTER TABLE [{name}] ADD COLUMN {_column_sql(table, col)}")
        for cols in table.indexes:
            conn.execute(f"CREATE INDEX IF NOT EXISTS [{index_name(name, cols)}]"
                         f" ON [{name}] ({', '.join(f'[{c}]' for c in cols)})")


def index_name(table: str, cols: tuple[str, ...]) -> str:
    return f"idx_{table}_{'_'.join(cols)}"


SCHEMA_VERSION = 7
MIGRATIONS: tuple[tuple[int, str, Callable[[sqlite3.Connection], None]], ...] = (
    (1, "captures.kind and via_result_id in place of device 'landing:<device>:<slot>'", landing_kinds),
    (2, "findings (one per rule and number) fold into cases (one per ad, result or answer)",
     fold_findings_into_cases),
    (3, "finding_sweeps, and sweeps_audited and hours_seen on findings (several sweeps a day)", sweeps_from_runs),
    (4, "submissions and the outbox; report_deliveries.submission_id and outbox_id", nothing_to_change),
    (5, "findings keep the box of their evidence result (the ad outlined on the full screenshot)", evidence_box),
    (6, "an index answering a case's sweep figures (finding_sweeps: finding, seen, day, hour)", nothing_to_change),
    (7, "finding_counts: a case's counters kept on each write, filled from the history", counters_from_history),
)


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, name: str) -> int:
    """Bring the database to :data:`SCHEMA_VERSION` in one transaction; returns the version it had.

    Idempotent: a current database is only read.  Two processes opening an old file at once take turns
    (``BEGIN IMMEDIATE``), and the second finds the work done.
    """
    found = schema_version(conn)
    if found > SCHEMA_VERSION:
        raise SchemaError(f"{name}: the database has schema version {found}, newer than this serpaudit's "
                          f"({SCHEMA_VERSION}); upgrade serpaudit to open it")
    if found == SCHEMA_VERSION:
        return found
    conn.execute("BEGIN IMMEDIATE")
    try:
        found = schema_version(conn)  # another process may have migrated it meanwhile
        if found < SCHEMA_VERSION:
            ensure_tables(conn)
            for version, _, step in MIGRATIONS:
                if version > found:
                    step(conn)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return found
