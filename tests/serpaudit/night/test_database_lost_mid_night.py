"""The database deleted under a night (issue 20, item 8), in Chromium: the night stops at its next write with a
clear error naming the file, writes nothing more anywhere, and what it had stored is saved beside the path;
renamed back, that copy resumes the same run and completes it, no job captured twice."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from audits.store_file import DatabaseFileError
from serpaudit.crawl import evidence
from tests.support.sandbox_runs import default_world_text, run_world, skip_without_chromium

pytestmark = pytest.mark.browser
BRANDS = ["Telnova", "Bankiva"]
ENGINES = ("google", "bing")


def test_a_database_deleted_mid_night_is_saved_beside_it_and_renamed_back_it_resumes(tmp_path, monkeypatch):
    skip_without_chromium()
    db = tmp_path / "db.sqlite"
    real = evidence._write_atomically
    writes = Counter()

    def delete_the_database_after_a_while(path: Path, data: bytes) -> None:
        writes["n"] += 1
        if writes["n"] == 8:  # mid-crawl: the harvest and a few result pages are stored
            os.remove(db)
        real(path, data)

    monkeypatch.setattr(evidence, "_write_atomically", delete_the_database_after_a_while)
    with pytest.raises(DatabaseFileError) as err:
        run_world(tmp_path, default_world_text(), BRANDS, engines=ENGINES)
    assert err.value.while_open and f"{db}: the database was deleted while serpaudit was using it" in str(err.value)
    lost = list(tmp_path.glob("db.sqlite.lost-*"))
    assert len(lost) == 1 and str(lost[0]) in str(err.value)
    assert not db.exists()  # nothing recreated it

    monkeypatch.setattr(evidence, "_write_atomically", real)
    os.replace(lost[0], db)  # as the message says: rename it back
    outcome, store, _ = run_world(tmp_path, default_world_text(), BRANDS, engines=ENGINES)
    runs = store.runs()
    assert len(runs) == 1 and runs[0]["id"] == outcome.run_id and runs[0]["summary"].get("resumed") == 1
    serps = [c for c in store.captures(outcome.run_id) if c["kind"] == "serp"]
    assert len(serps) == len(BRANDS) * len(ENGINES) and all(c["status"] == "ok" for c in serps)
    assert "+319001234567" in {f["e164"] for f in outcome.scams}
