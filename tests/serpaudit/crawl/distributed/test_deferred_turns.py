"""A worker never sits idle waiting for one engine's turn while another engine's job could search now.

A real Redis, the real coordinator and a real Celery worker (in a thread, running the real capture task, one job
at a time); Chromium and the engines are stood in for by a fake browser and a scripted take_capture.
"""

from __future__ import annotations

import time

import pytest
from celery.contrib.testing.worker import start_worker

from audits.store import Store
from serpaudit.crawl.capture import CaptureRecord, Job
from serpaudit.crawl.distributed import coordinator, deferrals, records
from serpaudit.crawl.distributed.app import make_app
from serpaudit.crawl.distributed.coordinator import DistributedCrawl
from serpaudit.crawl.evidence import EvidenceFolder
from serpaudit.settings import Settings
from tests.serpaudit.crawl.distributed.test_worker import fake_worker_captures
from tests.support.processes import redis_server

pytestmark = pytest.mark.system  # a real Redis and a Celery worker

GOOGLE_GAP_S = 3.0


def _night(tmp_path, monkeypatch, jobs: list[Job]) -> tuple[Store, str, dict[Job, list[float]], DistributedCrawl]:
    with redis_server(tmp_path) as url:
        # Google's searches 3 s apart on this egress, Bing's at once
        settings = Settings(database=tmp_path / "db.sqlite", evidence_dir=tmp_path / "ev", broker_url=url,
                            job_timeout_s=60, visibility_timeout_s=100, engines=("google", "bing"),
                            min_delay_s=0.0, jitter_s=0.0, max_per_hour=0, backoff_s=0.5, backoff_max_s=1.0,
                            engine_limits=(f"google.min_delay_s={GOOGLE_GAP_S}",))
        searched: dict[Job, list[float]] = {}

        def take_capture(browser, job, *, region, language, retries):
            searched.setdefault(job, []).append(time.monotonic())
            return CaptureRecord(job, "ok", f"{language}-{region}", "2026-12-06T01:00:00+00:00")

        fake_worker_captures(monkeypatch, settings, take_capture)
        store = Store(settings.database)
        run_id = store.start_run("run", "2026-12-06T01:00:00+00:00")
        with start_worker(make_app(settings), pool="solo", perform_ping_check=False, shutdown_timeout=30):
            crawl = DistributedCrawl(settings, store, run_id, EvidenceFolder(settings.evidence_dir, run_id),
                                     resolve_all_to=None)
            crawl.run(jobs)
    return store, run_id, searched, crawl


def test_a_job_whose_turn_is_far_off_goes_back_and_the_worker_searches_another_engine_meanwhile(tmp_path,
                                                                                                 monkeypatch):
    jobs = [Job(b, e, f"{b} klantenservice", "desktop") for e in ("google", "bing")
            for b in ("Telnova", "Cloudora", "Bankiva")]
    store, run_id, searched, crawl = _night(tmp_path, monkeypatch, jobs)
    assert crawl.summary.by_status == {"ok": 6}
    assert sorted((c["brand"], c["engine"]) for c in store.captures(run_id)) == sorted((j.brand, j.engine)
                                                                                      for j in jobs)
    assert all(len(times) == 1 for times in searched.values())  # each job searched once, stored once
    google = sorted(t for j, (t,) in searched.items() if j.engine == "google")
    bing = sorted(t for j, (t,) in searched.items() if j.engine == "bing")
    # politeness kept: Google's searches at least its gap apart
    assert all(b - a >= GOOGLE_GAP_S - 0.05 for a, b in zip(google, google[1:], strict=False)), google
    # the one worker did not wait for Google's next turn while Bing's jobs could search: all of them came
    # before Google's second search, though Google's jobs were sent first
    assert bing[-1] < google[1], (google, bing)


def test_a_job_deferred_too_often_is_sent_to_wait_for_its_turn(tmp_path, monkeypatch):
    monkeypatch.setattr(deferrals, "MAX_DEFERS", 2)  # sent back twice, then it waits on the worker
    # every egress seems to have a turn at once (a budget key whose worker went): without the cap the job would
    # bounce every MIN_RESEND_S until its turn
    monkeypatch.setattr(coordinator, "soonest_turn_s", lambda client, engine: 0.0)
    jobs = [Job(b, "google", f"{b} klantenservice", "desktop") for b in ("Telnova", "Cloudora")]
    store, run_id, searched, crawl = _night(tmp_path, monkeypatch, jobs)
    assert crawl.summary.by_status == {"ok": 2} and len(store.captures(run_id)) == 2
    (first, a), (second, b) = sorted(((t, j) for j, (t,) in searched.items()), key=lambda x: x[0])
    assert second - first >= GOOGLE_GAP_S - 0.05
    assert crawl.sends[a] == 1 and crawl.sends[b] == deferrals.MAX_DEFERS + 1


def test_deferred_jobs_are_sent_again_at_the_soonest_turn_never_sooner_than_a_poll_apart():
    d = deferrals.Deferrals()
    spec = records.JobSpec("r", "s", "Telnova", "google", "q", "desktop", "NL", "nl", 1, None)
    d.add(spec, now=100.0, retry_after_s=3.0, soonest_s=1.0)  # another egress has a turn in 1 s
    d.add(spec, now=100.0, retry_after_s=2.0, soonest_s=None)
    d.add(spec, now=100.0, retry_after_s=3.0, soonest_s=0.0)  # a free turn now: not at once, a poll later
    assert d.due(100.1, room=10) == []
    assert d.due(100.3, room=10) == [spec] and len(d) == 2
    assert d.due(101.5, room=10) == [spec] and d.due(101.9, room=10) == []
    assert d.due(102.0, room=0) == [] and d.due(102.0, room=1) == [spec] and len(d) == 0
    assert d.counts[spec.job] == 3 and all(s.may_defer for s in (spec,))


@pytest.fixture(autouse=True)
def _quiet_celery_logs(caplog):
    caplog.set_level("WARNING", logger="celery")
