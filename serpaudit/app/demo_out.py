"""The demo's out folder: each demo starts on a fresh store, and nothing but an earlier demo is ever replaced.

The demo replays the world's nights from night 1, so it cannot share a database with an earlier demo: the
world's triage would dismiss a finding that is already dismissed. Its database, evidence and reports in the
out folder are replaced when, and only when, that database holds nothing but demo runs. A database with any
other run (someone's real nights), a file that is no serpaudit database, or evidence or reports without a
database are refused, and nothing is removed.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from audits.store_runs import run_commands
from serpaudit.app.errors import InputError
from serpaudit.settings import Settings

log = logging.getLogger(__name__)

DEMO_COMMAND = "demo"


def _database_files(database: Path) -> list[Path]:
    return [database, *(database.with_name(database.name + s) for s in ("-wal", "-shm", "-journal"))]


def _holds_files(folder: Path) -> bool:
    return folder.is_dir() and any(folder.iterdir())


def clear_previous_demo(settings: Settings) -> bool:
    """Remove an earlier demo's database, evidence and reports; True when there was one to remove.

    Call it under the database's run lock (the lock file itself is kept). Raises :class:`InputError`
    (exit 2), having removed nothing, when the out folder holds anything but an earlier demo.
    """
    database = settings.database
    folders = [settings.evidence_dir, settings.reports_dir]
    if not database.exists():
        taken = [f for f in folders if _holds_files(f)]
        if taken:
            raise InputError(f"{taken[0]} holds files but there is no demo database ({database}) beside it; "
                             "the demo replaces only an earlier demo's output: choose another --out")
        return False
    commands = run_commands(database)
    if commands is None:
        raise InputError(f"{database} is not an earlier demo's database (no demo run in it); "
                         "the demo replaces only its own output: choose another --out")
    others = {c: n for c, n in commands.items() if c != DEMO_COMMAND}
    if others:
        runs = ", ".join(f"{n} {c}" for c, n in sorted(others.items()))
        raise InputError(f"{database} holds runs that are not demo runs ({runs}); the demo replaces only "
                         "an earlier demo's output: choose another --out")
    for path in _database_files(database):
        path.unlink(missing_ok=True)
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)
    log.info("replaced the previous demo's database, evidence and reports in %s", database.parent)
    return True
