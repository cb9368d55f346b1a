"""Distributed crawls without a broker: what travels, how the coordinator stores it, settings and CLI errors."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from audits.evidence_files import read_evidence
from audits.store import Store
from serpaudit.cli import app
from serpaudit.crawl.capture import Blob, CaptureRecord, Job
from serpaudit.crawl.distributed.records import EvidenceMismatch, JobSpec, job_key, store_result
from serpaudit.crawl.evidence import EvidenceFolder
from serpaudit.settings import SettingsError, load_settings

runner = CliRunner()
SPEC = JobSpec(run_id="r1", session="s1", brand="Telnova", engine="google", query="Telnova klantenservice",
               device="mobile", region="NL", language="nl", retries=1, resolve_all_to="127.0.0.1:1")


def _result(run_id: str, html: bytes = b"<html>0900 1234 567</html>") -> dict:
    """A worker's answer, as it comes out of the result backend (JSON)."""
    result = {"kind": "ad", "placement": "top", "rank": 1, "title": "Telnova",
              "phones": [{"raw": "0900 1234 567", "e164": "+319001234567"}], "evidence_file": "page-top1.png"}
    record = CaptureRecord(SPEC.job, "ok", "nl-NL", "2026-11-29T01:00:00+00:00",
                           page={"status": "ok", "results": [result]}, html=Blob.of("page.html", html),
                           screenshot=Blob.of("page.png", b"\x89PNG full"),
                           crops=(Blob.of("page-top1.png", b"\x89PNG crop"),))
    return {"key": job_key(run_id, SPEC.job), "record": record.to_json()}


def test_job_spec_round_trips_as_json_and_its_key_is_the_capture_id(tmp_path):
    assert JobSpec.from_json(SPEC.to_json()) == SPEC
    assert SPEC.key == job_key("r1", Job("Telnova", "google", "Telnova klantenservice", "mobile"))
    store = Store(tmp_path / "db.sqlite")
    run_id = store.start_run("run", "2026-11-29T01:00:00+00:00")
    assert store_result(store, EvidenceFolder(tmp_path / "ev", run_id), run_id, _result(run_id)) == "ok"
    [capture] = store.captures(run_id)
    assert capture["id"] == job_key(run_id, SPEC.job)


def test_the_coordinator_writes_the_evidence_and_stores_real_paths_once(tmp_path):
    store = Store(tmp_path / "db.sqlite")
    run_id = store.start_run("run", "2026-11-29T01:00:00+00:00")
    evidence = EvidenceFolder(tmp_path / "ev", run_id)
    store_result(store, evidence, run_id, _result(run_id))
    [capture] = store.captures(run_id)
    assert read_evidence(capture["html_path"]) == b"<html>0900 1234 567</html>"  # stored gzipped (issue 22)
    assert capture["html_path"].startswith(str(evidence.dir))
    [result] = store.results(run_id)
    assert open(result["evidence_path"], "rb").read() == b"\x89PNG crop"
    # a re-delivered result (another worker's capture of the same job) stores nothing
    store_result(store, evidence, run_id, _result(run_id, html=b"<html>again</html>"))
    assert store.captures(run_id) == [capture] and len(store.results(run_id)) == 1


def test_evidence_that_does_not_match_its_sha256_is_refused(tmp_path):
    store = Store(tmp_path / "db.sqlite")
    run_id = store.start_run("run", "2026-11-29T01:00:00+00:00")
    result = _result(run_id)
    result["record"]["html"]["sha256"] = "0" * 64
    with pytest.raises(EvidenceMismatch, match="page.html of"):
        store_result(store, EvidenceFolder(tmp_path / "ev", run_id), run_id, result)
    assert store.captures(run_id) == []


def test_distributed_settings_are_validated(tmp_path):
    cfg = tmp_path / "s.toml"
    cfg.write_text('broker_url = "amqp://x"\n')
    with pytest.raises(SettingsError, match="broker_url"):
        load_settings(cfg, env={})
    with pytest.raises(SettingsError, match="visibility_timeout_s"):
        load_settings(None, env={"SERPAUDIT_JOB_TIMEOUT_S": "600", "SERPAUDIT_VISIBILITY_TIMEOUT_S": "600"})
    s = load_settings(None, env={"SERPAUDIT_BROKER_URL": "redis://127.0.0.1:6379/0"})
    assert s.broker_url == "redis://127.0.0.1:6379/0" and s.visibility_timeout_s > s.job_timeout_s


def test_worker_and_distributed_run_need_a_broker(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SERPAUDIT_DATABASE", str(tmp_path / "db.sqlite"))
    assert runner.invoke(app, ["init"]).exit_code == 0
    result = runner.invoke(app, ["worker"])
    assert result.exit_code == 2 and "broker_url" in result.output
    result = runner.invoke(app, ["run", "--distributed"])
    assert result.exit_code == 2 and "broker_url" in result.output
    monkeypatch.setenv("SERPAUDIT_BROKER_URL", "redis://127.0.0.1:1/0")
    result = runner.invoke(app, ["worker", "--queues", "nl,atlantis"])
    assert result.exit_code == 2 and "atlantis" in result.output
