"""A coordinator whose broker went away hears of it at once, from the send, not after 20 s of Celery's result
listener reconnecting (a real Redis, stopped)."""

from __future__ import annotations

import logging

import celery._state
import pytest

from audits.store import Store
from serpaudit.crawl.capture import Job
from serpaudit.crawl.distributed.broker import BROKER_ERRORS
from serpaudit.crawl.distributed.coordinator import DistributedCrawl
from serpaudit.crawl.evidence import EvidenceFolder
from serpaudit.settings import Settings
from tests.support.processes import restartable_redis

pytestmark = pytest.mark.system  # a real Redis


def test_a_send_while_the_broker_is_away_fails_as_a_broker_error_without_the_result_listener(tmp_path, caplog,
                                                                                           monkeypatch):
    caplog.set_level(logging.ERROR)
    # as in `serpaudit crawl --distributed` (a process that is no worker); a Celery worker started in this test
    # process by another test may have left it set, which skips Celery's result subscriptions
    monkeypatch.setattr(celery._state, "_task_join_will_block", False)
    with restartable_redis(tmp_path) as redis:
        settings = Settings(database=tmp_path / "db.sqlite", evidence_dir=tmp_path / "ev", broker_url=redis.url)
        store = Store(settings.database)
        run_id = store.start_run("crawl", "2026-12-06T01:00:00+00:00")
        crawl = DistributedCrawl(settings, store, run_id, EvidenceFolder(settings.evidence_dir, run_id),
                                 resolve_all_to=None)
        job = Job("Telnova", "google", "Telnova klantenservice", "desktop")
        crawl._send(crawl._spec(job))
        redis.stop()
        with pytest.raises(BROKER_ERRORS):
            crawl._send(crawl._spec(Job("Cloudora", "google", "Cloudora klantenservice", "desktop")))
    # the coordinator polls each task's state: Celery's listener on result channels is never started
    assert crawl.app.backend.result_consumer._pubsub is None
    assert [r.getMessage() for r in caplog.records if "Redis lost" in r.getMessage()] == []
