"""The coordinator side: send a run's capture jobs to the region queues, collect and store the results.

Only here is anything written: evidence files into the run's folder, captures into SQLite, each job once
(its capture id is the (run, job) key; a job already stored is neither sent again nor stored again).

Sessions: each coordinator start is a session.  Its task ids are ``<job key>.<session>``, and Redis holds
the run's current session, so the jobs a crashed coordinator left in the queues are skipped by the workers
(in sandbox mode they even point at a sandbox web that is gone), while the results they finished are
collected from the result backend instead of being captured again.

A job that comes back blocked (CAPTCHA, block page, or refused by the worker's politeness while its engine
pauses) is stored as such and sent again later in the night, as a local lane retries it: not before the
pause the worker reported, up to ``block_retries`` times.

The run's crawl ends when every job is stored, blocked or timed out: a job is given up (stored as
``error``) when it is not back ``job_timeout_s + visibility_timeout_s`` after a worker started it (one
re-delivery fits), and every job still waiting is given up when no job at all came back for that long
(no worker serves the queue).  The coordinator keeps at most ``max_queued_jobs`` outstanding per queue, so
it never floods one region's queue and a late job does not wait behind a whole night.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from celery.result import AsyncResult

from audits.store import Store
from serpaudit.crawl.capture import CaptureRecord, store_capture, utc_now
from serpaudit.crawl.distributed.app import RESULT_TTL_S, make_app, queue_for
from serpaudit.crawl.distributed.records import EvidenceMismatch, JobSpec, store_result
from serpaudit.crawl.distributed.worker import session_key
from serpaudit.crawl.evidence import EvidenceFolder
from serpaudit.crawl.jobs import CrawlSummary, Job, pending_jobs
from serpaudit.settings import Settings

log = logging.getLogger(__name__)

POLL_S = 0.25
RESTORE_SLACK_S = 15  # the broker looks for expired unacknowledged jobs every few seconds


@dataclass
class _Outstanding:
    spec: JobSpec
    result: AsyncResult
    sent_at: float
    started_at: float | None = None


class DistributedCrawl:
    """One coordinator session over one run."""

    def __init__(self, settings: Settings, store: Store, run_id: str, evidence: EvidenceFolder, *,
                 resolve_all_to: str | None, progress: Callable[[Job, str], None] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.settings, self.store, self.run_id, self.evidence = settings, store, run_id, evidence
        self.resolve_all_to, self.progress, self.clock = resolve_all_to, progress, clock
        self.app = make_app(settings)
        self.redis = self.app.backend.client
        self.session = uuid.uuid4().hex[:10]
        self.queue = queue_for(settings.region)
        self.summary = CrawlSummary()
        self.stored: set[str] = set()
        self.duplicates = 0  # results that came back for a job already stored (re-deliveries)
        self.tries: Counter[str] = Counter()  # times a job came back blocked and was sent again
        self.deferred: list[tuple[float, JobSpec]] = []  # blocked jobs to send again, not before a time
        self.patience = settings.job_timeout_s + settings.visibility_timeout_s + RESTORE_SLACK_S

    def run(self, jobs: list[Job]) -> CrawlSummary:
        todo = pending_jobs(self.store, self.run_id, jobs)  # as a local resume: blocked and failed jobs again
        done = {j.key for j in jobs} - {j.key for j in todo}
        for c in self.store.captures(self.run_id):
            if (c["brand"], c["engine"], c["query"], c["device"]) in done:
                self.stored.add(c["id"])
                self.summary.count(c["status"])
        earlier = [s.decode() for s in self.redis.lrange(self._sessions_key, 0, -1)]
        self.redis.rpush(self._sessions_key, self.session)
        self.redis.set(session_key(self.run_id), self.session, ex=RESULT_TTL_S)
        self.redis.expire(self._sessions_key, RESULT_TTL_S)
        specs = [self._spec(j) for j in todo]
        if self.stored:
            log.info("run %s: %d job(s) already stored, %d to go", self.run_id, len(self.stored), len(specs))
        specs = [s for s in specs if not self._collect_earlier(s, earlier)]
        self._drive(deque(specs))
        if self.duplicates:
            log.info("run %s: %d re-delivered result(s) ignored (already stored)", self.run_id, self.duplicates)
        return self.summary

    @property
    def _sessions_key(self) -> str:
        return f"serpaudit:run:{self.run_id}:sessions"

    def _spec(self, job: Job) -> JobSpec:
        s = self.settings
        return JobSpec(run_id=self.run_id, session=self.session, brand=job.brand, engine=job.engine,
                       query=job.query, device=job.device, region=s.region, language=s.language,
                       retries=s.retries, resolve_all_to=self.resolve_all_to)

    def _collect_earlier(self, spec: JobSpec, sessions: list[str]) -> bool:
        """A result a crashed session's worker finished: store it instead of capturing again."""
        for old in sessions:
            res = AsyncResult(f"{spec.key}.{old}", app=self.app)
            done = res.result if res.state == "SUCCESS" else None
            # an error may be the crash itself (in sandbox mode the sandbox web went down with it): redo those
            if done and not done.get("stale") and done["record"]["status"] != "error":
                self._store(spec, done)
                res.forget()
                return True
        return False

    def _drive(self, pending: deque[JobSpec]) -> None:
        outstanding: dict[str, _Outstanding] = {}
        last_progress = self.clock()
        while pending or outstanding or self.deferred:
            start = self.clock()
            due = [d for d in self.deferred if d[0] <= start]
            self.deferred = [d for d in self.deferred if d[0] > start]
            pending.extend(spec for _, spec in due)
            while pending and len(outstanding) < self.settings.max_queued_jobs:
                spec = pending.popleft()
                if not outstanding:
                    last_progress = self.clock()  # nothing was out (blocked jobs waiting): no worker is late
                tries = self.tries[spec.key]
                task_id = f"{spec.key}.{self.session}" + (f".{tries}" if tries else "")
                res = self.app.send_task("serpaudit.capture", args=[spec.to_json()], task_id=task_id,
                                         queue=self.queue)
                outstanding[task_id] = _Outstanding(spec, res, self.clock())
            time.sleep(POLL_S)
            now = self.clock()
            for task_id, out in list(outstanding.items()):
                state = out.result.state
                if state == "SUCCESS":
                    self._store(out.spec, out.result.result)
                elif state in ("FAILURE", "REVOKED"):
                    self._give_up(out.spec, f"failed on the worker: {out.result.result!r}"[:500])
                elif state == "STARTED" and out.started_at is None:
                    out.started_at = now
                    continue
                elif out.started_at is not None and now - out.started_at > self.patience:
                    self._give_up(out.spec, f"timed out: not back {self.patience:.0f} s after a worker took it")
                    out.result.revoke()
                else:
                    continue
                out.result.forget()
                del outstanding[task_id]
                last_progress = now
            if outstanding and now - last_progress > self.patience:
                log.error("run %s: no job came back for %.0f s; is a worker serving queue %r?", self.run_id,
                          now - last_progress, self.queue)
                for out in outstanding.values():
                    out.result.revoke()
                for spec in [o.spec for o in outstanding.values()] + list(pending):
                    self._give_up(spec, f"timed out: no worker took it from queue {self.queue!r}")
                return

    def _store(self, spec: JobSpec, result: dict[str, Any]) -> None:
        if spec.key in self.stored:
            self.duplicates += 1
            return
        try:
            status = store_result(self.store, self.evidence, self.run_id, result)
        except (EvidenceMismatch, KeyError, TypeError) as exc:
            self._give_up(spec, f"evidence did not arrive intact: {exc}")
            return
        if status in ("captcha", "blocked") and self.tries[spec.key] < self.settings.block_retries:
            # stored as blocked for now (a crash keeps it, and a resume redoes it); sent again after the pause
            self.tries[spec.key] += 1
            wait = float(result.get("retry_after_s") or 0)
            self.deferred.append((self.clock() + wait, spec))
            log.info("%s %s %r: %s; sent again in %.0f s (retry %d of %d)", spec.engine, spec.device, spec.query,
                     status, wait, self.tries[spec.key], self.settings.block_retries)
            return
        self._done(spec, status)

    def _give_up(self, spec: JobSpec, why: str) -> None:
        if spec.key in self.stored:
            return
        log.warning("%s %s %r: %s", spec.engine, spec.device, spec.query, why)
        record = CaptureRecord(spec.job, "error", f"{spec.language}-{spec.region}", utc_now(), error=why)
        store_capture(self.store, self.evidence, self.run_id, record)
        self._done(spec, "error")

    def _done(self, spec: JobSpec, status: str) -> None:
        self.stored.add(spec.key)
        self.summary.count(status)
        if self.progress:
            self.progress(spec.job, status)


def crawl_distributed(settings: Settings, store: Store, jobs: list[Job], run_id: str, evidence: EvidenceFolder, *,
                      resolve_all_to: str | None, progress: Callable[[Job, str], None] | None = None
                      ) -> CrawlSummary:
    """The crawl stage on the workers: same jobs, same stored captures as :func:`serpaudit.crawl.jobs.crawl`."""
    return DistributedCrawl(settings, store, run_id, evidence, resolve_all_to=resolve_all_to,
                            progress=progress).run(jobs)

