"""A deleted or replaced database (issue 20, item 8), as the commands meet it: at the start of `run`, `report`
and `findings`, a clear error naming the file (exit 2) and no new empty database in its place; mid-run, a
clear error (exit 3, through serpaudit.night.outcome) and never a traceback, the run's work saved beside it."""

from __future__ import annotations

import os
import sqlite3

import pytest
from typer.testing import CliRunner

from audits.lifecycle import apply_night
from audits.store import Store
from serpaudit.app import stages
from serpaudit.cli import app
from tests.support.cli_runs import refused
from tests.support.findings_world import PREMIUM, Nights, ad

runner = CliRunner()
COMMANDS = [["run"], ["report"], ["findings", "list"], ["findings", "list", "--json"], ["audit"]]


@pytest.fixture()
def night(workdir):
    """One audited night with a scam finding in ./serpaudit.db, named by ./serpaudit.toml."""
    db = workdir / "serpaudit.db"
    (workdir / "serpaudit.toml").write_text(f'[serpaudit]\ndatabase = "{db.name}"\n')
    store = Store(db)
    run, _ = Nights(store).night({("KPN", "google", "desktop"): [ad(PREMIUM)]})
    store.finish_run(run, "complete", {}, "2024-05-01T03:00:00Z")
    store.close()
    return db


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_deleted_database_is_a_clear_error_and_never_comes_back_empty(night, args):
    night.unlink()
    refused(args, night.name, "no database there (deleted or moved?)", "serpaudit init")
    assert not night.exists()  # `findings list` printing "(none)" over a new empty file would read as clean


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_database_replaced_by_another_programs_is_refused_and_left_as_it_is(night, args):
    night.unlink()
    conn = sqlite3.connect(night)
    conn.execute("create table contacts (name text, phone text)")
    conn.commit()
    conn.close()
    before = night.read_bytes()
    refused(args, night.name, "not serpaudit's", "contacts")
    assert night.read_bytes() == before


def test_a_database_replaced_by_garbage_is_refused_naming_it(night):
    night.write_bytes(b"\x00garbage" * 64)
    refused(["findings", "list"], "serpaudit.db", "not an SQLite database")


def test_init_creates_the_database_the_others_need(workdir):
    (workdir / "serpaudit.toml").write_text('[serpaudit]\ndatabase = "serpaudit.db"\n')
    refused(["findings", "list"], "serpaudit.db", "serpaudit init")
    assert runner.invoke(app, ["init", "--no-defaults"]).exit_code == 0
    listed = runner.invoke(app, ["findings", "list"])
    assert listed.exit_code == 0 and "(none)" in listed.stdout


@pytest.mark.parametrize("swap", ["deleted", "another serpaudit store"])
def test_a_database_lost_mid_command_exits_3_with_a_clear_error_and_its_work_saved(night, monkeypatch, swap):
    run_id = Store(night).latest_finished_run_id()

    def lose_it_then_apply(store, run, **kw):
        if swap == "deleted":
            night.unlink()
        else:
            other = night.with_name("backup.db")
            Store(other).close()
            os.replace(other, night)
        return apply_night(store, run, **kw)

    monkeypatch.setattr(stages, "apply_night", lose_it_then_apply)
    result = runner.invoke(app, ["audit", "--run", run_id])
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output and "unexpected error" not in result.output
    assert f"error: {night.name}: the database was {'deleted' if swap == 'deleted' else 'replaced by another file'} " \
           "while serpaudit was using it" in result.stderr
    lost = list(night.parent.glob("serpaudit.db.lost-*"))
    assert len(lost) == 1 and lost[0].name in result.stderr
    kept = Store(lost[0])
    assert kept.run(run_id)["status"] == "complete" and PREMIUM in {f["e164"] for f in kept.query_findings()}
