"""The crawl stage: brand x engine x query x device, each page kept as evidence.

Each job is taken (:func:`serpaudit.capture.take_capture`) and stored at once
(:func:`serpaudit.capture.store_capture`), so a killed night keeps every
capture it took; a resumed night skips the jobs its run already captured.

Backing off: a CAPTCHA or block page is recorded as such; after
``BLOCKS_BEFORE_BACKOFF`` blocked pages in a row an engine is left alone for
the rest of the run and its remaining jobs are recorded as ``blocked``, never
as "no ads".
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from crawler.browser import Browser
from serpaudit.capture import RETRYABLE, CaptureRecord, Job, blocked_record, store_capture, take_capture
from serpaudit.evidence import EvidenceFolder

log = logging.getLogger(__name__)

BLOCKS_BEFORE_BACKOFF = 3
__all__ = ["Job", "CrawlSummary", "jobs_for", "crawl", "pending_jobs"]


@dataclass
class CrawlSummary:
    by_status: dict[str, int] = field(default_factory=dict)

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


def crawl(browser: Browser, store, jobs: list[Job], run_id: str, evidence: EvidenceFolder, *,
          region: str, language: str, retries: int, now=None,
          progress: Callable[[Job, str], None] | None = None) -> CrawlSummary:
    summary = CrawlSummary()
    blocked_in_row: dict[str, int] = {}
    locale = f"{language}-{region}"
    for job in pending_jobs(store, run_id, jobs):
        record: CaptureRecord
        if blocked_in_row.get(job.engine, 0) >= BLOCKS_BEFORE_BACKOFF:
            log.warning("%s: backing off after repeated blocks; %r not searched", job.engine, job.query)
            record = blocked_record(job, locale=locale, reason="engine backed off after repeated blocks")
        else:
            record = take_capture(browser, job, region=region, language=language, retries=retries)
        store_capture(store, evidence, run_id, record)
        summary.count(record.status)
        if record.status in ("captcha", "blocked"):
            blocked_in_row[job.engine] = blocked_in_row.get(job.engine, 0) + 1
        elif record.status != "error":
            blocked_in_row[job.engine] = 0
        log.info("%s %s %r: %s, %d results", job.engine, job.device, job.query, record.status, record.result_count)
        if progress:
            progress(job, record.status)
    return summary
