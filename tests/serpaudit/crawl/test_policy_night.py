"""One sandbox night, played by the local lanes and by two Celery workers: the same policy decisions.

Real Chromium against the sandbox web, a real Redis and two real `serpaudit worker` processes; the
coordinator runs in this process so its policy events can be read. The world plans blocks: Google keeps a
CAPTCHA on one query (retried ``block_retries`` times, then not audited) and Bing blocks every search (the
lane gives up after ``GIVE_UP_AFTER`` blocks in a row). The night has a window, scaled down to seconds.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from pathlib import Path

import pytest

from audits.store import Store
from crawler.browser import Browser
from sandbox import SandboxWeb, load_world
from sandbox.server import SandboxServer
from serpaudit.app.demo import world_brands
from serpaudit.crawl.browsers import browser_config
from serpaudit.crawl.distributed.coordinator import DistributedCrawl
from serpaudit.crawl.distributed.localcluster import Cluster, wait_for
from serpaudit.crawl.evidence import EvidenceFolder
from serpaudit.crawl.jobs import crawl, jobs_for
from serpaudit.crawl.policy import GIVE_UP_AFTER, EventLog, JobEvent, NightWindow
from serpaudit.settings import Settings
from tests.support.processes import redis_server
from tests.support.sandbox_runs import default_world_text, skip_without_chromium

pytestmark = [pytest.mark.browser, pytest.mark.system]
WINDOW_S = 28.0  # the night's window, scaled down from hours
BRANDS = ("Telnova", "Bankiva", "Cloudora", "Heelzorg", "Woonfonds")
SLACK_S = 4.0  # a loaded machine's captures take seconds
SEED = "one-policy"


def _world_text() -> str:
    """The default world, where Bing blocks every search of every brand (Google: Woonfonds on CAPTCHA)."""
    text = default_world_text()
    names = re.findall(r'^name = "(.+)"$', text, flags=re.M)[1:]  # [0] is the world's own name
    blocked = "".join(f'[[serps]]\nengine = "bing"\nquery = "{n} klantenservice"\nstatus = "blocked"\n\n'
                      for n in names)
    first = text.index("[[serps]]")  # the first planted page for a query wins: these come first
    return text[:first] + blocked + text[first:]


def _settings(tmp: Path, name: str, broker_url: str = "") -> Settings:
    return Settings(database=tmp / f"{name}.sqlite", evidence_dir=tmp / f"{name}-ev", broker_url=broker_url,
                    engines=("google", "bing"), devices=("desktop",), concurrency=2, block_retries=2,
                    min_delay_s=0.0, jitter_s=0.0, max_per_hour=0, backoff_s=0.5, backoff_max_s=2.0,
                    job_timeout_s=60, visibility_timeout_s=70)


def _night(settings: Settings, world, play) -> tuple[list[JobEvent], Store, str]:
    store = Store(settings.database)
    store.upsert_brands(world_brands(world))
    run_id = store.start_run("run", "2026-12-03T01:00:00+00:00")
    events = EventLog()
    play(store, run_id, EvidenceFolder(settings.evidence_dir, run_id), events,
         NightWindow(ends_at=events.started + WINDOW_S))
    return events.events, store, run_id


def _decisions(events: list[JobEvent]) -> Counter[tuple]:
    return Counter((e.job, e.kind, e.detail if e.kind == "captured" else "") for e in events
                   if e.kind != "relaunched")


def _timeline(events: list[JobEvent]) -> list[str]:
    return [f"{e.at:5.1f} {e.job[1]} {e.job[0]}: {e.kind} {e.detail}" for e in events]


def _not_audited(store: Store, run_id: str) -> dict[tuple, str]:
    return {(c["brand"], c["engine"], c["query"], c["device"]): c["status"] for c in store.captures(run_id)
            if c["status"] in ("captcha", "blocked")}


def _check_window(events: list[JobEvent], what: str) -> None:
    """Google's turns (Bing's backoff may take it past the window) are spread over the window, not taken in
    a burst at its start: the first at once, half of them or fewer in its first half, the last near its end,
    no new job after it (a retry may come later: its pause is kept)."""
    turns = [e for e in events if e.kind == "started" and e.job[1] == "google"]
    starts = [e.at for e in turns]
    fresh = {e.job: e.at for e in reversed(turns)}.values()
    assert starts[0] < SLACK_S and starts[-1] >= WINDOW_S - SLACK_S, (what, starts)
    assert max(fresh) <= WINDOW_S + SLACK_S, (what, starts)
    assert sum(at < WINDOW_S / 2 for at in starts) <= len(starts) // 2 + 1, (what, starts)


def test_a_night_played_locally_and_on_two_workers_takes_the_same_policy_decisions(tmp_path):
    skip_without_chromium()
    (tmp_path / "world.toml").write_text(_world_text(), encoding="utf-8")
    world = load_world(tmp_path / "world.toml").night(1)
    brands = [b for b in world_brands(world) if b.name in BRANDS]
    jobs = jobs_for(brands, ("google", "bing"), world.crawl["query_templates"], ("desktop",))
    with redis_server(tmp_path) as url, SandboxServer(SandboxWeb(world)) as server:
        (tmp_path / "cluster").mkdir()
        cluster = Cluster(tmp_path / "cluster", url, job_timeout_s=60, visibility_timeout_s=70)
        try:
            cluster.start_workers(2)  # they start while the local night plays
            local_settings = _settings(tmp_path, "local")
            local, local_store, local_run = _night(local_settings, world, lambda store, run_id, ev, events, window:
                                                   crawl(local_settings, store, jobs, run_id, ev, seed=SEED,
                                                         open_browser=lambda engine: Browser(browser_config(
                                                             local_settings, server.address, engine)).__enter__(),
                                                         events=events, window=window))
            wait_for(lambda: all("ready" in cluster.worker_log(i).read_text(errors="replace") for i in (0, 1)),
                     60, "both workers to be ready")
            dist_settings = _settings(tmp_path, "dist", url)
            started = time.monotonic()
            dist, dist_store, dist_run = _night(dist_settings, world, lambda store, run_id, ev, events, window:
                                                DistributedCrawl(dist_settings, store, run_id, ev,
                                                                 resolve_all_to=server.address, seed=SEED,
                                                                 events=events, window=window).run(jobs))
            assert time.monotonic() - started < WINDOW_S + 30
        finally:
            cluster.stop()
    logs = [cluster.worker_log(i).read_text(errors="replace")[-3000:] for i in (0, 1)]
    both_ran = [len(cluster.executions(i)) for i in (0, 1)]
    assert all(both_ran), (both_ran, logs)  # the night really was played on two workers

    # the same retries, the same given-up jobs, the same answers
    assert _decisions(dist) == _decisions(local), (_decisions(dist) - _decisions(local),
                                                   _decisions(local) - _decisions(dist), _timeline(local),
                                                   _timeline(dist), logs)
    assert _not_audited(dist_store, dist_run) == _not_audited(local_store, local_run)
    # and they are the policy's: Woonfonds' CAPTCHA is retried block_retries times, then not audited
    decisions = _decisions(local)
    woonfonds = ("Woonfonds", "google", "Woonfonds klantenservice", "desktop")
    assert decisions[(woonfonds, "retry_scheduled", "")] == 2 and decisions[(woonfonds, "started", "")] == 3
    bing = [j.key for j in jobs if j.engine == "bing"]
    # Bing: each job blocked once, then one retry; the sixth block in a row gives the rest of the night up
    assert sum(decisions[(j, "started", "")] for j in bing) == GIVE_UP_AFTER == len(bing) + 1
    assert all(decisions[(j, "gave_up", "")] == 1 for j in bing)
    not_audited = _not_audited(local_store, local_run)
    assert set(not_audited) == {woonfonds, *bing} and not_audited[woonfonds] == "captcha"
    assert all(decisions[(j.key, "captured", "ok")] == 1 for j in jobs if j.engine == "google" and j.key != woonfonds)
    _check_window(local, "local")
    _check_window(dist, "distributed")
