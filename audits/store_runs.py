"""SQL about runs as whole nights: WAL, resume, which run is finished, what a run already captured.

A mixin of :class:`audits.store.Store` (it expects ``self.db``, ``self._rows`` and ``self._upsert``).

A run is *finished* when its status is ``complete`` or ``incomplete``. A run still ``running`` either
runs right now (another process holds the lock) or was killed; the next ``run`` resumes it. ``audit``
and ``report`` without ``--run`` never pick one that is not finished.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path
from typing import Any

from audits.ids import capture_id

log = logging.getLogger(__name__)

FINISHED = ("complete", "incomplete")
SEARCHING_COMMANDS = ("crawl", "run", "demo")
# Milliseconds a writer waits for a reader (Datasette, an analyst's query) before "database is locked".
BUSY_TIMEOUT_MS = 60_000


class RunsMixin:
    db: Any

    def _rows(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:  # provided by Store
        raise NotImplementedError

    def _upsert(self, table: str, row: dict[str, Any]) -> None:  # provided by Store
        raise NotImplementedError

    def _tune_file_db(self) -> None:
        """WAL: readers never block the night's writes, and a killed writer leaves a consistent file."""
        self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if self.db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            self.db.execute("PRAGMA journal_mode = wal")

    def journal_mode(self) -> str:
        return str(self.db.execute("PRAGMA journal_mode").fetchone()[0]).lower()

    def integrity_check(self) -> str:
        return str(self.db.execute("PRAGMA integrity_check").fetchone()[0])

    # -- which run -----------------------------------------------------------
    def latest_finished_run_id(self, commands: tuple[str, ...] = SEARCHING_COMMANDS) -> str | None:
        """The newest finished run that searched: the one ``audit`` and ``report`` take by default."""
        marks = ", ".join("?" for _ in commands)
        rows = self._rows(f"select id from runs where command in ({marks}) and status in ('complete', 'incomplete')"
                          " order by started_at desc, rowid desc limit 1", [*commands])  # fmt: skip
        return rows[0]["id"] if rows else None

    def unfinished_runs(self, commands: tuple[str, ...] = SEARCHING_COMMANDS) -> list[dict[str, Any]]:
        """Runs still marked ``running``, newest first."""
        marks = ", ".join("?" for _ in commands)
        rows = self._rows(f"select * from runs where command in ({marks}) and status = 'running'"
                          " order by started_at desc, rowid desc", [*commands])  # fmt: skip
        for r in rows:
            r["summary"] = json.loads(r["summary"] or "{}")
        return rows

    def resumable_run(self, command: str, scope: dict[str, Any]) -> str | None:
        """The newest unfinished run of ``command`` over the same ``scope`` (brands, stages), if any."""
        for r in self.unfinished_runs((command,)):
            if r["summary"].get("scope") == scope:
                return str(r["id"])
        return None

    def set_run_summary(self, run_id: str, summary: dict[str, Any]) -> None:
        self._upsert("runs", {"id": run_id, "summary": json.dumps(summary, sort_keys=True, default=str)})

    def reopen_run(self, run_id: str) -> None:
        self._upsert("runs", {"id": run_id, "status": "running", "finished_at": None})

    # -- what a run already did --------------------------------------------------
    def capture_status(self, run_id: str, brand: str, engine: str, query: str, device: str) -> str | None:
        """The status of the job's result page in the run, if it was captured."""
        rows = self._rows("select status from captures where id = ?",
                          [capture_id(run_id, brand, engine, query, device)])
        return rows[0]["status"] if rows else None

    def captured_jobs(self, run_id: str) -> dict[tuple[str, str, str, str], str]:
        """(brand, engine, query, device) -> status of every result page the run captured."""
        rows = self._rows("select brand, engine, query, device, status from captures where run_id = ?"
                          " and kind = 'serp'", [run_id])
        return {(r["brand"], r["engine"], r["query"], r["device"]): r["status"] for r in rows}

    def harvested_brands(self, run_id: str) -> dict[str, str]:
        return {r["brand"]: r["status"] for r in self._rows("select brand, status from harvests where run_id = ?",
                                                            [run_id])}

    # -- retention -----------------------------------------------------------------
    def runs_started_before(self, iso: str) -> list[str]:
        return [r["id"] for r in self._rows("select id from runs where started_at < ? and status != 'running'",
                                            [iso])]

    def finding_evidence_paths(self) -> set[str]:
        """Evidence files that belong to a finding: never pruned."""
        out: set[str] = set()
        for table in ("findings", "finding_runs"):
            for r in self._rows(f"select html_path, screenshot_path, evidence_path from {table}"):
                out.update(v for v in r.values() if v)
        return out


def run_commands(path: Path) -> dict[str, int] | None:
    """How many runs of each command the database at ``path`` holds, read without changing the file.

    ``{}`` for an SQLite file without a single row in any table (nothing to lose); ``None`` for a file that
    is not a serpaudit database (not SQLite, or tables but no ``runs``) or one with rows but no run.
    """
    try:
        con = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        tables = [r[0] for r in con.execute("select name from sqlite_master where type = 'table'")]
        if not any(con.execute(f"select 1 from [{t}] limit 1").fetchone() for t in tables):
            return {}
        if "runs" not in tables:
            return None
        counts = {str(c): int(n) for c, n in con.execute("select command, count(*) from runs group by command")}
        return counts or None
    except sqlite3.Error:  # not a database, or a damaged one
        return None
    finally:
        con.close()
