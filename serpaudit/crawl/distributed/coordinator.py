"""The coordinator side: send a run's capture jobs to the region queues, collect and store the results.

Only here is anything written: evidence files into the run's folder, captures into SQLite, each job once
(its capture id is the (run, job) key; a job already stored is neither sent again nor stored again).

Sessions: each coordinator start is a session.  Its task ids are ``<job key>.<session>``, and Redis holds
the run's current session, so the jobs a crashed coordinator left in the queues are skipped by the workers
(in sandbox mode they even point at a sandbox web that is gone), while the results they finished are
collected from the result backend instead of being captured again.

When to send which job is the night's job policy (:mod:`serpaudit.crawl.policy`), the one a local lane follows:
one :class:`~serpaudit.crawl.policy.EngineLane` per engine, in the order of the night's seed.  A job is sent no
earlier than its slot in ``window``; one that comes back blocked (CAPTCHA, block page, or refused by the
worker's politeness) is stored as such and sent again later in the night, not before the pause the worker
reported (its engine sends nothing meanwhile, then one job at a time until one is answered), up to
``block_retries`` times; after ``GIVE_UP_AFTER`` blocks in a row the engine's waiting jobs are given up
(stored blocked).  A worker that relaunched its browser after an error has the job sent again, once.

The run's crawl ends when every job is stored, blocked or timed out: a job is given up (stored as
``error``) when it is not back ``job_timeout_s + visibility_timeout_s`` after a worker started it (one
re-delivery fits), and every job still waiting is given up when no job at all came back for that long
(no worker serves the queue).  The coordinator keeps at most ``max_queued_jobs`` outstanding per queue, so
it never floods one region's queue and a late job does not wait behind a whole night.

A job its worker sent back ``deferred`` (its engine's turn on that worker's egress was more than a second off:
:mod:`.pacing`) was not searched: it is sent again when the engine's soonest turn on any egress comes
(:mod:`.deferrals`), while that worker takes another job.

A job whose worker died is sent again as soon as its heartbeat stops (:mod:`.heartbeat`: within about 15 s,
not after ``visibility_timeout_s``), up to ``MAX_LOST`` times; the task it replaces is *settled*, so no worker
runs it if the broker delivers it after all.  A broker that stops answering is waited for, up to
``broker_wait_s`` (:mod:`.broker`); what it lost is sent again when it is back.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

from celery.result import AsyncResult

from audits.store import Store
from serpaudit.crawl.capture import CaptureRecord, blocked_record, store_capture, utc_now
from serpaudit.crawl.distributed.app import make_app, queue_for
from serpaudit.crawl.distributed.broker import BROKER_ERRORS, wait_for_broker
from serpaudit.crawl.distributed.deferrals import Deferrals
from serpaudit.crawl.distributed.errors import BrokerUnavailable
from serpaudit.crawl.distributed.heartbeat import Outstanding, settle
from serpaudit.crawl.distributed.pacing import soonest_turn_s
from serpaudit.crawl.distributed.records import EvidenceMismatch, JobSpec, store_result
from serpaudit.crawl.distributed.sessions import claim_session, finished_earlier, session_key
from serpaudit.crawl.evidence import EvidenceFolder
from serpaudit.crawl.jobs import CrawlSummary, Job, pending_jobs, shuffled_by_engine
from serpaudit.crawl.policy import DONE, EngineLane, EventLog, GiveUp, NightWindow
from serpaudit.settings import Settings

log = logging.getLogger(__name__)

POLL_S = 0.25
RESTORE_SLACK_S = 15  # the broker looks for expired unacknowledged jobs every few seconds
MAX_LOST = 3  # a job whose worker is lost this many times is given up (stored as error): it may kill workers
MAX_BROKER_RETRIES = 10  # broker outages in a row (it answers a ping, then fails again) before the night stops


class DistributedCrawl:
    """One coordinator session over one run."""

    def __init__(self, settings: Settings, store: Store, run_id: str, evidence: EvidenceFolder, *,
                 resolve_all_to: str | None, seed: str = "", progress: Callable[[Job, str], None] | None = None,
                 events: EventLog | None = None, window: NightWindow | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.settings, self.store, self.run_id, self.evidence = settings, store, run_id, evidence
        self.resolve_all_to, self.seed, self.progress, self.clock = resolve_all_to, seed, progress, clock
        self.events = events if events is not None else EventLog(clock)
        self.window = window or NightWindow.of(settings.window, clock=clock)
        self.app = make_app(settings)
        # Celery's Redis backend subscribes to each sent task's result channel; this loop polls states and never
        # listens. With the broker gone, each AsyncResult dropped later (at exit too) retried its unsubscribe
        # for 20 s and printed a traceback beside the night's clear error
        self.app.backend.on_task_call = lambda producer, task_id: None
        self.redis = self.app.backend.client
        self.session = uuid.uuid4().hex[:10]
        self.queue = queue_for(settings.region)
        self.summary = CrawlSummary()
        self.stored: set[str] = set()
        self.duplicates = 0  # results that came back for a job already stored (re-deliveries)
        self.sends: Counter[Job] = Counter()
        self.lost: Counter[Job] = Counter()  # times a job's worker was lost (its heartbeat stopped)
        self.outstanding: dict[str, Outstanding] = {}
        self.deferred = Deferrals()
        self.lanes: dict[str, EngineLane] = {}
        self.last_progress = clock()
        self.patience = settings.job_timeout_s + settings.visibility_timeout_s + RESTORE_SLACK_S

    def run(self, jobs: list[Job]) -> CrawlSummary:
        todo = pending_jobs(self.store, self.run_id, jobs)  # as a local resume: blocked and failed jobs again
        done = {j.key for j in jobs} - {j.key for j in todo}
        for c in self.store.captures(self.run_id, kind="serp"):
            if (c["brand"], c["engine"], c["query"], c["device"]) in done:
                self.stored.add(c["id"])
                self.summary.count(c["status"])
        specs = [self._spec(j) for j in todo]
        if self.stored:
            log.info("run %s: %d job(s) already stored, %d to go", self.run_id, len(self.stored), len(specs))
        for attempt in range(MAX_BROKER_RETRIES + 1):
            try:  # storing what earlier sessions finished is idempotent: a broker outage here just starts it over
                earlier = self._claim_session()
                specs = [s for s in specs if not self._collect_earlier(s, earlier)]
                break
            except BROKER_ERRORS as exc:
                if attempt == MAX_BROKER_RETRIES:
                    raise BrokerUnavailable(f"the broker kept failing: {exc}") from exc
                self._wait_for_broker(exc)
        self._drive(specs)
        if self.duplicates:
            log.info("run %s: %d re-delivered result(s) ignored (already stored)", self.run_id, self.duplicates)
        return self.summary

    def _claim_session(self) -> list[str]:
        return claim_session(self.redis, self.run_id, self.session)

    def _wait_for_broker(self, exc: BaseException) -> None:
        wait_for_broker(self.redis.ping, url=self.settings.broker_url, wait_s=self.settings.broker_wait_s, why=exc,
                        what=f"run {self.run_id} ({len(self.outstanding)} job(s) out)", clock=self.clock)

    def _spec(self, job: Job) -> JobSpec:
        s = self.settings
        return JobSpec(run_id=self.run_id, session=self.session, brand=job.brand, engine=job.engine,
                       query=job.query, device=job.device, region=s.region, language=s.language,
                       retries=s.retries, resolve_all_to=self.resolve_all_to)

    def _collect_earlier(self, spec: JobSpec, sessions: list[str]) -> bool:
        """A result a crashed session's worker finished: store it instead of capturing again."""
        found = finished_earlier(self.app, spec, sessions)
        if found is None:
            return False
        done, res = found
        store_result(self.store, self.evidence, self.run_id, done)
        self._done(spec, done["record"]["status"])
        res.forget()
        return True

    def _drive(self, specs: list[JobSpec]) -> None:
        by_job = {s.job: s for s in specs}
        self.lanes = {engine: EngineLane(engine, jobs, block_retries=self.settings.block_retries,
                                         events=self.events, window=self.window, clock=self.clock)
                      for engine, jobs in shuffled_by_engine(list(by_job), self.seed).items()}
        self.last_progress = self.clock()
        outages = 0
        while self.outstanding or self.deferred or not all(lane.done for lane in self.lanes.values()):
            try:
                if self._poll(by_job):
                    return
                outages = 0
            except BROKER_ERRORS as exc:
                outages += 1
                if outages > MAX_BROKER_RETRIES:
                    raise BrokerUnavailable(f"the broker kept failing ({outages} times in a row): {exc}. The run "
                                            "is left unfinished: run again, and it resumes where it stopped") from exc
                self._ride_out(exc)

    def _poll(self, by_job: dict[Job, JobSpec]) -> bool:
        """One round: send what is due, collect what came back; True when the night was given up."""
        if not self.outstanding:
            self.last_progress = self.clock()  # nothing is out (jobs wait for their turn): no worker is late
        self._send_due(by_job)
        time.sleep(POLL_S)
        now = self.clock()
        for task_id, out in list(self.outstanding.items()):
            lane = self.lanes[out.spec.engine]
            state = out.result.state
            if state == "SUCCESS":
                result = out.result.result
                if result.get("stale"):  # skipped by the worker: it thought the task settled
                    self._send_again(out, "the worker skipped it as stale")
                    continue
                if result.get("deferred"):
                    self._defer(out, float(result.get("retry_after_s") or 0))
                    continue
                self._store(lane, out.spec, result)
            elif state in ("FAILURE", "REVOKED"):
                if type(out.result.result).__name__ in ("ConnectionError", "TimeoutError", "OperationalError"):
                    self._send_again(out, f"the worker lost the broker: {out.result.result!r}"[:300])
                    continue
                self._give_up(lane, out.spec, f"failed on the worker: {out.result.result!r}"[:500])
            else:
                if state == "STARTED" and out.started_at is None:
                    out.started_at = now
                if state == "STARTED" and out.silent(self.redis, now):
                    self._send_again(out, f"its worker is lost: no heartbeat for {now - out.silent_since:.0f} s"
                                     if out.silent_since is not None else "its worker is lost")
                    continue
                if out.started_at is None or now - out.started_at <= self.patience:
                    continue
                self._give_up(lane, out.spec, f"timed out: not back {self.patience:.0f} s after a worker took it")
                out.result.revoke()
            self._finished(task_id)
            self.last_progress = now
        if self.outstanding and now - self.last_progress > self.patience:
            log.error("run %s: no job came back for %.0f s; is a worker serving queue %r?", self.run_id,
                      now - self.last_progress, self.queue)
            for out in self.outstanding.values():
                out.result.revoke()
                self._give_up(self.lanes[out.spec.engine], out.spec,
                              f"timed out: no worker took it from queue {self.queue!r}")
            for spec in self.deferred.drain():
                self._give_up(self.lanes[spec.engine], spec, f"timed out: no worker took it from queue {self.queue!r}")
            for lane in self.lanes.values():
                while lane.pending:
                    self._give_up(lane, by_job[lane.pending.popleft()],
                                  f"timed out: no worker took it from queue {self.queue!r}")
            return True
        return False

    def _send_again(self, out: Outstanding, why: str) -> None:
        """``out`` will not come back: send its job again as a new task, up to MAX_LOST times."""
        job = out.spec.job
        self.lost[job] += 1
        self._finished(out.task_id)
        self.last_progress = self.clock()
        if self.lost[job] > MAX_LOST:
            self._give_up(self.lanes[out.spec.engine], out.spec, f"{why}; given up after {MAX_LOST} sends")
            return
        log.warning("%s %s %r: %s; sending it again (%d of %d)", out.spec.engine, out.spec.device, out.spec.query,
                    why, self.lost[job], MAX_LOST)
        self._send(out.spec)

    def _defer(self, out: Outstanding, retry_after_s: float) -> None:
        """``out`` came back unsearched, its turn too far off on its worker's egress: send it again later."""
        try:
            soonest = soonest_turn_s(self.redis, out.spec.engine)
        except BROKER_ERRORS:  # the worker's own turn is known: wait for that
            soonest = None
        self.deferred.add(out.spec, self.clock(), retry_after_s, soonest)  # kept before anything else can fail
        self._finished(out.task_id)
        self.last_progress = self.clock()

    def _finished(self, task_id: str) -> None:
        """No longer waited for: no worker runs it from now on, and its result is forgotten."""
        out = self.outstanding.pop(task_id)
        try:
            settle(self.redis, self.run_id, task_id)
            out.result.forget()
        except BROKER_ERRORS as exc:  # it expires anyway; a late delivery of it is stored once at most
            log.info("task %s: could not settle it with the broker (%s)", task_id, exc)

    def _ride_out(self, exc: BaseException) -> None:
        """The broker stopped answering: wait for it, then send again what it lost."""
        self._wait_for_broker(exc)
        lost_data = not self.redis.exists(session_key(self.run_id))  # a Redis without persistence restarted
        self._claim_session()
        now = self.clock()
        self.last_progress = now  # the outage is nobody's lateness
        for out in self.outstanding.values():
            out.started_at, out.silent_since = None, None
        if lost_data and self.outstanding:
            log.warning("run %s: the broker came back without its data (restarted without persistence): the %d "
                        "job(s) out are sent again", self.run_id, len(self.outstanding))
        for out in list(self.outstanding.values()):
            if lost_data and out.result.state != "SUCCESS":
                self._finished(out.task_id)
                self._send(out.spec)
            elif out.unsent:
                self._publish(out)

    def _send_due(self, by_job: dict[Job, JobSpec]) -> None:
        """Send every turn that is due, one lane after the other, up to ``max_queued_jobs`` out at once (the
        deferred jobs whose time came first: their lanes count them out already)."""
        for spec in self.deferred.due(self.clock(), self.settings.max_queued_jobs - len(self.outstanding)):
            self._send(spec)
        sent = True
        while sent:
            sent = False
            for lane in self.lanes.values():
                at = lane.next_at()
                if len(self.outstanding) >= self.settings.max_queued_jobs or at is None or at > self.clock():
                    continue
                sent = True
                turn = lane.take()
                if isinstance(turn, GiveUp):
                    spec = by_job[turn.job]
                    locale = f"{spec.language}-{spec.region}"
                    store_capture(self.store, self.evidence, self.run_id,
                                  blocked_record(turn.job, locale=locale, reason=turn.reason))
                    self._done(spec, "blocked")
                    continue
                self._send(by_job[turn])

    def _send(self, spec: JobSpec) -> None:
        sends = self.sends[spec.job]  # each send its own task id: a job sent again is a new task
        self.sends[spec.job] += 1
        task_id = f"{spec.key}.{self.session}" + (f".{sends}" if sends else "")
        out = Outstanding(spec, AsyncResult(task_id, app=self.app), task_id, self.clock())
        self.outstanding[task_id] = out  # before sending: a broker away now has it sent once it is back
        self._publish(out)

    def _publish(self, out: Outstanding) -> None:
        self.app.send_task("serpaudit.capture", args=[out.spec.to_json()], task_id=out.task_id, queue=self.queue)
        out.unsent = False
        out.sent_at = self.clock()

    def _store(self, lane: EngineLane, spec: JobSpec, result: dict[str, Any]) -> None:
        if spec.key in self.stored:
            self.duplicates += 1
            lane.lost(spec.job)
            return
        if result.get("relaunched"):
            self.events.emit(spec.job, "relaunched", f"on {result.get('worker')}: {result['relaunched']}")
            self.summary.relaunches[spec.engine] = self.summary.relaunches.get(spec.engine, 0) + 1
        try:  # a blocked job is stored as such for now (a crash keeps it, a resume redoes it)
            status = store_result(self.store, self.evidence, self.run_id, result)
        except (EvidenceMismatch, KeyError, TypeError) as exc:
            self._give_up(lane, spec, f"evidence did not arrive intact: {exc}")
            return
        verdict = lane.record(spec.job, status, pause_s=float(result.get("retry_after_s") or 0),
                              relaunched=result.get("relaunched"))
        if verdict == DONE:  # RETRY: sent again later in the night; RETAKE: sent again next, to a fresh browser
            self._done(spec, status)

    def _give_up(self, lane: EngineLane, spec: JobSpec, why: str) -> None:
        lane.lost(spec.job)
        if spec.key in self.stored:
            return
        log.warning("%s %s %r: %s", spec.engine, spec.device, spec.query, why)
        self.events.emit(spec.job, "gave_up", why)
        record = CaptureRecord(spec.job, "error", f"{spec.language}-{spec.region}", utc_now(), error=why)
        store_capture(self.store, self.evidence, self.run_id, record)
        self._done(spec, "error")

    def _done(self, spec: JobSpec, status: str) -> None:
        self.stored.add(spec.key)
        self.summary.count(status)
        if self.progress:
            self.progress(spec.job, status)


def crawl_distributed(settings: Settings, store: Store, jobs: list[Job], run_id: str, evidence: EvidenceFolder, *,
                      resolve_all_to: str | None, seed: str = "", progress: Callable[[Job, str], None] | None = None
                      ) -> CrawlSummary:
    """The crawl stage on the workers: same jobs, same policy, same stored captures as
    :func:`serpaudit.crawl.jobs.crawl`."""
    return DistributedCrawl(settings, store, run_id, evidence, resolve_all_to=resolve_all_to, seed=seed,
                            progress=progress).run(jobs)

