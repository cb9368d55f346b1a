"""The worker side: ``serpaudit worker`` and the capture task it runs.

Each worker process keeps one Chromium (per sandbox address; issue 22) with a view per engine setting (started
at the engine's first job: its own contexts, proxy and profile), built from the worker's own settings as a
local lane's is: the engine's proxy (``proxies``), its profile under
``profile_dir``, the browser and its flags are the worker's business, so a worker in Germany runs with German
egress.  The locale and default time zone follow the job's region and language.  It never opens the
database: the capture goes back to the coordinator.  A Chromium is relaunched after errors as a local lane's
is (:class:`serpaudit.crawl.policy.BrowserHealth`); the result says so, and the coordinator sends the job
again, once.

Politeness is the worker's too (:mod:`.pacing`): the local lane's per-engine budgets, shared by every worker
process on the same egress through Redis.  The rest of the night's policy (retries, giving up, the window)
is the coordinator's.
"""

from __future__ import annotations

import fcntl
import logging
import os
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import IO, Any

from celery import shared_task
from celery.signals import worker_process_shutdown

from crawler.browser import Browser, BrowserConfig, find_chromium
from crawler.browser_owner import SharedChromium
from crawler.engines import ENGINE_NAMES
from serpaudit.crawl.browsers import browser_config
from serpaudit.crawl.distributed.app import CAPTURE_TASK, make_app, queue_for
from serpaudit.crawl.distributed.heartbeat import process_heartbeat, settled
from serpaudit.crawl.distributed.pacing import DEFER_AFTER_S, SharedPacer, egress_of, worker_limits
from serpaudit.crawl.distributed.records import JobSpec, refused_result, run_job
from serpaudit.crawl.distributed.sessions import session_key
from serpaudit.crawl.policy import BLOCKED, BrowserHealth
from serpaudit.crawl.politeness import engine_proxy, longest_spread_delay_s, without_budgets
from serpaudit.settings import Settings, load_settings

log = logging.getLogger(__name__)

_state: dict[str, Any] = {"settings": None, "profile_slot": None}
_browsers: dict[BrowserConfig, Browser] = {}  # this process's browsers, one per distinct engine setting
_shared: dict[tuple[str | None, bool, str | None], SharedChromium] = {}  # their Chromium, one per launch
_health: dict[BrowserConfig, BrowserHealth] = {}  # when each of them is relaunched
_slot_lock: list[IO[str]] = []  # held for the life of the process: its profile slot is its own


def _worker_settings() -> Settings:
    if _state["settings"] is None:
        _state["settings"] = load_settings()
    return _state["settings"]


def profile_slot(profile_dir: str) -> str:
    """This process's own profile folder under ``profile_dir``: ``worker-<n>``, the first one free.

    Chromium locks a profile, and every worker process on a host reads the same ``profile_dir``; a slot is
    held (``flock``) for the life of the process, and the next night's processes take the same slots again,
    so consent cookies survive.
    """
    if _state["profile_slot"] is None:
        root = Path(profile_dir)
        root.mkdir(parents=True, exist_ok=True)
        for n in range(1000):
            fh = (root / f"worker-{n}.lock").open("a")
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                fh.close()
                continue
            _slot_lock.append(fh)
            _state["profile_slot"] = str(root / f"worker-{n}")
            break
        else:
            raise RuntimeError(f"profile_dir {profile_dir}: no free worker profile slot out of 1000")
    return str(_state["profile_slot"])


def job_browser_config(settings: Settings, spec: JobSpec) -> BrowserConfig:
    """The Chromium ``spec`` runs in: as a local lane's for its engine (proxy, profile), in the job's locale."""
    own = replace(settings, region=spec.region, language=spec.language)
    if settings.profile_dir:
        own = replace(own, profile_dir=profile_slot(settings.profile_dir))
    return browser_config(own, spec.resolve_all_to, spec.engine)


def job_pacer(client: Any, settings: Settings, spec: JobSpec) -> SharedPacer:
    """The politeness budget ``spec`` waits for its turn in: its engine's, on this worker's egress."""
    egress = egress_of(settings, spec.engine)
    if spec.resolve_all_to and not settings.sandbox_politeness:
        # the sandbox web is ours (as for a local run): backoff after blocks only
        settings = replace(without_budgets(settings), worker_min_delay_s=0)
        egress = f"sandbox:{spec.resolve_all_to}"
    return SharedPacer(client, spec.engine, worker_limits(settings, spec.engine), egress,
                       max_wait_s=settings.job_timeout_s / 2, defer_after_s=DEFER_AFTER_S if spec.may_defer else None)


# Chromiums one worker process keeps at once: one per engine setting, and the night before's while its
# settings (the sandbox address, a locale) are no longer asked for; the least recently used one is closed
MAX_BROWSERS = 2 * len(ENGINE_NAMES)


def _browser(config: BrowserConfig) -> Browser:
    """``config``'s Chromium in this process. All of them share the process's one Playwright driver
    (crawler.browser_driver): a second sync Playwright cannot start in the same thread."""
    if config in _browsers:
        _browsers[config] = _browsers.pop(config)  # the most recently used last
        return _browsers[config]
    while len(_browsers) >= MAX_BROWSERS:
        close_browser(next(iter(_browsers)))
    for other in [c for c in _browsers if config.profile_dir and c.profile_dir == config.profile_dir]:
        close_browser(other)  # one Chromium at a time holds a profile folder (last night's, say)
    _browsers[config] = Browser(config, shared=_chromium_for(config)).__enter__()
    return _browsers[config]


def _chromium_for(config: BrowserConfig) -> SharedChromium:
    """The process's one Chromium for ``config``'s launch (the night's sandbox address): the engines' browsers are
    views on it; last night's is closed, with its views, when a new night's starts."""
    key = (config.executable, config.headless, config.resolve_all_to)
    if key not in _shared:
        for old in list(_shared):
            for view in [c for c in _browsers if (c.executable, c.headless, c.resolve_all_to) == old]:
                close_browser(view)
            _shared.pop(old).__exit__(None, None, None)
        settings = _state["settings"]
        proxies = tuple(p for p in ([config.proxy] + [engine_proxy(settings, e) for e in ENGINE_NAMES]
                                    if settings else [config.proxy]) if p)
        _shared[key] = SharedChromium(replace(config, proxy=None, profile_dir=None), proxies=proxies).__enter__()
    return _shared[key]


def close_browser(config: BrowserConfig | None = None, *_: Any, **__: Any) -> None:
    """Close ``config``'s Chromium (a failed one), or all of them (``None``, or as a Celery signal handler)."""
    which = [config] if isinstance(config, BrowserConfig) else list(_browsers)
    for key in which:
        browser = _browsers.pop(key, None)
        if browser is None:
            continue
        try:
            browser.__exit__(None, None, None)
        except Exception as exc:  # a crashed Chromium cannot be closed politely; a new one starts anyway
            log.warning("closing the browser failed: %s", exc)
    if not isinstance(config, BrowserConfig):  # all of them: their Chromium too
        for launch in list(_shared):
            _shared.pop(launch).__exit__(None, None, None)


def capture_task(task: Any, payload: dict[str, Any]) -> dict[str, Any]:
    """Celery task body: run one capture job, return its record (see :mod:`.records`)."""
    spec = JobSpec.from_json(payload)
    client = task.app.backend.client
    current = client.get(session_key(spec.run_id))
    if current is not None and current.decode() != spec.session:
        # sent by a coordinator that has since crashed and been restarted: the new one sent its own copy
        log.info("job %s: stale (session %s, now %s); skipped", spec.key, spec.session, current.decode())
        return {"key": spec.key, "stale": True}
    if settled(client, spec.run_id, task.request.id):
        # its worker was thought lost and the job sent again as another task, or it is stored already
        log.info("job %s: task %s settled by the coordinator; skipped", spec.key, task.request.id)
        return {"key": spec.key, "stale": True}
    beat = process_heartbeat(partial(_own_client, client), task.request.hostname or "")
    with beat.running(task.request.id):
        return _capture(task, client, spec)


def _own_client(client: Any) -> Any:
    """A client of its own for the heartbeat thread, on the result backend's (thread-safe) connection pool."""
    return type(client)(connection_pool=client.connection_pool)


def _capture(task: Any, client: Any, spec: JobSpec) -> dict[str, Any]:
    settings = _worker_settings()
    pacer = job_pacer(client, settings, spec)
    turn = pacer.turn()
    if turn.deferred:  # the coordinator sends it again; this process takes the next job meanwhile
        # worded unlike a searched job's line ("job K session S: ..."), which the cluster tests count as executions
        log.info("job %s deferred (session %s, %s %s %r): its turn on %s is %.1f s off", spec.key, spec.session,
                 spec.engine, spec.device, spec.query, pacer.egress, turn.retry_after_s)
        return {"key": spec.key, "deferred": True, "retry_after_s": turn.retry_after_s,
                "worker": task.request.hostname}
    if turn.refused:
        result = refused_result(spec, turn.refused)
        result["retry_after_s"] = turn.retry_after_s  # the coordinator sends it again after that
    else:
        config = job_browser_config(settings, spec)
        try:
            browser = _browser(config)
            result = run_job(browser, spec)
        except Exception:
            close_browser(config)  # the next job gets a fresh Chromium
            raise
        status = result["record"]["status"]
        alive = bool(getattr(browser, "alive", lambda: True)())
        why = _health.setdefault(config, BrowserHealth()).after(status, alive=alive)
        if why:
            log.warning("%s browser %s after job %s: relaunching it", spec.engine, why, spec.key)
            close_browser(config)
            result["relaunched"] = why
        if status in BLOCKED:
            result["retry_after_s"] = pacer.blocked()
            log.warning("%s blocked (%s) on %s: pausing it there for %.0f s", spec.engine, status, pacer.egress,
                        result["retry_after_s"])
        elif status != "error":
            pacer.answered()
    result["worker"] = task.request.hostname
    log.info("job %s session %s: %s %s %r: %s (waited %.1f s for its turn)", spec.key, spec.session, spec.engine,
             spec.device, spec.query, result["record"]["status"], turn.waited_s)
    return result


# registered on every Celery app make_app builds (app.py does not import this module: no circle)
shared_task(name=CAPTURE_TASK, bind=True)(capture_task)


def run_worker(settings: Settings, queues: list[str], concurrency: int, loglevel: str = "INFO") -> None:
    """Serve the given region queues until stopped (SIGTERM: finish the jobs at hand, then exit)."""
    find_chromium(settings.browser_path or None)  # no Chromium: say so now, not at the first job
    if settings.worker_min_delay_s:
        log.warning("worker_min_delay_s is deprecated: workers keep min_delay_s, jitter_s, max_per_hour, "
                    "engine_limits and the backoff like a local lane; worker_min_delay_s = %d is read as the "
                    "least min_delay_s", settings.worker_min_delay_s)
    _state["settings"] = settings
    for engine in ENGINE_NAMES:
        gap = longest_spread_delay_s(worker_limits(settings, engine))
        if concurrency * gap > settings.job_timeout_s / 2:
            log.warning("--concurrency %d: %s searches are up to %.0f s apart on this egress, so a job may wait "
                        "%.0f s for its turn, more than half of job_timeout_s (%d): such jobs come back blocked; "
                        "run fewer processes per egress", concurrency, engine, gap, concurrency * gap,
                        settings.job_timeout_s)
    app = make_app(settings)
    worker_process_shutdown.connect(close_browser, weak=False)
    names = ",".join(queue_for(q) for q in queues) or queue_for(settings.region)
    app.worker_main([
        "worker", f"--queues={names}", f"--concurrency={concurrency}", "--pool=prefork",
        f"--loglevel={loglevel}", f"--hostname=serpaudit-{os.getpid()}@%h",
        "--without-gossip", "--without-mingle", "--prefetch-multiplier=1",
    ])  # fmt: skip
