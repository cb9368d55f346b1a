"""`with store.transaction():` groups a caller's writes: all of them are stored, or none."""

from __future__ import annotations

from pathlib import Path

import pytest

from audits.brands import Brand
from audits.store import Store

KPN = Brand("KPN", ("kpn.com",))
T = "2026-01-01T02:00:00+00:00"


def test_writes_in_a_failed_transaction_are_all_undone(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite")
    store.upsert_brands([KPN])
    run = store.start_run("run", T)
    with pytest.raises(RuntimeError), store.transaction():
        store.record_harvest(run, "KPN", "ok", "1 number", T)
        store.set_run_summary(run, {"findings": 3})
        store.mark_night_applied(run, T[:10], T, T)
        raise RuntimeError("killed half-way")
    assert store.harvest_status(run, "KPN") is None
    assert store.run(run)["summary"] == {} and store.latest_night() is None


def test_a_nested_block_joins_the_outer_one(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite")
    store.upsert_brands([KPN])
    run = store.start_run("run", T)
    with pytest.raises(RuntimeError), store.transaction():
        store.create_campaign("c1", T)
        store.create_campaign("c2", T)
        store.merge_campaign("c2", "c1")  # a transaction of its own inside the caller's
        raise RuntimeError("the rest of the night failed")
    assert store.campaign_root("c2") == "c2"  # the merge went with the rest
    with store.transaction():
        store.record_harvest(run, "KPN", "ok", "1 number", T)
    assert Store(tmp_path / "db.sqlite").harvest_status(run, "KPN") == "ok"  # committed: another reader sees it


def test_a_write_outside_a_transaction_commits_on_its_own(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite")
    run = store.start_run("run", T)
    assert Store(tmp_path / "db.sqlite").run(run)["status"] == "running"
