from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from audits.brands import Brand
from audits.store import Store

KPN = Brand("KPN", ("kpn.com",), ("https://www.kpn.com/contact",), True, ("kpn storing",), "telecom")
MS = Brand("Microsoft", ("microsoft.com",), phone_support=False, category="technology")
T1, T2, T3 = "2024-05-01T02:00:00Z", "2024-05-02T02:00:00Z", "2024-05-03T02:00:00Z"


def phone(e164: str, raw: str | None = None, number_type: str = "fixed_line", channel: str = "text") -> dict:
    return {"raw": raw or e164, "e164": e164, "number_type": number_type, "channel": channel}


def capture(run_id: str, brand: str = "KPN", device: str = "desktop", **kw: Any) -> dict:
    c = {
        "run_id": run_id,
        "brand": brand,
        "engine": "google",
        "query": f"{brand} klantenservice",
        "device": device,
        "locale": "nl-NL",
        "captured_at": T1,
        "status": "ok",
        "final_url": "https://www.google.nl/search?q=kpn",
        "user_agent": "UA",
        "html_path": "cap/1.html",
        "html_sha256": "aa" * 32,
        "screenshot_path": "cap/1.png",
        "screenshot_sha256": "bb" * 32,
    }
    c.update(kw)
    return c


def result(rank: int, phones: list[dict], kind: str = "ad", domain: str = "kpn-hulp.nl", **kw: Any) -> dict:
    r = {
        "kind": kind,
        "placement": "top",
        "rank": rank,
        "title": f"Ad {rank}",
        "display_url": domain,
        "landing_url": f"https://{domain}/",
        "click_url": "https://www.googleadservices.com/x",
        "domain": domain,
        "text": "Bel ons",
        "phones": phones,
        "box": [0, 100.5, 600, 80],
        "above_fold": True,
        "evidence_path": f"cap/r{rank}.png",
        "evidence_sha256": "cc" * 32,
    }
    r.update(kw)
    return r


def page(*results: dict) -> dict:
    return {"engine": "google", "status": "ok", "query": "KPN klantenservice", "results": list(results)}


@pytest.fixture
def store() -> Store:
    s = Store(":memory:")
    s.upsert_brands([KPN, MS])
    return s


def count(s: Store, table: str) -> int:
    return s.db[table].count


def test_tables_and_foreign_keys_for_datasette(store: Store) -> None:
    names = set(store.db.table_names())
    assert {
        "brands",
        "runs",
        "captures",
        "results",
        "sightings",
        "official_numbers",
        "harvests",
        "findings",
        "finding_runs",
    } <= names
    fks = {(fk.column, fk.other_table) for fk in store.db["sightings"].foreign_keys}  # type: ignore[union-attr]
    assert fks == {("result_id", "results"), ("capture_id", "captures")}
    fks = {(fk.column, fk.other_table) for fk in store.db["captures"].foreign_keys}  # type: ignore[union-attr]
    assert fks == {("run_id", "runs"), ("brand", "brands"), ("via_result_id", "results")}  # a visit: its result
    Store(store.db)  # creating tables again is a no-op


def test_path_creates_parent_dirs(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "audit.db"
    Store(path).upsert_brands([KPN])
    assert Store(str(path)).brand("KPN") == KPN
    assert Store(sqlite_utils.Database(path)).brands() == [KPN]


def test_brands_upsert_idempotent(store: Store) -> None:
    assert store.upsert_brands([KPN, MS]) == 2
    assert count(store, "brands") == 2
    assert store.brands() == [KPN, MS]
    assert store.brand("Microsoft") == MS and store.brand("Nope") is None


def test_runs(store: Store) -> None:
    r1 = store.start_run("search", T1)
    r2 = store.start_run("harvest", T2)
    twin = store.start_run("search", T1)
    assert len(r1) == 16 and r1 != twin  # two runs started in the same second differ
    assert store.run(r1)["status"] == "running"
    store.finish_run(r1, "ok", {"captures": 3}, T2)
    assert store.run(r1) | {} == {
        "id": r1,
        "command": "search",
        "status": "ok",
        "started_at": T1,
        "finished_at": T2,
        "summary": {"captures": 3},
    }
    assert store.latest_run_id() == r2
    assert store.latest_run_id("search") == twin  # same second: the one started later is the latest
    assert store.latest_run_id("nothing") is None
    assert store.latest_audit_run_id() is None  # neither a crawl nor a run
    r3 = store.start_run("crawl", T1)
    store.start_run("harvest", T2)
    assert store.latest_audit_run_id() == r3
    for _ in range(10):  # cron can start a crawl in the same second as the previous one; audit takes the newer
        newer = store.start_run("crawl", T1)
        assert store.latest_audit_run_id() == newer
    with pytest.raises(KeyError):
        store.run("missing")


def test_record_capture_replaces_instead_of_duplicating(store: Store) -> None:
    run = store.start_run("search", T1)
    p = page(
        result(
            1,
            [
                phone("+319001234567", "0900-1234567", "premium_rate"),
                phone("+319001234567", "tel:09001234567", "premium_rate", "tel"),
            ],
        ),
        result(2, [phone("+31201234567")], kind="organic", placement="main"),
    )
    cid = store.record_capture(capture(run), p)
    assert store.record_capture(capture(run), p) == cid
    assert (count(store, "captures"), count(store, "results"), count(store, "sightings")) == (1, 2, 3)
    # a re-capture with fewer results replaces the old results and sightings
    store.record_capture(capture(run, captured_at=T2), page(result(1, [phone("+31201234567")])))
    assert (count(store, "captures"), count(store, "results"), count(store, "sightings")) == (1, 1, 1)
    assert store.captures(run)[0]["captured_at"] == T2
    # another device is another capture
    store.record_capture(capture(run, device="mobile"), None)
    by_device = {c["device"]: c for c in store.captures(run)}
    assert count(store, "captures") == 2 and by_device["mobile"]["result_count"] == 0


def test_sightings_join_result_and_capture(store: Store) -> None:
    run = store.start_run("search", T1)
    premium = phone("+319001234567", "0900-1234567", "premium_rate")
    store.record_capture(capture(run), page(result(1, [premium])))
    (s,) = store.sightings(run)
    assert s["brand"] == "KPN" and s["engine"] == "google" and s["device"] == "desktop"
    assert s["capture_status"] == "ok" and s["captured_at"] == T1 and s["html_path"] == "cap/1.html"
    assert s["kind"] == "ad" and s["placement"] == "top" and s["rank"] == 1 and s["domain"] == "kpn-hulp.nl"
    assert s["raw"] == "0900-1234567" and s["e164"] == "+319001234567" and s["number_type"] == "premium_rate"
    assert s["evidence_path"] == "cap/r1.png" and s["screenshot_path"] == "cap/1.png"
    assert store.sightings("other-run") == []
    (r,) = store.results(run)
    assert (r["brand"], r["engine"], r["device"], r["kind"], r["rank"]) == (
        "KPN",
        "google",
        "desktop",
        "ad",
        1,
    )
    assert r["landing_url"] == "https://kpn-hulp.nl/" and r["capture_status"] == "ok"


def test_record_official_keeps_first_seen_and_moves_last_seen(store: Store) -> None:
    run = store.start_run("harvest", T1)
    contact, help_page = "https://www.kpn.com/contact", "https://www.kpn.com/help"
    store.record_official("KPN", phone("+318000402", "0800-0402"), contact, "contact", T1, run)
    store.record_official("KPN", phone("+318000402", "0800 0402"), help_page, "contact", T2, run)
    (row,) = store.official_rows("KPN")
    assert (row["first_seen"], row["last_seen"], row["source_url"]) == (T1, T2, "https://www.kpn.com/help")
    assert row["published"] == 1 and row["manual"] == 0
    assert store.official_numbers("KPN") == {"+318000402"}


def test_mark_unpublished_keeps_numbers_known_and_manual_entries_survive(store: Store) -> None:
    run1, run2 = store.start_run("harvest", T1), store.start_run("harvest", T2)
    store.record_official("KPN", phone("+318000402"), "https://www.kpn.com/contact", "contact", T1, run1)
    store.record_official("KPN", phone("+31702343434"), "https://www.kpn.com/contact", "contact", T1, run1)
    store.record_official("KPN", phone("+31201111111"), "", "analyst", T1, manual=True, reason="phoned KPN")
    store.record_official("KPN", phone("+318000402"), "https://www.kpn.com/contact", "contact", T2, run2)
    assert store.mark_unpublished("KPN", {"+318000402"}, run2) == 1
    assert store.official_numbers("KPN") == {"+318000402", "+31201111111"}
    rows = {r["e164"]: r for r in store.official_rows("KPN")}
    assert len(rows) == 3  # the unpublished number stays known
    assert rows["+31702343434"]["published"] == 0 and rows["+31702343434"]["unpublished_run_id"] == run2
    assert rows["+31201111111"]["manual"] == 1 and rows["+31201111111"]["reason"] == "phoned KPN"
    # a later harvest that sees the manual number again does not make it non-manual
    store.record_official("KPN", phone("+31201111111"), "https://www.kpn.com/x", "contact", T3, run2)
    assert {r["e164"]: r["manual"] for r in store.official_rows("KPN")}["+31201111111"] == 1


def test_manual_removal_is_not_undone_by_harvests(store: Store) -> None:
    run = store.start_run("harvest", T1)
    store.record_official("KPN", phone("+31612345678"), "https://www.kpn.com/contact", "contact", T1, run)
    store.remove_official("KPN", "+31612345678", "employee's own mobile, not a service line", T2)
    assert store.official_numbers("KPN") == set()
    store.record_official("KPN", phone("+31612345678"), "https://www.kpn.com/contact", "contact", T3, run)
    assert store.official_numbers("KPN") == set()
    (row,) = store.official_rows("KPN")
    assert row["removed"] == 1 and row["last_seen"] == T3 and "own mobile" in row["reason"]
    store.record_official("KPN", phone("+31612345678"), "", "analyst", T3, manual=True, reason="re-added")
    assert store.official_numbers("KPN") == {"+31612345678"}
    store.remove_official("KPN", "+3197000000000", "never add this", T3)  # unknown numbers are kept removed
    assert count(store, "official_numbers") == 2 and "+3197000000000" not in store.official_numbers("KPN")


def test_harvest_status(store: Store) -> None:
    run = store.start_run("harvest", T1)
    store.record_harvest(run, "KPN", "failed", "HTTP 503", T1)
    store.record_harvest(run, "KPN", "ok", "2 numbers", T2)
    assert store.harvest_status(run, "KPN") == "ok" and count(store, "harvests") == 1
    assert store.harvest_status(run, "Microsoft") is None
    with pytest.raises(ValueError):
        store.record_harvest(run, "KPN", "partial", "", T1)


def finding(**kw: Any) -> dict:
    f = {
        "brand": "KPN",
        "e164": "+319001234567",
        "number_type": "premium_rate",
        "raw": "0900-1234567",
        "verdict": "scam",
        "reason": "premium",
        "severity": "high",
        "engine": "google",
        "query": "KPN klantenservice",
        "device": "desktop",
        "kind": "ad",
        "placement": "top",
        "rank": 1,
        "title": "KPN hulp",
        "display_url": "x",
        "landing_url": "https://kpn-hulp.nl/",
        "click_url": "",
        "domain": "kpn-hulp.nl",
        "text": "Bel",
        "captured_at": T1,
        "html_path": "a.html",
        "screenshot_path": "a.png",
        "evidence_path": "r.png",
        "platform": "google_ads",
    }
    f.update(kw)
    return f


def test_findings_keep_first_seen_across_runs(store: Store) -> None:
    run1, run2 = store.start_run("audit", T1), store.start_run("audit", T2)
    store.upsert_findings(run1, [finding()])
    store.upsert_findings(run1, [finding()])
    assert count(store, "findings") == 1 and count(store, "finding_runs") == 1
    store.upsert_findings(
        run2,
        [
            finding(captured_at=T2, rank=2, device="mobile"),
            finding(  # another advertiser: another case (one ad is one case, whatever its numbers)
                e164="+31201234567",
                number_type="fixed_line",
                verdict="suspect",
                severity="high",
                captured_at=T2,
                domain="kpn-bellen.nl",
                landing_url="https://kpn-bellen.nl/",
            ),
        ],
    )
    assert count(store, "findings") == 2 and count(store, "finding_runs") == 3
    row = next(f for f in store.findings() if f["e164"] == "+319001234567")
    assert (row["rule"], row["advertiser_domain"], row["state"]) == ("unofficial_number", "kpn-hulp.nl", "open")
    assert (row["first_seen"], row["last_seen"]) == (T1, T2)
    assert (row["first_run_id"], row["last_run_id"]) == (run1, run2)
    assert row["rank"] == 2
    # each run's view keeps what that run saw
    (old,) = store.findings(run_id=run1)
    assert old["rank"] == 1 and old["device"] == "desktop" and old["run_id"] == run1
    assert len(store.findings(run_id=run2)) == 2
    assert store.findings(brand="Microsoft") == []
    # re-auditing the older run does not move last_seen back
    store.upsert_findings(run1, [finding()])
    row = next(f for f in store.findings() if f["e164"] == "+319001234567")
    assert (row["first_seen"], row["last_seen"], row["rank"]) == (T1, T2, 2)
