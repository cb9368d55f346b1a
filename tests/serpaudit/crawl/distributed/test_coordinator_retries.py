"""Blocked jobs on workers are sent again later in the night, as a local lane retries them.

A real Redis, the real coordinator and a real Celery worker (in a thread, running the real capture task);
Chromium and the engines are stood in for by a fake browser and a scripted take_capture.
"""

from __future__ import annotations

import time
from collections import defaultdict

import pytest
from celery.contrib.testing.worker import start_worker

from audits.store import Store
from serpaudit.crawl.capture import CaptureRecord, Job
from serpaudit.crawl.distributed.app import make_app
from serpaudit.crawl.distributed.coordinator import DistributedCrawl
from serpaudit.crawl.evidence import EvidenceFolder
from serpaudit.settings import Settings
from tests.serpaudit.crawl.distributed.test_worker import fake_worker_captures
from tests.support.processes import redis_server

pytestmark = pytest.mark.system  # a real Redis and a Celery worker


def test_a_blocked_job_is_sent_again_after_the_pause_up_to_block_retries(tmp_path, monkeypatch):
    with redis_server(tmp_path) as url:
        settings = Settings(database=tmp_path / "db.sqlite", evidence_dir=tmp_path / "ev", broker_url=url,
                            job_timeout_s=60, visibility_timeout_s=100, engines=("google", "bing"),
                            min_delay_s=0.0, jitter_s=0.0, max_per_hour=0, backoff_s=0.5, backoff_max_s=1.0,
                            block_retries=2)
        attempts: dict[Job, list[float]] = defaultdict(list)
        # "Telnova" is blocked once then answered; "Cloudora" on Google stays blocked all night
        script = {("google", "Telnova"): ["captcha", "ok"], ("google", "Cloudora"): ["captcha"] * 5}

        def take_capture(browser, job, *, region, language, retries):
            attempts[job].append(time.monotonic())
            answers = script.get((job.engine, job.brand), ["ok"])
            status = answers[min(len(attempts[job]), len(answers)) - 1]
            return CaptureRecord(job, status, f"{language}-{region}", "2026-11-29T01:00:00+00:00")

        fake_worker_captures(monkeypatch, settings, take_capture)
        store = Store(settings.database)
        run_id = store.start_run("run", "2026-11-29T01:00:00+00:00")
        jobs = [Job(b, e, f"{b} klantenservice", "desktop") for b in ("Telnova", "Cloudora") for e in settings.engines]
        with start_worker(make_app(settings), pool="solo", perform_ping_check=False, shutdown_timeout=30):
            summary = DistributedCrawl(settings, store, run_id, EvidenceFolder(settings.evidence_dir, run_id),
                                       resolve_all_to=None).run(jobs)
    statuses = {(c["brand"], c["engine"]): c["status"] for c in store.captures(run_id)}
    assert statuses == {("Telnova", "google"): "ok", ("Telnova", "bing"): "ok", ("Cloudora", "google"): "captcha",
                        ("Cloudora", "bing"): "ok"}
    assert summary.by_status == {"ok": 3, "captcha": 1}  # each job counted once, with its final status
    assert len(store.captures(run_id)) == 4
    telnova, cloudora = (attempts[j] for j in jobs if j.engine == "google")
    assert len(telnova) == 2 and len(cloudora) == 3  # 1 + block_retries, then it stays blocked (not audited)
    # each retry came after the engine's pause on the egress (backoff 0.5 s, doubling up to 1 s)
    gaps = sorted(b - a for times in (telnova, cloudora) for a, b in zip(times, times[1:], strict=False))
    assert gaps[0] >= 0.45, gaps
    for job in jobs:
        if job.engine == "bing":
            assert len(attempts[job]) == 1


@pytest.fixture(autouse=True)
def _quiet_celery_logs(caplog):
    caplog.set_level("WARNING", logger="celery")
