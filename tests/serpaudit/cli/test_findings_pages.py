"""`findings list` over many findings (issue 20, item 11): the table shows a screenful and says how many more,
--limit/--offset page through them, and --json writes every one, one at a time off the store's cursor."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import audits.store_findings
from audits.store import Store
from serpaudit.app import findings as use_cases
from serpaudit.cli import app
from tests.support.findings_world import Nights, ad

runner = CliRunner()
N = 30


@pytest.fixture()
def many(workdir, monkeypatch):
    """N open cases (N ads with their own number and domain) in ./serpaudit.db; a terminal of 20 lines."""
    store = Store(workdir / "serpaudit.db")
    Nights(store).night({("KPN", "google", "desktop"): [
        ad(f"+3190012345{i:02d}", domain=f"scam{i:02d}.com", rank=i + 1) for i in range(N)]})
    store.close()
    (workdir / "serpaudit.toml").write_text('[serpaudit]\ndatabase = "serpaudit.db"\n')
    monkeypatch.setenv("LINES", "20")
    monkeypatch.setenv("COLUMNS", "250")
    return workdir


def _table(*args):
    result = runner.invoke(app, ["findings", "list", *args])
    assert result.exit_code == 0, result.output
    rows = [line.split()[0] for line in result.stdout.splitlines()[1:] if line.strip()]
    return rows, result.stderr


def _json(*args):
    result = runner.invoke(app, ["findings", "list", "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_table_shows_a_screenful_and_says_how_many_more(many):
    every = [r["id"] for r in _json()]
    assert len(every) == N
    first, note = _table()
    assert first == every[:16]  # 20 lines: the heading, 16 rows, the note and the prompt
    assert "rows 1-16 of 30; 14 more: --offset 16 for the next, --limit 0 for all" in note
    rest, note = _table("--offset", "16")
    assert rest == every[16:] and note == ""  # the last page says nothing more
    everything, note = _table("--limit", "0")
    assert everything == every and note == ""
    middle, note = _table("--limit", "5", "--offset", "10")
    assert middle == every[10:15] and "rows 11-15 of 30; 15 more: --offset 15" in note


def test_json_pages_only_when_asked_and_stays_one_json_list(many):
    every = _json()
    assert [r["id"] for r in _json("--limit", "4", "--offset", "3")] == [r["id"] for r in every[3:7]]
    assert _json("--brand", "ING") == []
    assert _json("--offset", str(N)) == []


def test_the_json_listing_reads_one_finding_at_a_time(many, monkeypatch):
    decoded = []
    real = audits.store_findings.decode

    def counting(row):
        decoded.append(row["id"])
        return real(row)

    monkeypatch.setattr(audits.store_findings, "decode", counting)
    rows = use_cases.findings_stream(many / "serpaudit.toml")
    assert decoded == []  # nothing read before it is asked for
    first = next(rows)
    assert decoded == [first["id"]]  # one row off the cursor, not the whole table
    assert len([first, *rows]) == N


@pytest.mark.parametrize("args, part", [(["--limit", "-1"], "--limit: -1"), (["--offset", "-5"], "--offset: -5")])
def test_a_negative_page_is_a_clear_error(many, args, part):
    result = runner.invoke(app, ["findings", "list", *args])
    assert result.exit_code == 2 and part in result.stderr
