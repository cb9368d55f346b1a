"""The worker side: ``serpaudit worker`` and the capture task it runs.

Each worker process keeps its own Chromium (started at its first job, relaunched after a failure), built
from the worker's own settings: its browser, proxy and profile are the worker's business, so a worker in
Germany runs with German egress.  It never opens the database: the capture goes back to the coordinator.
Politeness is the worker's too: the engine back-off after blocked pages counts this worker's pages.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import time
from typing import Any

from crawler.browser import Browser, BrowserConfig, find_chromium
from serpaudit.crawl import BLOCKS_BEFORE_BACKOFF
from serpaudit.distributed.records import JobSpec, run_job
from serpaudit.settings import Settings

log = logging.getLogger(__name__)

_state: dict[str, Any] = {"settings": None, "browser": None, "config": None}
_blocked_in_row: dict[tuple[str, str], int] = {}  # (run, engine) -> blocked pages in a row on this worker


def session_key(run_id: str) -> str:
    """Redis key holding the coordinator session currently driving ``run_id``."""
    return f"serpaudit:run:{run_id}:session"


def _worker_settings() -> Settings:
    if _state["settings"] is None:
        from serpaudit.settings import load_settings

        _state["settings"] = load_settings()
    return _state["settings"]


def _browser(resolve_all_to: str | None) -> Browser:
    from serpaudit.pipeline import browser_config

    config: BrowserConfig = browser_config(_worker_settings(), resolve_all_to)
    if _state["browser"] is not None and _state["config"] != config:
        close_browser()
    if _state["browser"] is None:
        _state["browser"] = Browser(config).__enter__()
        _state["config"] = config
    return _state["browser"]


def close_browser(*_: Any, **__: Any) -> None:
    browser, _state["browser"] = _state["browser"], None
    if browser is not None:
        try:
            browser.__exit__(None, None, None)
        except Exception as exc:  # a crashed Chromium cannot be closed politely; a new one starts anyway
            log.warning("closing the browser failed: %s", exc)


def polite_turn(client: Any, engine: str, min_delay_s: float, egress: str | None = None,
                sleep: Any = time.sleep) -> float:
    """Wait until this egress may search ``engine`` again; returns the seconds waited.

    A Redis key per (egress, engine) that expires after the delay: whoever sets it may search.  Shared by
    every worker process on the host, so ``--concurrency`` does not multiply the rate an engine sees.
    """
    if min_delay_s <= 0:
        return 0.0
    key = f"serpaudit:polite:{egress or socket.gethostname()}:{engine}"
    waited = 0.0
    while not client.set(key, "1", nx=True, px=int(min_delay_s * 1000 * (1 + random.random() / 4))):
        pause = max(client.pttl(key), 50) / 1000
        sleep(pause)
        waited += pause
    return waited


def capture_task(task: Any, payload: dict[str, Any]) -> dict[str, Any]:
    """Celery task body: run one capture job, return its record (see :mod:`.records`)."""
    spec = JobSpec.from_json(payload)
    current = task.app.backend.client.get(session_key(spec.run_id))
    if current is not None and current.decode() != spec.session:
        # sent by a coordinator that has since crashed and been restarted: the new one sent its own copy
        log.info("job %s: stale (session %s, now %s); skipped", spec.key, spec.session, current.decode())
        return {"key": spec.key, "stale": True}
    polite_turn(task.app.backend.client, spec.engine, _worker_settings().worker_min_delay_s)
    counter = (spec.run_id, spec.engine)
    backed_off = _blocked_in_row.get(counter, 0) >= BLOCKS_BEFORE_BACKOFF
    try:
        result = run_job(_browser(spec.resolve_all_to), spec, backed_off=backed_off)
    except Exception:
        close_browser()  # the next job gets a fresh Chromium
        raise
    status = result["record"]["status"]
    if status in ("captcha", "blocked") and not backed_off:
        _blocked_in_row[counter] = _blocked_in_row.get(counter, 0) + 1
    elif status != "error":
        _blocked_in_row[counter] = 0
    result["worker"] = task.request.hostname
    log.info("job %s session %s: %s %s %r: %s", spec.key, spec.session, spec.engine, spec.device, spec.query,
             status)
    return result


def run_worker(settings: Settings, queues: list[str], concurrency: int, loglevel: str = "INFO") -> None:
    """Serve the given region queues until stopped (SIGTERM: finish the jobs at hand, then exit)."""
    from celery.signals import worker_process_shutdown

    from serpaudit.distributed.app import make_app, queue_for

    find_chromium(settings.browser_path or None)  # no Chromium: say so now, not at the first job
    _state["settings"] = settings
    app = make_app(settings)
    worker_process_shutdown.connect(close_browser, weak=False)
    names = ",".join(queue_for(q) for q in queues) or queue_for(settings.region)
    app.worker_main([
        "worker", f"--queues={names}", f"--concurrency={concurrency}", "--pool=prefork",
        f"--loglevel={loglevel}", f"--hostname=serpaudit-{os.getpid()}@%h",
        "--without-gossip", "--without-mingle", "--prefetch-multiplier=1",
    ])  # fmt: skip
