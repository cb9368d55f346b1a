"""The night's searches, one lane per engine, run at once: Google's budget never slows Bing.

Each lane is a thread with its own Playwright and Chromium (Playwright's sync API is
not thread-safe), its own :class:`serpaudit.crawl.politeness.Pacer`, and its engine's
jobs in a shuffled order. Lanes only *take* captures; the calling thread stores
each one as it arrives (the SQLite connection stays in one thread), so a capture
is durable as soon as it is taken.

An engine that blocks pauses (exponential backoff) while the other lanes go on; its
blocked jobs go to the back of its lane and are retried later in the night, up to
``block_retries`` times. After ``GIVE_UP_AFTER`` blocks in a row the lane stops
searching and records its remaining jobs as blocked (never as "no ads").

A browser that crashed (or hangs: errors in a row, or a job past ``job_timeout_s``, when
the lane kills its own Chromium by pid) is closed and relaunched, and the job is taken again.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import Counter, deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from serpaudit.crawl.capture import CaptureRecord, Job, blocked_record, take_capture, utc_now
from serpaudit.crawl.politeness import Pacer
from serpaudit.ops.procs import browser_pids, kill

log = logging.getLogger(__name__)

_LAUNCH = threading.Lock()
GIVE_UP_AFTER = 6  # blocks in a row: with the default backoff, about an hour of trying
ERRORS_BEFORE_RELAUNCH = 2  # failed jobs in a row: the browser may hang


@dataclass(frozen=True)
class LaneOptions:
    region: str
    language: str
    retries: int
    block_retries: int
    job_timeout_s: int = 120


class Lane:
    """One engine's jobs, run in one thread with one browser."""

    def __init__(self, engine: str, jobs: list[Job], pacer: Pacer, open_browser: Callable[[], Any],
                 options: LaneOptions, out: queue.Queue[tuple[str, CaptureRecord | None]],
                 stop: threading.Event) -> None:
        self.engine = engine
        self.jobs = jobs
        self.pacer = pacer
        self.open_browser = open_browser
        self.options = options
        self.out = out
        self.stop = stop
        self.browser: Any = None
        self.pids: set[int] = set()
        self.relaunches = 0

    def run(self) -> None:
        try:
            self._run()
        finally:
            self._close()
            self.out.put((self.engine, None))  # this lane is done

    def _run(self) -> None:
        pending = deque(self.jobs)
        tries: Counter[Job] = Counter()
        errors_in_row = 0
        locale = f"{self.options.language}-{self.options.region}"
        while pending and not self.stop.is_set():
            job = pending.popleft()
            if self.pacer.blocks_in_row >= GIVE_UP_AFTER:
                self.out.put((self.engine, blocked_record(
                    job, locale=locale, reason=f"{self.engine} kept blocking: backed off for the rest of the night")))
                continue
            if not self._sleep(self.pacer.wait_time(len(pending) + 1)):
                return
            record = self._take(job)
            if record.status == "error":
                errors_in_row += 1
                if not self._browser_alive() or errors_in_row >= ERRORS_BEFORE_RELAUNCH:
                    self._relaunch("crashed" if not self._browser_alive() else "failing: maybe hung")
                    errors_in_row = 0
                    record = self._take(job)
            if record.status != "error":
                errors_in_row = 0
            if record.status in ("captcha", "blocked"):
                pause = self.pacer.blocked()
                retry = tries[job] < self.options.block_retries
                tries[job] += 1
                if retry:
                    pending.append(job)  # later in the night, after the pause
                log.warning("%s blocked (%s); backing off %.0f s (%d in a row)%s", self.engine, record.status, pause,
                            self.pacer.blocks_in_row, "; will retry this job later" if retry else "")
            elif record.status != "error":
                self.pacer.answered()
            self.out.put((self.engine, record))

    def _launch(self) -> None:
        with _LAUNCH:  # one launch at a time, so the new Chromium is this lane's
            before = browser_pids()
            self.browser = self.open_browser()
            self.pids = browser_pids() - before

    def _take(self, job: Job) -> CaptureRecord:
        if self.browser is None:
            self._launch()
        self.pacer.searched()
        # the whole job has job_timeout_s: past it, this lane's Chromium is killed (a hung browser),
        # the job fails as an error and the browser is relaunched
        watchdog = threading.Timer(self.options.job_timeout_s, self._hung, [job])
        watchdog.daemon = True
        watchdog.start()
        try:
            return take_capture(self.browser, job, region=self.options.region, language=self.options.language,
                                retries=self.options.retries)
        except Exception as exc:
            if self._browser_alive():
                raise  # a bug, not a crash: fail the night loudly
            # the browser died under the job (outside a page load): an error the lane recovers from
            return CaptureRecord(job, "error", f"{self.options.language}-{self.options.region}", utc_now(),
                                 error=f"browser crashed or hung: {str(exc).splitlines()[0]}")
        finally:
            watchdog.cancel()

    def _hung(self, job: Job) -> None:
        log.warning("%s lane: %r took over %d s (job_timeout_s): stopping its browser", self.engine, job.query,
                    self.options.job_timeout_s)
        kill(self.pids)

    def _browser_alive(self) -> bool:
        return self.browser is not None and bool(getattr(self.browser, "alive", lambda: True)())

    def _relaunch(self, why: str) -> None:
        log.warning("%s lane: browser %s; relaunching it", self.engine, why)
        self._close()
        self.relaunches += 1

    def _close(self) -> None:
        if self.browser is not None:
            try:
                self.browser.__exit__(None, None, None)
            except Exception as exc:  # a crashed browser may not close cleanly; it is replaced anyway
                log.debug("%s lane: closing the browser failed: %s", self.engine, exc)
            self.browser = None

    def _sleep(self, seconds: float) -> bool:
        """Wait, unless the night is stopping; False when it is."""
        if seconds > 0:
            log.debug("%s lane: waiting %.1f s", self.engine, seconds)
        return not self.stop.wait(seconds) if seconds > 0 else not self.stop.is_set()


def run_lanes(lanes: list[Lane], concurrency: int, on_record: Callable[[CaptureRecord], None]) -> dict[str, int]:
    """Run the lanes, ``concurrency`` at a time; ``on_record`` (this thread) stores each capture.

    Returns the browser relaunches per engine.
    """
    if not lanes:
        return {}
    out = lanes[0].out
    stop = lanes[0].stop
    open_lanes = len(lanes)
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="lane") as pool:
        futures: list[Future[None]] = [pool.submit(lane.run) for lane in lanes]
        try:
            while open_lanes:
                _, record = out.get()
                if record is None:
                    open_lanes -= 1
                    continue
                on_record(record)
        except BaseException:
            stop.set()  # lanes finish their current job and end; what they took is lost, not half-stored
            raise
        for f in futures:
            f.result()  # a lane's unexpected error fails the night
    return {lane.engine: lane.relaunches for lane in lanes if lane.relaunches}
