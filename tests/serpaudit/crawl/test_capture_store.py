"""Taking a capture is split from storing it: evidence first, then rows in one transaction, keyed by job."""

from __future__ import annotations

import sqlite3

import pytest

from audits.evidence_files import read_evidence
from audits.store import Store
from serpaudit.crawl.capture import Blob, CaptureRecord, Job, store_capture
from serpaudit.crawl.evidence import EvidenceFolder

JOB = Job("Telnova", "google", "Telnova klantenservice", "desktop")


def record(status: str = "ok", phone: str = "+31900123456", html: bytes = b"<html>1</html>") -> CaptureRecord:
    result = {"kind": "ad", "placement": "top", "rank": 1, "title": "Telnova helpdesk", "display_url": "x.nl",
              "landing_url": "https://x.nl/", "click_url": None, "domain": "x.nl", "text": "bel " + phone,
              "phones": [{"raw": phone, "e164": phone, "number_type": "premium_rate", "channel": "text"}],
              "box": [0, 0, 10, 10], "above_fold": True, "evidence_file": "crop-top1.png"}
    return CaptureRecord(JOB, status, "nl-NL", "2026-01-01T02:00:00+00:00", final_url="https://www.google.nl/",
                         user_agent="UA", page={"engine": "google", "status": status, "query": JOB.query,
                                                "results": [result]},
                         html=Blob.of("page.html", html), screenshot=Blob.of("page.png", b"png"),
                         crops=(Blob.of("crop-top1.png", b"crop"),))


@pytest.fixture
def setup(tmp_path):
    store = Store(tmp_path / "db.sqlite")
    run = store.start_run("run", "2026-01-01T02:00:00+00:00")
    return store, EvidenceFolder(tmp_path / "ev", run), run


def counts(store: Store) -> tuple[int, int, int]:
    runs = {c["run_id"] for c in store.captures()}
    return (len(store.captures()), sum(len(store.results(r)) for r in runs),
            sum(len(store.sightings(r)) for r in runs))


def test_evidence_files_then_rows_with_their_sha256(setup):
    store, evidence, run = setup
    cid = store_capture(store, evidence, run, record())
    cap = store.captures(run)[0]
    assert cap["id"] == cid and cap["status"] == "ok" and cap["result_count"] == 1
    assert read_evidence(cap["html_path"]) == b"<html>1</html>"  # stored gzipped (issue 22)
    res = store.results(run)[0]
    assert open(res["evidence_path"], "rb").read() == b"crop" and len(res["evidence_sha256"]) == 64
    assert "evidence_file" not in res


def test_storing_the_same_job_twice_changes_nothing(setup):
    store, evidence, run = setup
    store_capture(store, evidence, run, record())
    before = store.captures(run)
    assert store_capture(store, evidence, run, record(html=b"<html>2</html>", phone="+31900999999")) is None
    assert store.captures(run) == before and counts(store) == (1, 1, 1)
    assert store.sightings(run)[0]["e164"] == "+31900123456"


def test_a_blocked_capture_is_replaced_by_a_later_good_one(setup):
    store, evidence, run = setup
    store_capture(store, evidence, run, record(status="captcha"))
    assert store_capture(store, evidence, run, record()) is not None
    assert [c["status"] for c in store.captures(run)] == ["ok"] and counts(store) == (1, 1, 1)


def test_a_capture_is_stored_whole_or_not_at_all(setup, monkeypatch):
    store, evidence, run = setup
    store_capture(store, evidence, run, record(status="blocked"))

    def broken(cid, results):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(store, "_record_results", broken)
    with pytest.raises(sqlite3.OperationalError):
        store_capture(store, evidence, run, record())
    assert [c["status"] for c in store.captures(run)] == ["blocked"] and counts(store) == (1, 1, 1)


def test_records_survive_json_for_a_task_queue():
    r = record()
    assert CaptureRecord.from_json(r.to_json()) == r


def test_file_database_runs_in_wal_mode(tmp_path):
    store = Store(tmp_path / "db.sqlite")
    assert store.journal_mode() == "wal"
    assert store.db.execute("PRAGMA busy_timeout").fetchone()[0] >= 30_000
