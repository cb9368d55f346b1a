"""The stage commands one by one, as an analyst or cron would call them, against the sandbox web."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from audits.brands import dump_brands_csv
from sandbox import DEFAULT_WORLD_PATH, load_world, world_brands
from serpaudit.cli import app
from tests.support.sandbox_runs import sandbox_cli_env, skip_without_chromium

pytestmark = pytest.mark.browser
runner = CliRunner()


@pytest.fixture()
def sandboxed(tmp_path, monkeypatch):
    skip_without_chromium()
    sandbox_cli_env(monkeypatch, tmp_path)
    dump_brands_csv(world_brands(load_world(DEFAULT_WORLD_PATH)), tmp_path / "brands.csv")
    return tmp_path


def test_harvest_crawl_audit_report_one_by_one(sandboxed):
    assert runner.invoke(app, ["init"]).exit_code == 0
    assert runner.invoke(app, ["brands", "import", "brands.csv"]).exit_code == 0

    harvested = runner.invoke(app, ["harvest", "--brand", "Telnova"])
    assert harvested.exit_code == 0, harvested.output
    official = json.loads(runner.invoke(app, ["official", "list", "--brand", "Telnova", "--json"]).stdout)
    assert "+318000234567" in {r["e164"] for r in official}

    crawled = runner.invoke(app, ["crawl", "--brand", "Telnova"])
    assert crawled.exit_code == 0, crawled.output
    assert "captures 1 ok" in crawled.stdout  # in words, not a Python dict

    audited = runner.invoke(app, ["audit", "--json"])
    assert audited.exit_code == 1, audited.output  # findings
    findings = json.loads(audited.stdout)
    # the harvest of the earlier run is used: the official set is known, so these are scams, not inconclusive
    assert {(f["e164"], f["verdict"]) for f in findings} >= {("+319001234567", "scam")}
    assert "inconclusive" not in {f["verdict"] for f in findings}

    reported = runner.invoke(app, ["report"])
    assert reported.exit_code == 0, reported.output
    assert "google_ads.csv" in reported.stdout
    # each run reports into its own folder; a crawl limited with --brand gets reports/<date>_<run id>_brands/
    [printed] = [line for line in reported.stdout.splitlines() if line.endswith("google_ads.csv")]
    assert Path(printed).parent.parent.name == "reports" and Path(printed).parent.name.endswith("_brands")
    google_csv = Path(printed).read_text(encoding="utf-8")
    assert "telnova-support.nl" in google_csv

    listed = runner.invoke(app, ["findings", "list", "--json"])
    assert {f["e164"] for f in json.loads(listed.stdout)} >= {"+319001234567"}


def test_run_for_cron_exits_3_when_the_engine_blocks_and_nothing_else_is_found(sandboxed, caplog):
    runner.invoke(app, ["init"])
    runner.invoke(app, ["brands", "import", "brands.csv"])
    result = runner.invoke(app, ["run", "--brand", "Woonfonds"])
    assert result.exit_code == 3, result.output
    assert "NOT audited: google desktop 'Woonfonds klantenservice' (captcha)" in caplog.text
