"""Smaller hostile input (issue 20, item 11): brand names that hide what they say, a report date in 2099, and
``findings list --run`` with a run that does not exist: each a clear error naming the field, exit 2."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from audits.triage import TriageError, change_state
from serpaudit.cli import app
from tests.support.findings_world import PREMIUM, Nights, ad

runner = CliRunner()


def _names() -> set[str]:
    return {b["name"] for b in json.loads(runner.invoke(app, ["brands", "list", "--json"]).stdout)}


@pytest.mark.parametrize("name, what", [
    ('"Tel\r\nnova"', "(U+000"), ('"Tel\nnova"', "LF (U+000A)"), ("Tel\u2028nova", "LINE SEPARATOR"),
    ("Tel\u202enova", "RIGHT-TO-LEFT OVERRIDE"), ("Tel\u200bnova", "ZERO WIDTH SPACE"),
    ("Tel\ufeffnova", "ZERO WIDTH NO-BREAK SPACE"), ("Tel\u200dnova", "ZERO WIDTH JOINER"),
], ids=["crlf", "lf", "u2028", "rlo", "zwsp", "bom", "zwj"])
def test_a_brand_name_with_an_invisible_or_reordering_character_is_refused(workdir, name, what):
    runner.invoke(app, ["init"])
    before = _names()
    (workdir / "brands.csv").write_text(f"name,domains\nGewoon,gewoon.nl\n{name},telnova.nl\n", encoding="utf-8")
    result = runner.invoke(app, ["brands", "import", "brands.csv"])
    assert result.exit_code == 2
    assert "brands.csv:" in result.output and "name" in result.output and what in result.output
    assert _names() == before  # nothing stored


def test_a_tab_in_a_brand_name_is_refused(workdir):
    runner.invoke(app, ["init"])
    (workdir / "brands.csv").write_text('name,domains\n"Tel\tnova",telnova.nl\n', encoding="utf-8")
    result = runner.invoke(app, ["brands", "import", "brands.csv"])
    assert result.exit_code == 2 and "TAB (U+0009)" in result.output


def test_findings_list_with_a_run_that_does_not_exist_is_an_error(workdir):
    runner.invoke(app, ["init"])
    result = runner.invoke(app, ["findings", "list", "--run", "no-such-run"])
    assert result.exit_code == 2 and "--run" in result.output and "'no-such-run'" in result.output


def test_a_report_date_in_the_future_is_refused():
    w = Nights()
    w.night({("KPN", "google", "desktop"): [ad(PREMIUM)]})
    fid = w.one(e164=PREMIUM)["id"]
    with pytest.raises(TriageError, match="future"):
        change_state(w.store, fid, "reported", platform="google_ads", on="2099-01-01", by="ana")
    assert w.store.finding(fid)["state"] != "reported"
