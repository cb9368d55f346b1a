"""The crawl stage: brand x engine x query x device, each page kept as evidence.

Each job is taken (:func:`serpaudit.crawl.capture.take_capture`) and stored at once
(:func:`serpaudit.crawl.capture.store_capture`), so a killed night keeps every
capture it took; a resumed night skips the jobs its run already captured.

Jobs run in lanes, one per engine (:mod:`serpaudit.crawl.lanes`), each within its
engine's politeness budget (:mod:`serpaudit.crawl.politeness`), following the night's
job policy (:mod:`serpaudit.crawl.policy`, which the distributed coordinator follows
too). A CAPTCHA or block page is recorded as such, never as "no ads"; the
engine backs off and its blocked jobs are retried later in the night.
"""

from __future__ import annotations

import logging
import queue
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from serpaudit.crawl.capture import RETRYABLE, CaptureRecord, Job, store_capture
from serpaudit.crawl.evidence import EvidenceFolder
from serpaudit.crawl.lanes import Lane, LaneOptions, run_lanes
from serpaudit.crawl.policy import EventLog, NightWindow
from serpaudit.crawl.politeness import Pacer, engine_limits

log = logging.getLogger(__name__)

__all__ = ["Job", "CrawlSummary", "jobs_for", "crawl", "pending_jobs"]


@dataclass
class CrawlSummary:
    by_status: dict[str, int] = field(default_factory=dict)
    relaunches: dict[str, int] = field(default_factory=dict)

    def count(self, status: str) -> None:
        self.by_status[status] = self.by_status.get(status, 0) + 1


def jobs_for(brands, engines, templates, devices) -> list[Job]:
    jobs = []
    for brand in brands:
        queries = [t.format(brand=brand.name) for t in templates] + list(brand.queries)
        for engine in engines:
            for query in dict.fromkeys(queries):
                for device in devices:
                    jobs.append(Job(brand.name, engine, query, device))
    return jobs


def pending_jobs(store: Any, run_id: str, jobs: list[Job]) -> list[Job]:
    """The jobs a (resumed) run still has to do: never captured, or captured blocked or failed."""
    done = store.captured_jobs(run_id)
    return [j for j in jobs if done.get(j.key) in (None, *RETRYABLE)]


def shuffled_by_engine(jobs: list[Job], seed: str) -> dict[str, list[Job]]:
    """Each engine's jobs in this night's order: shuffled with ``seed`` (logged, so a night can be replayed)."""
    rng = random.Random(seed)
    lanes: dict[str, list[Job]] = {}
    for job in jobs:
        lanes.setdefault(job.engine, []).append(job)
    for engine_jobs in lanes.values():
        rng.shuffle(engine_jobs)
    return lanes


def grouped_by_device(jobs: list[Job]) -> list[Job]:
    """A lane's jobs device by device (devices in the order first met), each device's in their shuffled order.

    A Chromium renderer serves one browser context, and a lane's browser has a search context per device: with
    the devices mixed, every lane keeps one open per device (about 40 MB each); grouped, the lane closes the
    one it is done with (:meth:`crawler.browser.Browser.close_search_contexts_except`) and opens the next once.
    A job blocked and retried later in the night comes after the last device's, whose context it reopens.
    """
    first_met = {device: i for i, device in enumerate(dict.fromkeys(job.device for job in jobs))}
    return sorted(jobs, key=lambda job: first_met[job.device])  # stable: the seeded order within a device


def crawl(settings: Any, store: Any, jobs: list[Job], run_id: str, evidence: EvidenceFolder, *,
          open_browser: Callable[[str], Any], seed: str,
          progress: Callable[[CaptureRecord], None] | None = None, events: EventLog | None = None,
          window: NightWindow | None = None,
          on_pause: Callable[[str, float], None] | None = None) -> CrawlSummary:
    """Take the run's pending jobs in lanes (one per engine) and store each capture as it comes.

    ``events`` collects the policy's decisions; ``window`` is the night's (default: ``settings.window`` from
    now); ``on_pause(engine, seconds)`` is told when an engine backs off after a block.
    """
    summary = CrawlSummary()
    todo = pending_jobs(store, run_id, jobs)
    if len(todo) < len(jobs):
        log.info("resuming: %d of %d search jobs already captured, %d to go", len(jobs) - len(todo), len(jobs),
                 len(todo))
    out: queue.Queue[tuple[str, CaptureRecord | None]] = queue.Queue()
    stop = threading.Event()
    options = LaneOptions(settings.region, settings.language, settings.retries, settings.block_retries,
                          settings.job_timeout_s)
    events = events if events is not None else EventLog()
    window = window or NightWindow.of(settings.window)
    lanes = [
        Lane(engine, grouped_by_device(engine_jobs),
             Pacer(engine, engine_limits(settings, engine), random.Random(f"{seed}:{engine}")),
             partial(open_browser, engine), options, out, stop, events=events, window=window,
             on_pause=on_pause)
        for engine, engine_jobs in shuffled_by_engine(todo, seed).items()
    ]

    def store_one(record: CaptureRecord) -> None:
        store_capture(store, evidence, run_id, record)
        summary.count(record.status)
        job = record.job
        log.info("job %s %s %r: %s, %d results, %.1f s", job.engine, job.device, job.query, record.status,
                 record.result_count, record.duration_s)
        if progress:
            progress(record)

    summary.relaunches = run_lanes(lanes, settings.concurrency, store_one)
    return summary
