"""The night's job policy, written once: the local lanes and the Celery coordinator both follow it.

One :class:`EngineLane` per engine holds that engine's jobs in the night's order and decides::

    next_at()  when the next turn is due: at once, after a block's pause, or at its slot in the window
    take()     the turn: a job to capture (``started``), or one given up (``gave_up``)
    record()   what came back: answered (``captured``), or blocked (``blocked``, then ``retry_scheduled``
               at the back of the lane, or final once its ``block_retries`` are spent)

An engine that blocks pauses for the pause its pacing reports (:class:`Pacing`: the local
:class:`~serpaudit.crawl.politeness.Pacer`, or a worker's Redis-shared pacer on its egress). After
``GIVE_UP_AFTER`` blocks in a row the lane gives up: every job still waiting is recorded blocked (not
audited, never "no ads").

A local lane has one job out at a time. An executor that may send several at once (the coordinator)
gets a lane *width*: one job at the start of the night and after every block, doubling with every
answer. So an engine is probed before it is searched wide, and a blocking engine gets the same turns
from the coordinator as from a local lane.

The window (``window = "01:00-05:00"``) is a deadline taken when the night starts: each turn waits at
least what is left of the window divided by the jobs left, so the night is spread over it; a night past
its window goes on as fast as its pacing allows. :class:`BrowserHealth` says when a browser is
relaunched after errors. Every decision is a :class:`JobEvent` in the night's :class:`EventLog`.

The executors only carry the decisions out: :mod:`serpaudit.crawl.lanes` in threads on this machine,
:mod:`serpaudit.crawl.distributed.coordinator` by sending jobs to the workers.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from serpaudit.crawl.capture import Job
from serpaudit.crawl.politeness import Turn, parse_window, window_end

log = logging.getLogger(__name__)

GIVE_UP_AFTER = 6  # blocks in a row: with the default backoff, about an hour of trying
ERRORS_BEFORE_RELAUNCH = 2  # failed jobs in a row: the browser may hang
MAX_WIDTH = 1024  # an engine's jobs out at once, at most (the executor keeps its own, smaller, limit)
BLOCKED = ("captcha", "blocked")
DONE, RETRY, RETAKE = "done", "retry", "retake"  # what EngineLane.record decided
KINDS = ("started", "captured", "blocked", "retry_scheduled", "gave_up", "relaunched")


class Pacing(Protocol):
    """An engine's politeness budget where its searches leave from (its egress)."""

    def turn(self) -> Turn:
        """Wait for the engine's next turn there and take it (``Turn.refused``: none comes in time)."""
        ...

    def blocked(self) -> float:
        """The engine blocked a search: pause it; returns the pause in seconds."""
        ...

    def answered(self) -> None:
        """A search was answered: the next block starts the backoff from the beginning."""
        ...


@dataclass(frozen=True)
class JobEvent:
    """One decision of the policy about one job, ``at`` seconds after the night started."""

    job: tuple[str, str, str, str]  # Job.key: (brand, engine, query, device)
    kind: str  # one of KINDS
    at: float
    detail: str = ""


class EventLog:
    """The night's policy decisions, in order (thread-safe: lanes emit from their threads)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.started = clock()
        self._events: list[JobEvent] = []
        self._lock = threading.Lock()

    def emit(self, job: Job, kind: str, detail: str = "") -> JobEvent:
        event = JobEvent(job.key, kind, self.clock() - self.started, detail)
        with self._lock:
            self._events.append(event)
        if kind in ("retry_scheduled", "gave_up", "relaunched"):
            log.info("%s %s %r: %s%s", job.engine, job.device, job.query, kind.replace("_", " "),
                     f" ({detail})" if detail else "")
        return event

    @property
    def events(self) -> list[JobEvent]:
        with self._lock:
            return list(self._events)

    def counts(self) -> Counter[str]:
        return Counter(e.kind for e in self.events)


@dataclass(frozen=True)
class NightWindow:
    """The night's time window as a deadline on the executor's clock (``None``: no window)."""

    ends_at: float | None = None

    @classmethod
    def of(cls, text: str, *, clock: Callable[[], float] = time.monotonic,
           wall: Callable[[], datetime] = lambda: datetime.now(UTC)) -> NightWindow:
        """``window = "01:00-05:00"`` (UTC), read when the night starts: it ends when the window holding now
        ends (a night started before its window spreads until that window's end)."""
        window = parse_window(text)
        if window is None:
            return cls()
        now = wall()
        return cls(clock() + (window_end(window, now) - now).total_seconds())

    def gap_s(self, now: float, jobs_left: int) -> float:
        """The least gap before the next turn: what is left of the window over the jobs left in it."""
        if self.ends_at is None or jobs_left <= 0:
            return 0.0
        return max(0.0, (self.ends_at - now) / jobs_left)


NO_WINDOW = NightWindow()


@dataclass(frozen=True)
class GiveUp:
    """A job the lane gave up on: recorded blocked with ``reason``, never searched."""

    job: Job
    reason: str


class EngineLane:
    """One engine's jobs and the policy's decisions about them (thread-confined: one executor thread)."""

    def __init__(self, engine: str, jobs: list[Job], *, block_retries: int, events: EventLog,
                 window: NightWindow = NO_WINDOW, clock: Callable[[], float] = time.monotonic,
                 give_up_after: int = GIVE_UP_AFTER) -> None:
        self.engine, self.block_retries, self.events = engine, block_retries, events
        self.window, self.clock, self.give_up_after = window, clock, give_up_after
        self.pending: deque[Job] = deque(jobs)
        self.out: set[Job] = set()  # taken, not yet recorded
        self.tries: Counter[Job] = Counter()  # blocks per job
        self.retaken: set[Job] = set()  # taken again after a relaunch
        self.blocks_in_row = 0
        self.width = 1  # jobs that may be out at once: 1 until answers come, doubling with each
        self.paused_until = 0.0
        self.last_start: float | None = None

    @property
    def done(self) -> bool:
        return not self.pending and not self.out

    @property
    def gave_up(self) -> bool:
        return self.blocks_in_row >= self.give_up_after

    def next_at(self) -> float | None:
        """When the next turn is due; None when no turn is to come now (nothing waits, or the lane is full)."""
        if not self.pending:
            return None
        now = self.clock()
        if self.gave_up:
            return now
        if len(self.out) >= self.width:
            return None
        at = max(now, self.paused_until)
        if self.last_start is not None:
            at = max(at, self.last_start + self.window.gap_s(now, len(self.pending)))
        return at

    def take(self) -> Job | GiveUp:
        """The next turn (call it when :meth:`next_at` is due)."""
        job = self.pending.popleft()
        if self.gave_up:
            reason = f"{self.engine} kept blocking: backed off for the rest of the night"
            self.events.emit(job, "gave_up", reason)
            return GiveUp(job, reason)
        self.last_start = self.clock()
        self.out.add(job)
        self.events.emit(job, "started")
        return job

    def record(self, job: Job, status: str, *, pause_s: float = 0.0, relaunched: str | None = None) -> str:
        """What ``job``'s turn came back with: ``pause_s`` is the pause its pacing took after a block,
        ``relaunched`` why its browser was relaunched after it (see :class:`BrowserHealth`).

        Returns ``DONE`` (store it: final), ``RETRY`` (store it, blocked for now: it goes to the back of the
        lane) or ``RETAKE`` (an error its browser's relaunch may cure: taken again next, once; not stored).
        """
        self.out.discard(job)
        if status not in BLOCKED:
            if status == "error" and relaunched and job not in self.retaken:
                self.retaken.add(job)
                self.pending.appendleft(job)
                return RETAKE
            self.events.emit(job, "captured", status)
            if status != "error":
                self.blocks_in_row = 0
                self.width = min(2 * self.width, MAX_WIDTH)
            return DONE
        self.blocks_in_row += 1
        self.width = 1
        self.paused_until = max(self.paused_until, self.clock() + pause_s)
        self.events.emit(job, "blocked", f"{status}; paused {pause_s:.1f} s, {self.blocks_in_row} in a row")
        if self.gave_up:
            self.events.emit(job, "gave_up", f"{self.engine} kept blocking")
            return DONE
        if self.tries[job] >= self.block_retries:
            return DONE  # its retries are spent: it stays blocked (not audited)
        self.tries[job] += 1
        self.pending.append(job)  # later in the night, after the pause
        self.events.emit(job, "retry_scheduled", f"retry {self.tries[job]} of {self.block_retries}")
        return RETRY

    def lost(self, job: Job) -> None:
        """``job`` will not come back (it timed out or failed on its executor): no longer out."""
        self.out.discard(job)


class BrowserHealth:
    """When to relaunch a browser: at once when it crashed, after ``ERRORS_BEFORE_RELAUNCH`` errors in a row
    when it may hang."""

    def __init__(self, errors_before_relaunch: int = ERRORS_BEFORE_RELAUNCH) -> None:
        self.errors_before_relaunch = errors_before_relaunch
        self.errors_in_row = 0

    def after(self, status: str, *, alive: bool) -> str | None:
        """Why the browser is relaunched after a job that came back ``status``, or None to keep it."""
        if status != "error":
            self.errors_in_row = 0
            return None
        self.errors_in_row += 1
        if not alive:
            self.errors_in_row = 0
            return "crashed"
        if self.errors_in_row >= self.errors_before_relaunch:
            self.errors_in_row = 0
            return "failing: maybe hung"
        return None
