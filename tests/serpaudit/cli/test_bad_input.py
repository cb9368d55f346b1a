"""Every bad input from the issue-13 attack: exit 2, a message naming the file, line or key and the
value, and nothing wrong stored."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from sandbox import DEFAULT_WORLD_PATH
from serpaudit.cli import app

runner = CliRunner()


def _fails(args, *parts):
    result = runner.invoke(app, args)
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    for part in parts:
        assert part in result.stderr, (part, result.stderr)
    return result


# -- settings --------------------------------------------------------------------------------------

DEEP = "x = " + "[" * 2_000 + "]" * 2_000 + "\n"


@pytest.mark.parametrize("body, parts", [
    (b"serpaudit = 5\n", ["serpaudit.toml", "serpaudit: must be a table", "5"]),
    (b'[serpaudit]\nregion = "NL"\nnote = "caf\xe9"\n', ["serpaudit.toml:3", "not UTF-8", "0xe9"]),
    (DEEP.encode(), ["serpaudit.toml", "nested too deeply"]),
    (b'[serpaudit]\ndatabase = ["a", "b"]\n', ["serpaudit.toml", "database", "['a', 'b']"]),
    (b'[serpaudit]\nquery_templates = ["{brand} {x}"]\n', ["query_templates", "'{brand} {x}'", "{x}"]),
    (b'[serpaudit]\nregion = "nl"\n', ["region", "'nl'", "'NL'"]),
    (b'[serpaudit]\nregion = "QQ"\n', ["region", "'QQ'"]),
    (b"[serpaudit]\nretries = -1\n", ["retries", "-1"]),
], ids=["top-level-5", "non-utf8", "nested", "database-list", "placeholder", "lowercase-region", "unknown-region",
        "negative-retries"])
def test_bad_settings_exit_2_and_store_nothing(workdir, body, parts):
    (workdir / "serpaudit.toml").write_bytes(body)
    _fails(["brands", "list"], *parts)
    assert sorted(p.name for p in workdir.iterdir()) == ["serpaudit.toml"]  # no database, no "['a', 'b']" file


def test_a_database_that_is_a_folder_or_not_sqlite_is_refused(workdir):
    (workdir / "db").mkdir()
    (workdir / "serpaudit.toml").write_text('[serpaudit]\ndatabase = "db"\n')
    _fails(["brands", "list"], "serpaudit.toml", "database", "is a folder")
    (workdir / "notes.txt").write_text("my notes, not a database\n")
    (workdir / "serpaudit.toml").write_text('[serpaudit]\ndatabase = "notes.txt"\n')
    _fails(["brands", "list"], "database", "notes.txt", "not an SQLite database")
    assert (workdir / "notes.txt").read_text() == "my notes, not a database\n"  # untouched


# -- world files -----------------------------------------------------------------------------------

def _world_with(old: str, new: str) -> bytes:
    text = DEFAULT_WORLD_PATH.read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, 1).encode("utf-8")


@pytest.mark.parametrize("make, parts", [
    (lambda: _world_with('name = "default"', 'name = "d\xe9faut"').replace("é".encode(), b"\xe9"),
     ["world.toml:", "not UTF-8", "0xe9"]),
    (lambda: DEEP.encode(), ["world.toml", "nested too deeply"]),
    (lambda: _world_with('landing_url = "https://www.telnova-support.nl/"', 'landing_url = "https://[zz/"'),
     ["world.toml", "serps[0].ads[0].landing_url", "'https://[zz/'"]),
    (lambda: _world_with('landing_url = "https://www.telnova-support.nl/"',
                         'landing_url = "https://www.telnova-support.nl:99999/"'),
     ["world.toml", "landing_url", "99999"]),
    (lambda: _world_with('query_templates = ["{brand} klantenservice"]', 'query_templates = ["{brand} {x}"]'),
     ["world.toml", "crawl.query_templates[0]", "{x}"]),
], ids=["non-utf8", "nested", "bad-url", "port", "placeholder"])
def test_bad_world_files_exit_2(workdir, make, parts):
    (workdir / "world.toml").write_bytes(make())
    _fails(["demo", "--world", "world.toml", "--out", "out"], *parts)
    assert not (workdir / "out").exists()


# -- brand CSVs ------------------------------------------------------------------------------------

def _stored_names() -> set[str]:
    return {b["name"] for b in json.loads(runner.invoke(app, ["brands", "list", "--json"]).stdout)}


@pytest.mark.parametrize("body, parts", [
    (b"name,domains,contact_pages\nX,x.nl,http://[x.nl/\n", ["brands.csv:2", "contact_pages", "'http://[x.nl/'"]),
    (b"name,domains\nTel\x00nova,telnova.nl\n", ["brands.csv:2", "name", "'Tel\\x00nova'"]),
    (b"name,domains\nTelnova,telnova.nl\nTELNOVA,telnova.com\n", ["brands.csv:3", "name", "'TELNOVA'", "case"]),
    (b"name;domains;phone_support\nTelnova;telnova nl;ja\n", ["brands.csv:2", "domains", "'telnova nl'"]),
], ids=["bad-url", "nul", "case", "semicolons-bad-domain"])
def test_bad_brand_csvs_exit_2_and_store_nothing(workdir, body, parts):
    runner.invoke(app, ["init"])
    before = _stored_names()
    (workdir / "brands.csv").write_bytes(body)
    _fails(["brands", "import", "brands.csv"], *parts)
    assert _stored_names() == before


def test_a_brand_differing_only_in_case_from_a_stored_one_is_refused(workdir):
    runner.invoke(app, ["init"])
    assert "KPN" in _stored_names()
    (workdir / "brands.csv").write_text("name,domains\nNieuw,nieuw.nl\nkpn,kpn.com\n")
    _fails(["brands", "import", "brands.csv"], "brands.csv:3", "'kpn'", "'KPN'", "case")
    assert "Nieuw" not in _stored_names() and "kpn" not in _stored_names()


# -- parse -----------------------------------------------------------------------------------------

def test_parse_with_a_bad_url_or_region_exits_2(workdir):
    page = workdir / "page.html"
    page.write_text("<html><body><p>Bel 020 123 4567</p></body></html>")
    _fails(["parse", "serp", "--engine", "google", "--url", "http://[::1", str(page)], "--url", "'http://[::1'")
    _fails(["parse", "serp", "--engine", "google", "--region", "XY", str(page)], "--region", "'XY'")
    _fails(["parse", "contact", "--region", "nl", str(page)], "--region", "'nl'", "'NL'")
