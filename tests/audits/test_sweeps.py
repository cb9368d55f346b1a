"""Several sweeps a day (issue 21): the case file counts days, not sweeps, and keeps the hours a case was seen."""

from __future__ import annotations

from tests.support.findings_world import PREMIUM, Nights, ad

G = ("KPN", "google", "desktop")


def test_two_sweeps_of_one_day_one_sees_the_ad_and_the_other_does_not() -> None:
    w = Nights(gone_after_nights=1)
    w.night({G: [ad(PREMIUM)]}, day=1, hour=9)
    _, s = w.night({G: []}, day=1, hour=20)  # audited, the ad is not there: the day saw it all the same
    f = w.one(rule="unofficial_number")
    assert (f["status"], f["absent_nights"] or 0, s.gone, s.absent) == ("new", 0, [], [])
    assert (f["nights_seen"], f["times_seen"], f["sweeps_audited"], f["hours_seen"]) == (1, 1, 2, [9])


def test_an_office_hours_ad_is_not_gone_at_the_night_sweep_and_counts_days() -> None:
    w = Nights(gone_after_nights=1)
    w.night({G: [ad(PREMIUM)]}, day=1, hour=9)
    w.night({G: [ad(PREMIUM)]}, day=1, hour=14)
    _, s = w.night({G: []}, day=2, hour=2)  # before the hours it runs at: it may still show up today
    f = w.one(rule="unofficial_number")
    assert (f["status"], f["absent_nights"] or 0, s.absent) == ("new", 0, [])
    w.night({G: [ad(PREMIUM)]}, day=2, hour=9)
    w.night({G: []}, day=2, hour=14)  # seen today already
    f = w.one(rule="unofficial_number")
    assert f["status"] == "recurring" and (f["absent_nights"] or 0) == 0
    # seen on 2 days, in 3 of 5 sweeps, at 09 and 14 UTC
    assert (f["nights_seen"], f["times_seen"], f["sweeps_audited"], f["hours_seen"]) == (2, 3, 5, [9, 14])
    w.night({G: []}, day=3, hour=2)
    w.night({G: []}, day=3, hour=9)
    assert w.one(rule="unofficial_number")["status"] == "recurring"
    _, s = w.night({G: []}, day=3, hour=14)  # the day is over for it: one absent day, and it is gone
    f = w.one(rule="unofficial_number")
    assert (f["status"], f["gone_at"], f["absent_nights"], s.gone) == ("gone", "2024-05-03", 1, [f["id"]])
    assert f["sweeps_audited"] == 8 and f["hours_seen"] == [9, 14]


def test_a_day_no_late_sweep_counted_counts_at_the_next_days_sweep() -> None:
    w = Nights(gone_after_nights=2)
    w.night({G: [ad(PREMIUM)]}, day=1, hour=9)
    w.night({G: []}, day=2, hour=2)
    w.night({G: "captcha"}, day=2, hour=9)  # the sweep that would have told proves nothing
    assert (w.one(rule="unofficial_number")["absent_nights"] or 0) == 0
    w.night({G: []}, day=3, hour=2)  # day 2 is over without the ad: it counts now (day 3 not yet)
    f = w.one(rule="unofficial_number")
    assert (f["absent_nights"], f["last_absent_night"], f["status"]) == (1, "2024-05-02", "new")
    _, s = w.night({G: []}, day=3, hour=10)
    f = w.one(rule="unofficial_number")
    assert (f["absent_nights"], f["status"], f["gone_at"], s.gone) == (2, "gone", "2024-05-03", [f["id"]])


def test_one_sweep_a_night_is_as_before_and_applying_a_sweep_again_changes_nothing() -> None:
    from audits.lifecycle import apply_night

    w = Nights(gone_after_nights=1)
    w.night({G: [ad(PREMIUM)]})
    run2, s = w.night({G: []})
    f = w.one(rule="unofficial_number")
    assert (f["status"], f["gone_at"], s.gone) == ("gone", "2024-05-02", [f["id"]])
    apply_night(w.store, run2, gone_after_nights=1)
    again = w.one(rule="unofficial_number")
    assert (again["sweeps_audited"], again["absent_nights"], again["hours_seen"]) == (2, 1, [2])
    w.night({G: [ad(PREMIUM)]})
    f = w.one(rule="unofficial_number")
    assert (f["status"], f["nights_seen"], f["sweeps_audited"]) == ("reopened", 2, 3)


def test_an_older_database_gets_the_sweeps_that_saw_each_finding(tmp_path) -> None:
    import shutil
    import sqlite3
    from pathlib import Path

    from audits.store import Store

    path = tmp_path / "serpaudit.db"
    shutil.copy(Path(__file__).resolve().parents[1] / "data" / "store_v0.sqlite", path)
    store = Store(path)
    with sqlite3.connect(path) as db:
        seen = db.execute("select fr.finding_id, fr.run_id, fr.night, cast(substr(r.started_at, 12, 2) as integer)"
                          " from finding_runs fr join runs r on r.id = fr.run_id").fetchall()
        kept = db.execute("select finding_id, run_id, day, hour from finding_sweeps where seen = 1").fetchall()
    assert seen and sorted(kept) == sorted(seen)
    for f in store.query_findings(include_dismissed=True):
        runs = [s for s in seen if s[0] == f["id"]]
        assert f["sweeps_audited"] == len(runs) and f["hours_seen"] == sorted({s[3] for s in runs}), f["id"]


def test_absence_answers_many_findings_at_once_as_one_at_a_time() -> None:
    from audits import store_sweeps

    w = Nights(gone_after_nights=9)
    B = ("ING", "bing", "mobile")
    w.night({G: [ad(PREMIUM)], B: [ad(PREMIUM, "x-ing.nl")]}, day=1, hour=9)
    w.night({G: [], B: [ad(PREMIUM, "x-ing.nl")]}, day=2, hour=9)
    w.night({G: [], B: []}, day=3, hour=9)
    kpn, ing = (w.one(brand=b)["id"] for b in ("KPN", "ING"))
    assert w.store.absence([kpn, ing, "nope", kpn], "2024-05-03") == {
        kpn: ("2024-05-01", "2024-05-02"), ing: ("2024-05-02", ""), "nope": ("", "")}
    assert w.store.absence([kpn], "2024-05-04")[kpn] == ("2024-05-01", "2024-05-03")
    assert w.store.absence([], "2024-05-04") == {}
    many = [f"x{i}" for i in range(1200)] + [kpn]  # more ids than one query takes
    assert store_sweeps.CHUNK == 500
    got = w.store.absence(many, "2024-05-04")
    assert len(got) == 1201 and got[kpn] == ("2024-05-01", "2024-05-03") and got["x0"] == ("", "")
