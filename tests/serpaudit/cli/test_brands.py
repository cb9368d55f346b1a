"""Brands from the command line (issue 21): init without defaults or with the sandbox world's brands,
`brands remove`, `brands import --replace`, and names that match in any case everywhere, with "did you mean"."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from audits.store import Store
from sandbox import DEFAULT_WORLD_PATH, load_world
from serpaudit.cli import app
from tests.support.cli_runs import refused

runner = CliRunner()


def _ok(args):
    result = runner.invoke(app, args)
    assert result.exit_code == 0, (args, result.exit_code, result.output)
    return result


def _names() -> list[str]:
    return [b["name"] for b in json.loads(_ok(["brands", "list", "--json"]).stdout)]


def _import(workdir, text, *extra):
    (workdir / "brands.csv").write_text(text, encoding="utf-8")
    return _ok(["brands", "import", "brands.csv", *extra])


def test_init_no_defaults_starts_with_no_brands(workdir):
    assert "no brands loaded" in _ok(["init", "--no-defaults"]).stdout
    assert _names() == []
    _import(workdir, "name;domains\nTelnova;telnova.nl\n")  # a Dutch Excel file is read as it is
    assert _names() == ["Telnova"]


def test_init_with_a_sandbox_world_loads_the_worlds_brands_not_the_dutch_ones(workdir):
    (workdir / "serpaudit.toml").write_text(f'sandbox_world = "{DEFAULT_WORLD_PATH}"\n', encoding="utf-8")
    _ok(["init"])
    world = {b["name"] for b in load_world(DEFAULT_WORLD_PATH).brands}
    assert set(_names()) == world and "KPN" not in world


def test_brands_remove_takes_names_in_any_case_and_removes_their_official_numbers(workdir):
    _ok(["init"])
    _ok(["official", "add", "kpn", "0800 0402", "--reason", "printed on the bill"])
    done = _ok(["brands", "remove", "kpn", "ZIGGO"])
    assert done.stdout.splitlines() == ["removed brand KPN", "removed brand Ziggo"]
    assert "KPN" not in _names() and "Ziggo" not in _names()
    assert Store("serpaudit-data/serpaudit.db").official_rows("KPN") == []


def test_brands_remove_of_a_typo_names_the_brand_meant_and_removes_nothing(workdir):
    _ok(["init"])
    before = _names()
    refused(["brands", "remove", "Ziggo", "Vodafne"], "unknown brand 'Vodafne'", "did you mean 'Vodafone'?")
    assert _names() == before


def test_a_brand_with_a_history_of_nights_is_not_removed(workdir):
    _ok(["init"])
    store = Store("serpaudit-data/serpaudit.db")
    run = store.start_run("run", "2026-01-01T02:30:00+00:00")
    store.db["captures"].insert({"id": "c1", "run_id": run, "brand": "KPN", "engine": "google", "query": "kpn",
                                 "device": "desktop", "status": "ok"})
    refused(["brands", "remove", "Ziggo", "KPN"], "KPN (1 capture, 0 findings)", "nothing was changed")
    assert {"KPN", "Ziggo"} <= set(_names())
    (workdir / "brands.csv").write_text("name,domains\nTelnova,telnova.nl\n", encoding="utf-8")
    refused(["brands", "import", "brands.csv", "--replace"], "--replace would remove", "KPN (1 capture,")
    assert "Telnova" not in _names() and "Ziggo" in _names()


def test_brands_import_replace_leaves_exactly_the_files_brands(workdir):
    _ok(["init"])
    done = _import(workdir, "name,domains\nTelnova,telnova.nl\nKPN,kpn.com\n", "--replace")
    assert "removed" in done.stdout and "Ziggo" in done.stdout
    assert _names() == ["KPN", "Telnova"]


def test_brand_options_match_in_any_case_and_a_typo_is_exit_2_with_the_closest_brand(workdir):
    _ok(["init", "--no-defaults"])
    _import(workdir, "name,domains\nTelnova,telnova.nl\nBankiva,bankiva.nl\n")
    assert "Telnova: 020 123 4567 added" in _ok(["official", "add", "telnova", "020 123 4567",
                                                   "--reason", "on the website"]).stdout
    listed = json.loads(_ok(["official", "list", "--brand", "TELNOVA", "--json"]).stdout)
    assert [(r["brand"], r["e164"], r["manual"]) for r in listed] == [("Telnova", "+31201234567", True)]
    assert _ok(["findings", "list", "--brand", "telnova"]).stdout.strip() == "(none)"
    for args in (["findings", "list", "--brand", "Telnva"], ["official", "add", "Telnva", "020 123 4567",
                                                            "--reason", "x"],
                 ["run", "--brand", "Telnva"], ["crawl", "--brand", "Telnva"], ["harvest", "-b", "telnva"]):
        refused(args, "unknown brand", "did you mean 'Telnova'?")
