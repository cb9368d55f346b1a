"""Distributed crawls without a broker: what travels, how the coordinator stores it, settings and CLI errors."""

from __future__ import annotations

import base64

import pytest
from typer.testing import CliRunner

from audits.store import Store
from serpaudit.cli import app
from serpaudit.crawl import Job
from serpaudit.distributed.records import EvidenceMismatch, JobSpec, job_key, store_result
from serpaudit.evidence import EvidenceFolder, sha256_of
from serpaudit.settings import SettingsError, load_settings

runner = CliRunner()
SPEC = JobSpec(run_id="r1", session="s1", brand="Telnova", engine="google", query="Telnova klantenservice",
               device="mobile", region="NL", language="nl", retries=1, resolve_all_to="127.0.0.1:1")


def _result(html: bytes = b"<html>0900 1234 567</html>", sent_sha: str | None = None) -> dict:
    png, crop = b"\x89PNG full", b"\x89PNG crop"
    record = {"run_id": "r1", "brand": "Telnova", "engine": "google", "query": "Telnova klantenservice",
              "device": "mobile", "locale": "nl-NL", "captured_at": "2026-11-29T01:00:00+00:00", "status": "ok",
              "html_path": "page.html", "html_sha256": sent_sha or sha256_of(html),
              "screenshot_path": "page.png", "screenshot_sha256": sha256_of(png)}
    page = {"status": "ok", "results": [{"kind": "ad", "placement": "top", "rank": 1, "title": "Telnova",
                                         "phones": [{"raw": "0900 1234 567", "e164": "+319001234567"}],
                                         "evidence_path": "page-top1.png", "evidence_sha256": sha256_of(crop)}]}
    files = {t: base64.b64encode(b).decode() for t, b in
             {"page.html": html, "page.png": png, "page-top1.png": crop}.items()}
    return {"key": SPEC.key, "record": record, "page": page, "files": files}


def test_job_spec_round_trips_as_json_and_its_key_is_the_capture_id(tmp_path):
    assert JobSpec.from_json(SPEC.to_json()) == SPEC
    assert SPEC.key == job_key("r1", Job("Telnova", "google", "Telnova klantenservice", "mobile"))
    store = Store(tmp_path / "db.sqlite")
    run_id = store.start_run("run", "2026-11-29T01:00:00+00:00")
    spec = JobSpec(**{**SPEC.to_json(), "run_id": run_id})
    cid = store.record_capture({"run_id": run_id, "brand": spec.brand, "engine": spec.engine, "query": spec.query,
                                "device": spec.device, "status": "ok"}, None)
    assert cid == spec.key


def test_the_coordinator_writes_the_evidence_and_stores_real_paths(tmp_path):
    store = Store(tmp_path / "db.sqlite")
    evidence = EvidenceFolder(tmp_path / "ev", "r1")
    assert store_result(store, evidence, _result()) == "ok"
    [capture] = store.captures("r1")
    assert capture["id"] == SPEC.key
    assert open(capture["html_path"], "rb").read() == b"<html>0900 1234 567</html>"
    assert capture["html_path"].startswith(str(evidence.dir))
    [result] = store.results("r1")
    assert open(result["evidence_path"], "rb").read() == b"\x89PNG crop"
    # a re-delivered result replaces, never duplicates
    store_result(store, evidence, _result())
    assert len(store.captures("r1")) == 1 and len(store.results("r1")) == 1


def test_evidence_that_does_not_match_its_sha256_is_refused(tmp_path):
    store = Store(tmp_path / "db.sqlite")
    with pytest.raises(EvidenceMismatch, match="html of"):
        store_result(store, EvidenceFolder(tmp_path / "ev", "r1"), _result(sent_sha="0" * 64))
    assert store.captures("r1") == []


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
