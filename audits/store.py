"""The audit trail: one SQLite database; all of serpaudit's SQL is in the store's modules.

Plain tables with declared foreign keys and ISO-8601 UTC text timestamps, so the file opens in
Datasette as is (every table, index and migration: :mod:`audits.schema`).  Row ids are stable: the
first 16 hex digits of the sha1 of the row's key fields (:mod:`audits.ids`), and writes are upserts,
so re-running a stage replaces its rows instead of duplicating them.

:class:`Store` is the one object callers hold.  It combines one repository per aggregate, each in its
module and each working on the same :class:`audits.store_db.StoreDB`:

=====================  ====================================================================
runs                   :mod:`audits.store_runs`: runs, which run is finished, the nights applied
officials              :mod:`audits.store_officials`: brands, official numbers, harvests
captures               :mod:`audits.store_captures`: pages (result pages, landing pages), results, sightings
findings               :mod:`audits.store_findings`: findings across nights, their sightings, triage
sweeps                 :mod:`audits.store_sweeps`: the sweeps that audited a finding's searches, their hours
counts                 :mod:`audits.store_counts`: a finding's counters over its history, kept on each write
campaigns              :mod:`audits.store_campaigns`: findings joined by what they share
deliveries             :mod:`audits.store_deliveries`: what was mailed to which platform
outbox                 :mod:`audits.store_outbox`: platform submissions, and every mail until it went through
report                 :mod:`audits.store_report`: a night's findings streamed in the report's order
=====================  ====================================================================

Writes that belong together go in ``with store.transaction():``; outside one, each write commits on
its own.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from audits.store_campaigns import CampaignRecords
from audits.store_captures import CaptureRecords
from audits.store_counts import CountRecords
from audits.store_db import StoreDB
from audits.store_deliveries import DeliveryRecords
from audits.store_findings import FindingRecords
from audits.store_officials import OfficialRecords
from audits.store_outbox import OutboxRecords
from audits.store_report import ReportRecords
from audits.store_runs import RunRecords
from audits.store_sweeps import SweepRecords


class Store(RunRecords, OfficialRecords, CaptureRecords, FindingRecords, SweepRecords, CountRecords,
            CampaignRecords, DeliveryRecords, OutboxRecords, ReportRecords):
    """``Store(path_or_db)``: a file path (parent dirs created), ``":memory:"`` or a sqlite-utils Database.

    Opening migrates an older file in place; one written by a newer serpaudit raises
    :class:`audits.schema.SchemaError` naming the file.
    """

    def __init__(self, path_or_db: str | Path | sqlite_utils.Database) -> None:
        super().__init__(StoreDB(path_or_db))

    @property
    def db(self) -> sqlite_utils.Database:
        """The sqlite-utils Database underneath, for Datasette-style inspection (tests); write through the store."""
        return self.sql.db

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """The writes inside commit together or not at all (nested blocks join the outer one)."""
        with self.sql.transaction():
            yield

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """The reads inside see one state of the database (a report read in several passes over minutes, while
        analysts triage at the desk); writing inside is an error."""
        with self.sql.snapshot():
            yield

    def close(self) -> None:
        self.sql.close()

    def backup(self, path: Path) -> None:
        """A consistent copy of the whole database at ``path`` (SQLite's online backup; no writer is held up)."""
        dest = sqlite3.connect(path)
        try:
            self.sql.db.conn.backup(dest)
        finally:
            dest.close()

    def checkpoint(self) -> None:
        """Fold the WAL into the database file (before it is copied)."""
        self.sql.pragma("wal_checkpoint(TRUNCATE)")

    def skip_fsync(self) -> None:
        """No fsync per commit: only for scratch databases (benchmarks), a crash may lose the file."""
        self.sql.execute("PRAGMA synchronous = OFF")
