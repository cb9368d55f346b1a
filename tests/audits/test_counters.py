"""A case's counters (``finding_counts``, schema 7) are kept on each write and always equal a recount of its history."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from audits.lifecycle import apply_night
from audits.rules import audit
from audits.store import Store
from tests.support.findings_world import MOBILE, PREMIUM, Nights, ad

G = ("KPN", "google", "desktop")
B = ("ING", "bing", "mobile")


def counts(store: Store) -> list[tuple]:
    return sorted(store.db.conn.execute("select * from finding_counts").fetchall())


def history(store: Store) -> dict[str, tuple]:
    """The counters as the nights used to count them, over every row of the history."""
    out = {}
    for (fid,) in store.db.conn.execute("select id from findings"):
        t, n = store.db.conn.execute("select count(*), count(distinct night) from finding_runs where finding_id = ?",
                                     [fid]).fetchone()  # fmt: skip
        (s,) = store.db.conn.execute("select count(*) from finding_sweeps where finding_id = ?", [fid]).fetchone()
        hours = [h for (h,) in store.db.conn.execute("select distinct hour from finding_sweeps where finding_id = ?"
                                                     " and seen = 1 and hour is not null order by hour", [fid])]
        out[fid] = (t, n, s, hours)
    return out


def assert_counted(store: Store) -> None:
    kept = counts(store)
    assert {fid: tuple(store.finding_counts(fid).values()) for fid, *_ in kept} == history(store)
    assert store.recount_finding_stats() == len(kept)
    assert counts(store) == kept


def test_the_counters_equal_a_recount_after_sweeps_a_rerun_and_an_absent_night() -> None:
    w = Nights(gone_after_nights=2)
    w.night({G: [ad(PREMIUM)], B: [ad(MOBILE, "x-ing.nl")]}, day=1, hour=9)
    w.night({G: [ad(PREMIUM)], B: []}, day=1, hour=14)  # a second sweep of the day: one day, two hours
    assert_counted(w.store)
    run, _ = w.night({G: [], B: []}, day=2, hour=20)  # absent from both
    audit(w.store, run)  # the same night audited and applied again: nothing counts twice
    apply_night(w.store, run)
    assert_counted(w.store)
    run, _ = w.night({G: [ad(PREMIUM)], B: "captcha"}, day=3, hour=9)
    audit(w.store, run)
    apply_night(w.store, run)
    assert_counted(w.store)
    f = w.one(rule="unofficial_number", brand="KPN")
    assert (f["nights_seen"], f["times_seen"], f["sweeps_audited"], f["hours_seen"]) == (2, 3, 4, [9, 14])
    assert w.store.finding_counts(f["id"]) == {"times_seen": 3, "nights_seen": 2, "sweeps_audited": 4,
                                               "hours_seen": [9, 14]}
    assert w.store.finding_counts("nope") == {"times_seen": 0, "nights_seen": 0, "sweeps_audited": 0,
                                              "hours_seen": []}


def test_a_run_audited_again_without_a_case_takes_it_off_its_counts() -> None:
    w = Nights()
    w.night({G: [ad(PREMIUM)]}, day=1, hour=9)
    run, _ = w.night({G: [ad(PREMIUM)]}, day=2, hour=9)
    fid = w.one(rule="unofficial_number")["id"]
    w.store.upsert_findings(run, [])  # the night's audit gives no case any more
    apply_night(w.store, run)  # and the sweep did not see it: its hour stays (the first sweep saw it at 09)
    assert_counted(w.store)
    assert w.store.finding_counts(fid) == {"times_seen": 1, "nights_seen": 1, "sweeps_audited": 2, "hours_seen": [9]}


def test_a_sweep_rewritten_as_not_seen_drops_its_hour_when_no_other_saw_it_then() -> None:
    w = Nights()
    w.night({G: [ad(PREMIUM)]}, day=1, hour=9)
    run, _ = w.night({G: [ad(PREMIUM)]}, day=2, hour=14)
    fid = w.one(rule="unofficial_number")["id"]
    assert w.store.finding_counts(fid)["hours_seen"] == [9, 14]
    w.store.record_sweep(fid, run, "2024-05-02", 14, seen=False)
    assert w.store.finding_counts(fid)["hours_seen"] == [9]
    w.store.record_sweep(fid, run, "2024-05-02", 14, seen=True)
    assert w.store.finding_counts(fid)["hours_seen"] == [9, 14]
    assert_counted(w.store)


def test_a_version_6_database_gets_its_counters_from_its_history(tmp_path: Path) -> None:
    path = tmp_path / "serpaudit.db"
    w = Nights(Store(path))
    w.night({G: [ad(PREMIUM)], B: [ad(MOBILE, "x-ing.nl")]}, day=1, hour=9)
    w.night({G: [ad(PREMIUM)], B: []}, day=1, hour=14)
    w.night({G: [], B: [ad(MOBILE, "x-ing.nl")]}, day=2, hour=2)
    kept = counts(w.store)
    w.store.close()
    with sqlite3.connect(path) as db:  # as version 6 left it: no counters
        db.execute("drop table finding_counts")
        db.execute("pragma user_version = 6")
    store = Store(path)
    assert store.db.conn.execute("pragma user_version").fetchone()[0] == 7
    assert counts(store) == kept and len(kept) == 2
    assert_counted(store)
