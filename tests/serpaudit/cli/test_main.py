"""The CLI: every command has help; bad input gives exit 2 and a message naming the culprit."""

from __future__ import annotations

import json

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from serpaudit.cli import app

runner = CliRunner()


def _command_paths(cmd, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = [prefix]
    if hasattr(cmd, "commands"):
        for name, sub in cmd.commands.items():
            paths += _command_paths(sub, prefix + (name,))
    return paths


ALL_COMMANDS = _command_paths(get_command(app))


def test_the_documented_commands_exist():
    names = {" ".join(p) for p in ALL_COMMANDS}
    for wanted in ["init", "brands import", "brands list", "harvest", "crawl", "audit", "report", "run", "demo",
                   "parse serp", "parse contact", "findings list", "official add", "official remove",
                   "official list", "findings show", "findings confirm", "findings dismiss", "findings reported",
                   "findings resolve", "campaigns list", "campaigns show"]:
        assert wanted in names


@pytest.mark.parametrize("path", ALL_COMMANDS, ids=lambda p: " ".join(p) or "serpaudit")
def test_every_command_has_help(path):
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    # a real description, not just the usage line
    assert len(result.output.split("Usage:")[1].strip().splitlines()) > 2


def test_init_creates_settings_database_and_default_brands(workdir):
    result = runner.invoke(app, ["init"])
    assert result.exit_code == 0, result.output
    assert (workdir / "serpaudit.toml").is_file()
    assert (workdir / "serpaudit-data" / "serpaudit.db").is_file()
    listed = runner.invoke(app, ["brands", "list", "--json"])
    brands = {b["name"]: b for b in json.loads(listed.stdout)}
    assert brands["KPN"]["domains"] == ["kpn.com"]
    assert brands["Microsoft"]["phone_support"] is False


def test_brand_file_error_names_file_line_and_field_and_exits_2(workdir):
    runner.invoke(app, ["init"])
    bad = workdir / "brands.csv"
    bad.write_text("name,domains,phone_support\nTelnova,telnova.nl,yes\nBankiva,bankiva.nl,misschien\n")
    result = runner.invoke(app, ["brands", "import", str(bad)])
    assert result.exit_code == 2
    assert "brands.csv:3" in result.stderr and "phone_support" in result.stderr
    # the brands already stored are untouched
    listed = json.loads(runner.invoke(app, ["brands", "list", "--json"]).stdout)
    assert "Telnova" not in {b["name"] for b in listed} and "KPN" in {b["name"] for b in listed}


def test_bad_settings_file_exits_2_naming_the_field(workdir):
    (workdir / "serpaudit.toml").write_text('[serpaudit]\nengines = ["yahoo"]\n')
    result = runner.invoke(app, ["brands", "list"])
    assert result.exit_code == 2
    assert "engines" in result.stderr and "yahoo" in result.stderr


def test_official_numbers_by_hand(workdir):
    runner.invoke(app, ["init"])
    added = runner.invoke(app, ["official", "add", "KPN", "0800-0402", "--reason", "printed on the bill"])
    assert added.exit_code == 0, added.output
    rows = json.loads(runner.invoke(app, ["official", "list", "--brand", "KPN", "--json"]).stdout)
    assert [r["e164"] for r in rows] == ["+318000402"]
    bad = runner.invoke(app, ["official", "add", "KPN", "12", "--reason", "x"])
    assert bad.exit_code == 2 and "number" in bad.stderr
    unknown = runner.invoke(app, ["official", "add", "Nobody", "0800-0402", "--reason", "x"])
    assert unknown.exit_code == 2 and "Nobody" in unknown.stderr
    removed = runner.invoke(app, ["official", "remove", "KPN", "+31 800 0402", "--reason", "old"])
    assert removed.exit_code == 0, removed.output


def test_parse_serp_rejects_unknown_engine(workdir):
    page = workdir / "p.html"
    page.write_text("<html></html>")
    result = runner.invoke(app, ["parse", "serp", "--engine", "altavista", str(page)])
    assert result.exit_code == 2 and "altavista" in result.stderr


def test_parse_contact_prints_json_and_json_lines(workdir):
    a = workdir / "a.txt"
    a.write_text("Bel ons gratis: 0800 024 12 12 (ma-vr 8:00-20:00)")
    b = workdir / "b.html"
    b.write_text('<p><a href="tel:+31102411723">Bel</a></p>')
    one = json.loads(runner.invoke(app, ["parse", "contact", str(a)]).stdout)
    assert [p["e164"] for p in one["phones"]] == ["+318000241212"]
    lines = runner.invoke(app, ["parse", "contact", str(a), str(b)]).stdout.strip().splitlines()
    objs = [json.loads(line) for line in lines]
    assert [o["file"] for o in objs] == [str(a), str(b)]
    assert objs[1]["phones"][0]["e164"] == "+31102411723"


def test_missing_file_is_an_input_error(workdir):
    result = runner.invoke(app, ["parse", "contact", str(workdir / "nope.html")])
    assert result.exit_code == 2 and "nope.html" in result.stderr


def test_an_unknown_run_id_is_an_input_error(workdir):
    runner.invoke(app, ["init"])
    for command in (["audit", "--run", "bogus"], ["report", "--run", "bogus"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2 and "bogus" in result.stderr


def test_audit_without_any_crawl_is_an_input_error(workdir):
    runner.invoke(app, ["init"])
    result = runner.invoke(app, ["audit"])
    assert result.exit_code == 2 and "no crawl" in result.stderr
