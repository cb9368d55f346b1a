"""`serpaudit run` night after night on one database, and the analyst's findings commands (sandbox web)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from audits.brands import dump_brands_csv
from sandbox import DEFAULT_WORLD_PATH, load_world, world_brands
from serpaudit.cli import app
from tests.support.sandbox_runs import sandbox_cli_env, skip_without_chromium

pytestmark = pytest.mark.browser
runner = CliRunner()
PREMIUM = "+319001234567"  # the 0900 number of Telnova's scam ad in the default world


@pytest.fixture()
def sandboxed(tmp_path, monkeypatch):
    skip_without_chromium()
    sandbox_cli_env(monkeypatch, tmp_path)
    monkeypatch.setenv("SERPAUDIT_VISIT_LANDING_PAGES", "false")
    dump_brands_csv(world_brands(load_world(DEFAULT_WORLD_PATH)), tmp_path / "brands.csv")
    assert runner.invoke(app, ["init"]).exit_code == 0
    assert runner.invoke(app, ["brands", "import", "brands.csv"]).exit_code == 0
    return tmp_path


def listed(*args: str) -> list[dict]:
    result = runner.invoke(app, ["findings", "list", "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_two_runs_one_row_per_finding_seen_twice_then_a_dismissal_holds(sandboxed):
    for _ in range(2):
        assert runner.invoke(app, ["run", "--brand", "Telnova"]).exit_code == 1
    rows = listed()
    assert rows and len({(r["brand"], r["rule"], r["e164"], r["advertiser_domain"]) for r in rows}) == len(rows)
    for r in rows:
        assert {"id", "state", "status", "first_seen", "last_seen", "times_seen", "campaign"} <= set(r)
        # two sweeps of one day: new all day (the case file counts days); recurring had midnight come between
        assert (r["times_seen"], r["status"], r["state"]) == (2, "new" if r["nights_seen"] == 1 else "recurring",
                                                              "open")
        assert r["campaign"]
    scam = next(r for r in rows if r["e164"] == PREMIUM)

    assert runner.invoke(app, ["findings", "dismiss", scam["id"]]).exit_code == 2  # a reason is required
    done = runner.invoke(app, ["findings", "dismiss", scam["id"][:5], "--reason", "test line of the brand"])
    assert done.exit_code == 0, done.output
    assert runner.invoke(app, ["run", "--brand", "Telnova"]).exit_code == 1  # the lookalike findings remain

    open_now = listed("--state", "open")
    assert PREMIUM not in {r["e164"] for r in open_now}
    assert PREMIUM not in {r["e164"] for r in listed()}
    again = next(r for r in listed("--all") if r["id"] == scam["id"])
    assert (again["state"], again["times_seen"]) == ("dismissed", 3)  # still counted

    shown = runner.invoke(app, ["findings", "show", scam["id"], "--json"])
    history = json.loads(shown.stdout)
    assert len(history["nights"]) == 3 and all(n["sightings"] for n in history["nights"])
    assert [(e["old_state"], e["new_state"], e["reason"]) for e in history["events"]] == [
        ("open", "dismissed", "test line of the brand")]
    text = runner.invoke(app, ["findings", "show", scam["id"]]).stdout
    assert "open -> dismissed" in text and "telnova-support.nl" in text


def test_findings_commands_reject_bad_input_with_exit_2(sandboxed):
    assert runner.invoke(app, ["findings", "list", "--state", "closed"]).exit_code == 2
    assert runner.invoke(app, ["findings", "list", "--since", "yesterday"]).exit_code == 2
    assert runner.invoke(app, ["findings", "show", "zzzzzzz"]).exit_code == 2
    assert runner.invoke(app, ["findings", "reported", "zzzzzzz", "--platform", "fax"]).exit_code == 2
    assert runner.invoke(app, ["campaigns", "show", "cnothing"]).exit_code == 2
