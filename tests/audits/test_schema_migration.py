"""A database written before the schema had a version (tests/data/store_v0.sqlite) is migrated in place.

The file was made by main's code of 2026-12-03 (tests/data/store_v0.md says how): two sandbox nights with
landing visits, triage (dismissed, confirmed, reported, resolved), a takedown and mail deliveries.  It goes
through every step: the landing kinds of version 1, then the fold of its findings into cases (version 2,
checked in detail on a version-1 file by tests/audits/test_schema_cases.py).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from audits import schema
from audits.cases import case_id
from audits.ids import capture_id, result_id
from audits.rules import audit
from audits.schema import SCHEMA_VERSION, SchemaError
from audits.schema_cases import STATE_RANK
from audits.schema_steps import landing_kinds
from audits.store import Store

V0 = Path(__file__).resolve().parents[1] / "data" / "store_v0.sqlite"
KEPT = ("runs", "captures", "results", "sightings", "official_numbers", "harvests", "brands", "finding_events",
        "allowlist", "campaigns", "campaign_keys", "nights")  # fmt: skip
# the findings' tables become cases (one per ad): their rows are checked through the old ids
FOLDED = ("findings", "finding_runs", "finding_sightings", "finding_jobs", "report_deliveries")


def rows(path: Path, sql: str) -> list[dict]:
    with sqlite3.connect(path) as db:
        db.row_factory = sqlite3.Row
        return [dict(r) for r in db.execute(sql)]


@pytest.fixture
def old(tmp_path: Path) -> Path:
    path = tmp_path / "serpaudit.db"
    shutil.copy(V0, path)
    return path


def test_the_v0_asset_holds_what_the_migration_must_keep() -> None:
    assert rows(V0, "pragma user_version")[0]["user_version"] == 0
    landings = rows(V0, "select device from captures where device like 'landing:%'")
    assert landings and {d["device"].split(":")[1] for d in landings} <= {"desktop", "mobile"}
    states = {r["state"] for r in rows(V0, "select state from findings")}
    assert {"open", "dismissed", "confirmed", "reported", "resolved"} <= states
    assert rows(V0, "select 1 from findings where taken_down_at is not null and takedown_days is not null")
    for table in ("finding_events", "campaigns", "report_deliveries", "official_numbers", "nights"):
        assert rows(V0, f"select count(*) as n from {table}")[0]["n"], table


def test_a_v0_database_is_migrated_in_place_and_keeps_its_history(old: Path) -> None:
    before = {t: rows(old, f"select * from [{t}] order by rowid") for t in KEPT}
    store = Store(old)
    assert rows(old, "pragma user_version")[0]["user_version"] == SCHEMA_VERSION
    after = {t: rows(old, f"select * from [{t}] order by rowid") for t in KEPT}
    for t in KEPT:
        assert len(after[t]) == len(before[t]), t
    # every finding is in its case, with its state (or one more advanced; dismissed only when all were), takedown
    # and events
    old_rows = rows(V0, "select * from findings")
    cases = {c["id"]: c for c in rows(old, "select * from findings")}
    assert len(cases) < len(old_rows)
    for f in old_rows:
        (alias,) = rows(old, f"select case_id from finding_aliases where old_id = '{f['id']}'")
        case = cases[alias["case_id"]]
        assert f["rule"] in json.loads(case["rules"]) and (not f["e164"] or f["e164"] in json.loads(case["numbers"]))
        if f["state"] == "dismissed":  # a case is dismissed only when every finding folded into it was
            siblings = [o for o in old_rows if rows(old, f"select case_id from finding_aliases where old_id = "
                                                      f"'{o['id']}'")[0]["case_id"] == alias["case_id"]]
            assert (case["state"] == "dismissed") == all(o["state"] == "dismissed" for o in siblings)
        else:
            assert STATE_RANK[case["state"]] >= STATE_RANK[f["state"]]
        if f["reported_at"]:
            assert [case[k] for k in ("reported_at", "taken_down_at", "takedown_days")] == [
                f[k] for k in ("reported_at", "taken_down_at", "takedown_days")]
    moved = {e["id"]: e["finding_id"] for e in after["finding_events"]}
    for e in before["finding_events"]:
        assert moved[e["id"]] in {a["case_id"] for a in rows(old, "select case_id from finding_aliases where"
                                                                   f" old_id = '{e['finding_id']}'")}
    assert {(d["platform"], d["run_id"]) for d in rows(old, "select * from report_deliveries")} == {
        (d["platform"], d["run_id"]) for d in rows(V0, "select * from report_deliveries")}
    # the columns v4 added to what went to a platform (which submission, which mail) start empty
    delivered = rows(old, "select * from report_deliveries")
    assert {(d["submission_id"], d["outbox_id"]) for d in delivered} == {(None, None)}
    assert after["official_numbers"] == before["official_numbers"]

    # the landing strings became a kind and a link to the result that led to the visit
    results = {r["id"]: r for r in after["results"]}
    captures = {c["id"]: c for c in after["captures"]}
    for b, a in zip(before["captures"], after["captures"], strict=True):
        assert a["id"] == b["id"]  # results, sightings and findings still point at it
        if not b["device"].startswith("landing:"):
            assert (a["kind"], a["device"], a["via_result_id"]) == ("serp", b["device"], None)
            continue
        _, device, slot = b["device"].split(":")
        via = results[a["via_result_id"]]
        serp = captures[via["capture_id"]]
        assert (a["kind"], a["device"]) == ("landing", device)
        assert f"{via['placement']}{via['rank']}" == slot
        assert (serp["kind"], serp["device"]) == ("serp", device)
        assert [serp[k] for k in ("run_id", "brand", "engine", "query")] == [a[k] for k in (
            "run_id", "brand", "engine", "query")]  # fmt: skip
        assert a["id"] == capture_id(*[a[k] for k in ("run_id", "brand", "engine", "query", "device")],
                                     landing_slot=(via["placement"], via["rank"]))
        assert a["via_result_id"] == result_id(serp["id"], via["placement"], via["rank"])
    for table in ("captures", "findings", "finding_runs", "finding_sightings", "finding_jobs"):
        assert not rows(old, f"select 1 from [{table}] where device like 'landing%'"), table
    kinds = {(s["capture_id"], s["capture_kind"]) for s in rows(old, "select * from finding_sightings")}
    assert kinds == {(c, captures[c]["kind"]) for c, _ in kinds}
    assert "landing" in {k for _, k in kinds}
    assert store.captures(kind="landing") and all(c["device"] in ("desktop", "mobile") for c in store.captures())


def test_an_audit_of_the_migrated_store_gives_the_same_cases(old: Path) -> None:
    run_id = rows(old, "select run_id from nights order by started_at desc limit 1")[0]["run_id"]
    v0 = {(r["rule"], r["e164"], r["advertiser_domain"]): r for r in rows(
        old, f"select f.rule, f.e164, f.advertiser_domain, fr.* from finding_runs fr join findings f"
             f" on f.id = fr.finding_id where fr.run_id = '{run_id}'")}  # fmt: skip
    store = Store(old)
    seen = {r["finding_id"] for r in rows(old, f"select * from finding_runs where run_id = '{run_id}'")}
    got = audit(store, run_id, save=False).findings
    assert got
    by_id = {case_id(*f.key): f for f in got}
    assert set(by_id) == seen
    # each reason is what the finding of v0 was, verdict, severity and reason text
    reasons = {(r["rule"], r["e164"], f.advertiser_domain): (r["verdict"], r["severity"], r["reason"])
               for f in got for r in f.reasons}  # fmt: skip
    assert reasons == {k: (r["verdict"], r["severity"], r["reason"]) for k, r in v0.items()}
    for f in got:
        assert f.device in ("desktop", "mobile")
    # saved again, the night's view is the same and nothing is added
    counts = {t: len(rows(old, f"select 1 from [{t}]")) for t in ("findings", "finding_runs", "finding_sightings")}
    audit(store, run_id)
    assert counts == {t: len(rows(old, f"select 1 from [{t}]")) for t in counts}


def test_migration_is_idempotent(old: Path) -> None:
    Store(old)
    dump = list(sqlite3.connect(old).iterdump())
    Store(old)
    assert list(sqlite3.connect(old).iterdump()) == dump


def test_a_migration_that_fails_leaves_the_file_as_it_was(old: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = list(sqlite3.connect(old).iterdump())

    def breaks(conn: sqlite3.Connection) -> None:
        landing_kinds(conn)
        raise RuntimeError("disk full")

    monkeypatch.setattr(schema, "MIGRATIONS", ((1, "breaks half-way", breaks),))
    with pytest.raises(RuntimeError):
        Store(old)
    assert list(sqlite3.connect(old).iterdump()) == before
    monkeypatch.undo()
    Store(old)  # the real migration still runs afterwards
    assert not rows(old, "select 1 from captures where device like 'landing:%'")


def test_a_fresh_database_and_a_migrated_one_have_the_same_schema(old: Path, tmp_path: Path) -> None:
    Store(old)
    Store(tmp_path / "new.db")

    def shape(path: Path) -> dict:
        with sqlite3.connect(path) as db:
            tables = [r[0] for r in db.execute("select name from sqlite_master where type = 'table'")]
            return {
                "tables": {t: sorted((c[1], c[2]) for c in db.execute(f"pragma table_info([{t}])")) for t in tables},
                "indexes": sorted(r[0] for r in db.execute(
                    "select name from sqlite_master where type = 'index' and name not like 'sqlite_%'")),
                "fks": {t: sorted((f[3], f[2]) for f in db.execute(f"pragma foreign_key_list([{t}])")) for t in tables},
            }

    assert shape(old) == shape(tmp_path / "new.db")


def test_a_database_newer_than_the_code_is_refused_naming_the_file(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "from-the-future.db"
    Store(path)
    with sqlite3.connect(path) as db:
        db.execute(f"pragma user_version = {SCHEMA_VERSION + 1}")
    before = path.read_bytes()
    with pytest.raises(SchemaError, match="from-the-future.db.*newer"):
        Store(path)
    assert path.read_bytes() == before

    from serpaudit.cli import app

    monkeypatch.chdir(tmp_path)
    (tmp_path / "serpaudit.toml").write_text('[serpaudit]\ndatabase = "from-the-future.db"\n')
    result = CliRunner().invoke(app, ["findings", "list", "--json", "-c", "serpaudit.toml"])
    assert result.exit_code == 2
    assert "from-the-future.db" in result.output and "newer" in result.output
