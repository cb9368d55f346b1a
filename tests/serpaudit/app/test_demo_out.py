"""The demo's out folder: an earlier demo is replaced, anything else is refused and kept (serpaudit.app.demo_out)."""

from __future__ import annotations

from pathlib import Path

import pytest

from audits.store import Store
from serpaudit.app.demo_out import clear_previous_demo
from serpaudit.app.errors import InputError
from serpaudit.settings import Settings


def _settings(out: Path) -> Settings:
    return Settings(database=out / "serpaudit.db", evidence_dir=out / "evidence", reports_dir=out / "reports")


def _fill(out: Path, *commands: str) -> Settings:
    settings = _settings(out)
    store = Store(settings.database)
    for i, command in enumerate(commands):
        store.start_run(command, f"2026-01-0{i + 1}T02:00:00+00:00")
    store.db.close()
    for folder in (settings.evidence_dir, settings.reports_dir):
        (folder / "night").mkdir(parents=True)
        (folder / "night" / "page.html").write_text("<p>kept?</p>", encoding="utf-8")
    return settings


def _untouched(settings: Settings) -> bool:
    return (settings.database.exists() and (settings.evidence_dir / "night" / "page.html").exists()
            and (settings.reports_dir / "night" / "page.html").exists())


def test_an_earlier_demo_is_replaced_by_a_fresh_store(tmp_path):
    settings = _fill(tmp_path, "demo", "demo", "demo")
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    assert clear_previous_demo(settings) is True
    assert not settings.database.exists() and not settings.evidence_dir.exists()
    assert not settings.reports_dir.exists()
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"  # only the demo's own output goes


def test_an_empty_out_folder_has_nothing_to_replace(tmp_path):
    assert clear_previous_demo(_settings(tmp_path)) is False


@pytest.mark.parametrize("commands", [("run",), ("demo", "crawl", "harvest")])
def test_a_database_with_real_runs_is_refused_and_kept(tmp_path, commands):
    settings = _fill(tmp_path, *commands)
    with pytest.raises(InputError, match=r"serpaudit\.db holds runs that are not demo runs .*choose another --out"):
        clear_previous_demo(settings)
    assert _untouched(settings)
    assert len(list(Store(settings.database).db["runs"].rows)) == len(commands)


def test_a_database_without_runs_but_with_brands_is_refused(tmp_path):
    from audits.brands import Brand

    settings = _fill(tmp_path)
    Store(settings.database).upsert_brands([Brand(name="Acme", domains=("acme.nl",))])
    with pytest.raises(InputError, match="not an earlier demo's database"):
        clear_previous_demo(settings)
    assert _untouched(settings)


def test_a_file_that_is_no_database_is_refused(tmp_path):
    settings = _settings(tmp_path)
    settings.database.write_text("my thesis, chapter 1\n" * 100, encoding="utf-8")
    with pytest.raises(InputError, match="not an earlier demo's database"):
        clear_previous_demo(settings)
    assert settings.database.read_text(encoding="utf-8").startswith("my thesis")


def test_evidence_without_a_database_is_refused(tmp_path):
    settings = _fill(tmp_path, "demo")
    settings.database.unlink()
    with pytest.raises(InputError, match="evidence holds files but there is no demo database"):
        clear_previous_demo(settings)
    assert (settings.evidence_dir / "night" / "page.html").exists()
