"""The local executor of the night's policy: one lane per engine, run at once, so Google's budget never slows Bing.

Each lane is a thread with its own browser -- on a night, a view on the night's one Chromium
(:class:`serpaudit.crawl.browsers.NightChromium`: its own contexts, one per device, its own deadlines; its calls
run in the Chromium's owner thread, at once with the other lanes') --, its own
:class:`serpaudit.crawl.politeness.Pacer`, and its engine's jobs in a shuffled order. What to search
next, when, and what a block or an error means is :mod:`serpaudit.crawl.policy`'s (the Celery coordinator
follows the same policy); a lane carries it out. Lanes only *take* captures; the calling thread stores
each one as it arrives (the SQLite connection stays in one thread), so a capture is durable as soon as
it is taken.

A browser that crashed (or hangs: errors in a row, or a job past ``job_timeout_s``, when the lane stops its
own browser: a view's page and contexts, or a Chromium of its own by pid) is closed and opened again, and the
job is taken again (once); a shared Chromium that crashed is relaunched once, by the first lane to find it so.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from serpaudit.crawl.capture import CaptureRecord, Job, blocked_record, take_capture, utc_now
from serpaudit.crawl.policy import BLOCKED, NO_WINDOW, RETAKE, BrowserHealth, EngineLane, EventLog, GiveUp, NightWindow
from serpaudit.crawl.politeness import Pacer
from serpaudit.ops.procs import browser_pids, kill

log = logging.getLogger(__name__)

_LAUNCH = threading.Lock()


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
                 stop: threading.Event, *, events: EventLog | None = None,
                 window: NightWindow = NO_WINDOW, on_pause: Callable[[str, float], None] | None = None) -> None:
        self.engine = engine
        self.on_pause = on_pause  # (engine, seconds): told from this lane's thread when it backs off
        self.events = events or EventLog()
        self.policy = EngineLane(engine, jobs, block_retries=options.block_retries, events=self.events,
                                 window=window)
        self.pacer = pacer
        pacer.sleep = stop.wait  # the egress's turn is waited for unless the night is stopping
        self.health = BrowserHealth()
        self.open_browser = open_browser
        self.options = options
        self.locale = f"{options.language}-{options.region}"
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
        while not self.stop.is_set():
            at = self.policy.next_at()
            if at is None:
                return  # one job at a time: nothing is ever out here, so None means the lane is done
            if not self._sleep(at - self.policy.clock()):
                return
            turn = self.policy.take()
            if isinstance(turn, GiveUp):
                self.out.put((self.engine, blocked_record(turn.job, locale=self.locale, reason=turn.reason)))
                continue
            record = self._take(turn)
            if record is None:
                return
            why = self.health.after(record.status, alive=self._browser_alive())
            if why:
                self._relaunch(turn, why)
            pause = 0.0
            if record.status in BLOCKED:
                pause = self.pacer.blocked()
                log.warning("%s blocked (%s); backing off %g s", self.engine, record.status, pause)
                if self.on_pause:
                    self.on_pause(self.engine, pause)
            elif record.status != "error":
                self.pacer.answered()
            if self.policy.record(turn, record.status, pause_s=pause, relaunched=why) != RETAKE:
                self.out.put((self.engine, record))

    def _launch(self) -> None:
        with _LAUNCH:  # one launch at a time, so the new Chromium is this lane's
            before = browser_pids()
            self.browser = self.open_browser()
            self.pids = browser_pids() - before

    def _take(self, job: Job) -> CaptureRecord | None:
        """The job's capture, after its egress's turn; None when the night stopped meanwhile."""
        self._keep_one_context(job.device)
        self.pacer.turn()
        if self.stop.is_set():
            return None
        if self.browser is None:
            self._launch()
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
            return CaptureRecord(job, "error", self.locale, utc_now(),
                                 error=f"browser crashed or hung: {str(exc).splitlines()[0]}")
        finally:
            watchdog.cancel()

    def _keep_one_context(self, device: str) -> None:
        """Close the browser's search contexts of the other devices before the turn's wait: each holds a
        renderer of its own (about 40 MB), and the lane's jobs come device by device (``grouped_by_device``),
        so one is open at a time; a context closed keeps its cookies for when its device comes again."""
        close = getattr(self.browser, "close_search_contexts_except", None)
        if close is None:
            return
        try:
            close(device)
        except Exception as exc:  # a browser stopped meanwhile: the capture fails next, and the lane relaunches it
            log.debug("%s lane: closing the other search contexts failed: %s", self.engine, exc)

    def _hung(self, job: Job) -> None:
        log.warning("%s lane: %r took over %d s (job_timeout_s): stopping its browser", self.engine, job.query,
                    self.options.job_timeout_s)
        stop = getattr(self.browser, "kill", None)
        if stop is not None:
            stop()  # its Chromium and its driver: the call the lane waits in fails at once, whatever it was
        else:
            kill(self.pids)

    def _browser_alive(self) -> bool:
        return self.browser is not None and bool(getattr(self.browser, "alive", lambda: True)())

    def _relaunch(self, job: Job, why: str) -> None:
        log.warning("%s lane: browser %s; relaunching it", self.engine, why)
        self.events.emit(job, "relaunched", why)
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
