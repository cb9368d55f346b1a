"""Human tables (issue 21): they fit the terminal and never cut a word; numbers as dialled, flags as yes/no."""

from __future__ import annotations

import io

import pytest

from serpaudit.cli import common

ROWS = [
    {"id": "zyvbwjs", "rule": "unofficial_number", "brand": "Pakketpost Express", "e164": "+319001234567",
     "manual": True, "reason": "premium-rate number the brand does not publish, shown in a scam ad"},
    {"id": "0w7aa27", "rule": "lookalike_domain", "brand": "Telnova", "e164": None, "manual": False,
     "reason": "'telnova-support' carries the name Telnova (telnova) on a domain that is not the brand's"},
]
COLUMNS = ["id", "rule", "brand", "e164", "manual", "reason"]


def _printed(monkeypatch, width: int | None) -> str:
    out = io.StringIO()
    monkeypatch.setattr(common.typer, "echo", lambda text="", **_: out.write(f"{text}\n"))
    if width is not None:
        monkeypatch.setattr("sys.stdout.isatty", lambda: True, raising=False)
        monkeypatch.setattr("shutil.get_terminal_size", lambda *a, **k: __import__("os").terminal_size((width, 40)))
    common.print_rows(ROWS, False, COLUMNS)
    return out.getvalue()


def _words(text: str) -> set[str]:
    return set(text.split())


@pytest.mark.parametrize("width", [200, 110, 80])
def test_a_table_fits_the_terminal_and_every_word_stays_whole(monkeypatch, width):
    text = _printed(monkeypatch, width)
    assert max(len(line) for line in text.splitlines()) <= width
    for row in ROWS:
        for word in row["reason"].split():
            assert word in _words(text), (width, word)
    assert "0900 1234567" in text and "+319001234567" not in text  # the national format
    assert _words(text) >= {"yes", "no"} and "True" not in text


def test_a_wide_terminal_gives_one_line_per_row(monkeypatch):
    lines = _printed(monkeypatch, 200).splitlines()
    assert len(lines) == 3 and lines[0].split()[:4] == ["id", "rule", "brand", "number"]


def test_a_terminal_too_narrow_for_the_columns_gets_a_block_per_row(monkeypatch):
    text = _printed(monkeypatch, 50)
    assert "brand: Pakketpost Express" in text and "number: 0900 1234567" in text
    assert max(len(line) for line in text.splitlines()) <= 100  # the reason, whole, on its own line


def test_piped_the_table_keeps_one_line_per_row_for_grep(monkeypatch):
    monkeypatch.setattr("sys.stdout.isatty", lambda: False, raising=False)
    lines = _printed(monkeypatch, None).splitlines()
    assert len(lines) == 3 and ROWS[1]["reason"] in lines[2]


def test_json_keeps_e164_and_true_false(capsys):
    common.print_rows(ROWS, True, COLUMNS)
    out = capsys.readouterr().out
    assert '"+319001234567"' in out and "true" in out
