"""Runs: one row per command that ran (``runs``), and the nights whose lifecycle was applied (``nights``).

A run is *finished* when its status is ``complete`` or ``incomplete``.  A run still ``running`` either
runs right now (another process holds the lock) or was killed; the next ``run`` resumes it.  ``audit``
and ``report`` without ``--run`` never pick one that is not finished.  A run's ``summary`` is JSON text
(it opens in Datasette as is); callers get a dict.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from audits.ids import stable_id
from audits.store_db import Repository

FINISHED = ("complete", "incomplete")
SEARCHING_COMMANDS = ("crawl", "run", "demo")


def _decoded(row: dict[str, Any]) -> dict[str, Any]:
    row["summary"] = json.loads(row["summary"] or "{}")
    return row


class RunRecords(Repository):
    def start_run(self, command: str, started_at: str) -> str:
        run_id = stable_id(command, started_at, uuid.uuid4().hex)
        self.sql.put("runs", {"id": run_id, "command": command, "status": "running", "started_at": started_at,
                              "finished_at": None, "summary": "{}"})  # fmt: skip
        return run_id

    def finish_run(self, run_id: str, status: str, summary: Mapping[str, Any], finished_at: str) -> None:
        self.run(run_id)  # KeyError when unknown
        self.sql.put("runs", {"id": run_id, "status": status, "finished_at": finished_at,
                              "summary": json.dumps(dict(summary), sort_keys=True, default=str)})  # fmt: skip

    def run(self, run_id: str) -> dict[str, Any]:
        row = self.sql.get("runs", run_id)
        if row is None:
            raise KeyError(f"no run {run_id!r}")
        return _decoded(row)

    def runs(self, command: str | None = None) -> list[dict[str, Any]]:
        """Every run (of ``command``), oldest first."""
        where, params = ("where command = ?", [command]) if command is not None else ("", [])
        return [_decoded(r) for r in self.sql.rows(f"select * from runs {where} order by started_at, rowid", params)]

    def set_run_summary(self, run_id: str, summary: dict[str, Any]) -> None:
        self.sql.put("runs", {"id": run_id, "summary": json.dumps(summary, sort_keys=True, default=str)})

    def reopen_run(self, run_id: str) -> None:
        self.sql.put("runs", {"id": run_id, "status": "running", "finished_at": None})

    # -- which run -----------------------------------------------------------------------------
    def latest_run_id(self, command: str | None = None) -> str | None:
        # Runs started in the same second are told apart by insertion order (rowid); ids are random.
        where, params = ("where command = ?", [command]) if command is not None else ("", [])
        row = self.sql.one(f"select id from runs {where} order by started_at desc, rowid desc limit 1", params)
        return row["id"] if row else None

    def latest_audit_run_id(self) -> str | None:
        """The newest run that searched (crawl, run or demo): the one audit and report work on."""
        marks = ", ".join("?" for _ in SEARCHING_COMMANDS)
        row = self.sql.one(f"select id from runs where command in ({marks})"
                           " order by started_at desc, rowid desc limit 1", SEARCHING_COMMANDS)  # fmt: skip
        return row["id"] if row else None

    def latest_finished_run_id(self, commands: tuple[str, ...] = SEARCHING_COMMANDS) -> str | None:
        """The newest finished run that searched: the one ``audit`` and ``report`` take by default."""
        marks = ", ".join("?" for _ in commands)
        row = self.sql.one(f"select id from runs where command in ({marks}) and status in ('complete', 'incomplete')"
                           " order by started_at desc, rowid desc limit 1", commands)  # fmt: skip
        return row["id"] if row else None

    def unfinished_runs(self, commands: tuple[str, ...] = SEARCHING_COMMANDS) -> list[dict[str, Any]]:
        """Runs still marked ``running``, newest first."""
        marks = ", ".join("?" for _ in commands)
        return [_decoded(r) for r in self.sql.rows(
            f"select * from runs where command in ({marks}) and status = 'running'"
            " order by started_at desc, rowid desc", commands)]  # fmt: skip

    def resumable_run(self, command: str, scope: dict[str, Any]) -> str | None:
        """The newest unfinished run of ``command`` over the same ``scope`` (brands, stages), if any."""
        for r in self.unfinished_runs((command,)):
            if r["summary"].get("scope") == scope:
                return str(r["id"])
        return None

    def runs_started_before(self, iso: str) -> list[str]:
        """Finished runs older than ``iso``: the ones evidence retention may prune."""
        return [r["id"] for r in self.sql.rows("select id from runs where started_at < ? and status != 'running'",
                                               [iso])]

    # -- nights: the runs whose findings' lifecycle was applied -----------------------------------
    def run_night(self, run_id: str) -> tuple[str, str]:
        """(night YYYY-MM-DD, started_at) of a run."""
        started = self.run(run_id)["started_at"] or ""
        return started[:10], started

    def newer_night_applied(self, started_at: str, run_id: str) -> bool:
        return bool(self.sql.one("select 1 from nights where started_at > ? and run_id != ? limit 1",
                                 [started_at, run_id]))

    def mark_night_applied(self, run_id: str, night: str, started_at: str, at: str) -> None:
        self.sql.put("nights", {"run_id": run_id, "night": night, "started_at": started_at, "applied_at": at})

    def latest_night(self) -> str | None:
        row = self.sql.one("select night from nights order by started_at desc limit 1")
        return row["night"] if row else None

    # -- the file ----------------------------------------------------------------------------------
    def journal_mode(self) -> str:
        return self.sql.pragma("journal_mode").lower()

    def integrity_check(self) -> str:
        return self.sql.pragma("integrity_check")


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
