"""A store of schema 1 (tests/data/store_v1.sqlite: one finding per rule and number) folds into cases.

The file was written by main's code before cases (tests/data/store_v1.md says how): two sandbox nights,
ads on lookalike domains that showed a number (two findings each), one finding seen in Google's and Bing's
ads (two cases now, one per platform), triage on halves of ads, a takedown, events and deliveries.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from audits import schema
from audits.cases import case_channel, case_id
from audits.rules import audit
from audits.schema import SCHEMA_VERSION
from audits.schema_cases import STATE_RANK
from audits.store import Store

V1 = Path(__file__).resolve().parents[1] / "data" / "store_v1.sqlite"


def rows(path: Path, sql: str) -> list[dict]:
    with sqlite3.connect(path) as db:
        db.row_factory = sqlite3.Row
        return [dict(r) for r in db.execute(sql)]


@pytest.fixture
def old(tmp_path: Path) -> Path:
    path = tmp_path / "serpaudit.db"
    shutil.copy(V1, path)
    return path


def _cases_of(store: Store, old_id: str) -> list[dict]:
    return [store.finding(a["case_id"]) for a in store.case_for_old_id(old_id)]


def test_the_v1_asset_holds_what_the_fold_must_keep() -> None:
    assert rows(V1, "pragma user_version")[0]["user_version"] == 1
    findings = rows(V1, "select * from findings")
    assert len(findings) == 17
    assert {f["state"] for f in findings} == {"open", "confirmed", "dismissed", "reported", "resolved"}
    # an ad on a lookalike domain that showed a number: two findings on one domain
    halves = rows(V1, "select advertiser_domain, count(*) as n from findings group by 1 having n = 2")
    assert len(halves) >= 5
    assert [f["id"] for f in findings if f["engines"] == '["bing", "google"]' and f["e164"]] == ["zyvbwjs"]
    assert rows(V1, "select 1 from findings where taken_down_at is not null and takedown_days is not null")


def test_findings_fold_into_one_case_per_ad_keeping_history_triage_takedowns_and_deliveries(old: Path) -> None:
    before = {t: rows(old, f"select * from [{t}]") for t in (
        "findings", "finding_runs", "finding_events", "report_deliveries", "allowlist")}  # fmt: skip
    store = Store(old)
    assert rows(old, "pragma user_version")[0]["user_version"] == SCHEMA_VERSION >= 2  # and the later steps
    cases = store.query_findings(include_dismissed=True)
    keys = [(c["brand"], c["channel"], c["case_kind"], c["advertiser_domain"]) for c in cases]
    assert len(keys) == len(set(keys)) == 11  # 17 findings, 11 ads and results
    by_domain = {}
    for c in cases:
        by_domain.setdefault(c["advertiser_domain"], []).append(c)

    # every old id names its case(s), and each case holds the old finding's rule and number
    members: dict[str, list[dict]] = {}
    for f in before["findings"]:
        mine = _cases_of(store, f["id"])
        assert mine, f["id"]
        for c in mine:
            assert f["rule"] in c["rules"] and (not f["e164"] or f["e164"] in c["numbers"]), (f["id"], c)
            assert c["advertiser_domain"] == f["advertiser_domain"] and c["brand"] == f["brand"]
            members.setdefault(c["id"], []).append(f)
    assert set(members) == {c["id"] for c in cases}

    # the ad on two engines' ads is two cases, one per ad platform, each with the confirmation
    support = sorted(by_domain["telnova-support.nl"], key=lambda c: c["channel"])
    assert [c["channel"] for c in support] == ["google_ads", "microsoft_advertising"]
    assert [c["engines"] for c in support] == [["google"], ["bing"]]
    assert all(c["state"] == "confirmed" and c["rules"] == ["lookalike_domain", "unofficial_number"]
               for c in support)  # fmt: skip
    for c in support:
        assert [e["new_state"] for e in store.finding_events(c["id"])] == ["confirmed"]

    for cid, fs in members.items():
        case = store.finding(cid)
        assert case is not None
        # triage: the most advanced state, then the latest, of the findings not dismissed; dismissed only when
        # every one was (one dismissed reason must not hide an open or reported one)
        live = [f for f in fs if f["state"] != "dismissed"] or fs
        decided = max(live, key=lambda f: (STATE_RANK[f["state"]], f["state_at"] or ""))
        assert (case["state"], case["state_at"], case["state_reason"]) == (
            decided["state"], decided["state_at"], decided["state_reason"])
        # takedown times of the one that was reported
        reported = [f for f in fs if f["reported_at"]]
        for col in ("reported_platform", "reported_at", "report_reference", "taken_down_at", "takedown_days"):
            assert case[col] == (reported[0][col] if reported else None), (cid, col)
        # history: every night any of them was seen, with its reasons
        nights = {n["run_id"]: n for n in store.finding_history(cid)}
        for f in fs:
            for r in before["finding_runs"]:
                if r["finding_id"] != f["id"] or case_channel(r["engine"], r["kind"]) != case["channel"]:
                    continue
                reasons = {(x["rule"], x["e164"]): x["verdict"] for x in nights[r["run_id"]]["reasons"]}
                assert reasons[(f["rule"], f["e164"])] == r["verdict"]
        assert case["times_seen"] == len(nights) and case["nights_seen"] == len({n["night"] for n in nights.values()})
        assert case["first_seen"] == min(f["first_seen"] for f in fs)
        assert case["last_seen"] == max(f["last_seen"] for f in fs)
        # every event of every finding folded in, in order
        got = [(e["at"], e["old_state"], e["new_state"], e["reason"], e["user"]) for e in store.finding_events(cid)]
        want = sorted((e["at"], e["old_state"], e["new_state"], e["reason"], e["user"])
                      for e in before["finding_events"] if e["finding_id"] in {f["id"] for f in fs})  # fmt: skip
        assert got == want

    # the halves of one ad triaged apart: the case takes the most advanced decision not dismissed (the analyst
    # dismissed the number, but nobody looked at the lookalike domain: open, to be decided once for the ad)
    (bankiva,) = by_domain["bankiva-hulplijn.nl"]
    assert bankiva["state"] == "open" and bankiva["numbers"] == ["+31854012233"]
    (hulplijn,) = by_domain["cloudora-hulplijn.nl"]
    assert (hulplijn["state"], hulplijn["reported_platform"]) == ("reported", "microsoft_advertising")
    (organic,) = by_domain["telnova-klantenservice.nl"]
    assert (organic["case_kind"], organic["channel"], organic["state"], organic["status"]) == (
        "organic", "google", "reported", "gone")
    assert organic["taken_down_at"] and organic["takedown_days"] is not None

    # deliveries: one per ad, platform and run (the two halves of one ad were one mail line)
    got = {(d["finding_id"], d["platform"], d["run_id"]) for d in rows(old, "select * from report_deliveries")}
    want = set()
    for d in before["report_deliveries"]:
        mine = [c for c in _cases_of(store, d["finding_id"]) if c["channel"] == d["platform"]]
        assert len(mine) == 1
        want.add((mine[0]["id"], d["platform"], d["run_id"]))
    assert got == want and len(rows(old, "select * from report_deliveries")) == len(want) == 10
    # the allow-list keeps its pairs, now naming the case
    allow = rows(old, "select * from allowlist")
    assert [(a["brand"], a["e164"], a["domain"]) for a in allow] == [
        (a["brand"], a["e164"], a["domain"]) for a in before["allowlist"]]
    assert [a["finding_id"] for a in allow] == [bankiva["id"]]


def test_an_audit_of_the_migrated_store_gives_the_same_cases(old: Path) -> None:
    run_id = rows(old, "select run_id from nights order by started_at desc limit 1")[0]["run_id"]
    store = Store(old)
    seen = {r["finding_id"]: r for r in rows(old, f"select * from finding_runs where run_id = '{run_id}'")}
    got = {case_id(*case.key): case for case in audit(store, run_id, save=False).findings}
    assert set(got) == set(seen)
    for cid, case in got.items():
        stored = store.findings(run_id=run_id)
        night = next(n for n in stored if n["id"] == cid)
        assert {(r["rule"], r["e164"], r["verdict"]) for r in case.reasons} == {
            (r["rule"], r["e164"], r["verdict"]) for r in night["reasons"]}, cid
        assert (case.verdict, case.severity) == (night["verdict"], night["severity"])
    counts = {t: len(rows(old, f"select 1 from [{t}]")) for t in ("findings", "finding_runs", "finding_sightings")}
    audit(store, run_id)
    assert counts == {t: len(rows(old, f"select 1 from [{t}]")) for t in counts}


def test_an_old_finding_id_on_the_command_line_finds_its_case_with_a_note(old: Path, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from serpaudit.cli import app

    monkeypatch.chdir(tmp_path)
    (tmp_path / "serpaudit.toml").write_text(f'[serpaudit]\ndatabase = "{old.name}"\n')
    runner = CliRunner()
    result = runner.invoke(app, ["findings", "confirm", "0w7aa27", "--reason", "called it", "-c", "serpaudit.toml"])
    assert result.exit_code == 0, result.output
    store = Store(old)
    (case,) = _cases_of(store, "0w7aa27")
    assert case["state"] == "confirmed" and case["id"] in result.output
    assert "0w7aa27 was the id of a finding" in result.output and case["id"] in result.output
    # a finding that became two cases names both and asks for one
    result = runner.invoke(app, ["findings", "show", "zyvbwjs", "-c", "serpaudit.toml"])
    assert result.exit_code == 2
    assert all(c["id"] in result.output for c in _cases_of(store, "zyvbwjs"))


def test_a_fold_that_fails_leaves_the_file_as_it_was(old: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = list(sqlite3.connect(old).iterdump())

    def breaks(conn: sqlite3.Connection) -> None:
        schema.fold_findings_into_cases(conn)
        raise RuntimeError("disk full")

    monkeypatch.setattr(schema, "MIGRATIONS", (schema.MIGRATIONS[0], (2, "breaks half-way", breaks)))
    with pytest.raises(RuntimeError):
        Store(old)
    assert list(sqlite3.connect(old).iterdump()) == before
    monkeypatch.undo()
    Store(old)
    assert len(rows(old, "select 1 from findings")) == 11
    dump = list(sqlite3.connect(old).iterdump())
    Store(old)  # idempotent
    assert list(sqlite3.connect(old).iterdump()) == dump


def test_a_reported_ad_with_a_dismissed_half_stays_reported(old: Path) -> None:
    """The number of a lookalike-domain ad was dismissed, the ad itself reported: the case must stay in the
    takedown follow-up (reported), not vanish from the queue as dismissed."""
    with sqlite3.connect(old) as db:
        db.execute("update findings set state = 'dismissed', state_at = '2026-12-04T09:00:00+00:00', "
                   "state_reason = 'the number is fine' where id = 'th2qbf8'")
    Store(old).close()
    [case] = [c for c in Store(old).query_findings(include_dismissed=True)
              if c.get("advertiser_domain") == "cloudora-hulplijn.nl" and c["channel"] == "microsoft_advertising"]
    assert (case["state"], case["reported_platform"], case["reported_at"]) == (
        "reported", "microsoft_advertising", "2026-12-03")
