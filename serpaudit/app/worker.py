"""``serpaudit worker``: serve capture jobs from the broker on this machine."""

from __future__ import annotations

from pathlib import Path

import phonenumbers

from crawler.errors import BrowserNotFound
from serpaudit.app.config import settings_for
from serpaudit.app.errors import IncompleteError, InputError
from serpaudit.night.outcome import Outcome, worker_stopped


def worker(config: Path | None, queues: list[str], concurrency: int) -> Outcome:
    """Serve capture jobs from the broker until stopped."""
    settings = settings_for(config)
    if not settings.broker_url:
        raise InputError("broker_url is not set: a worker needs the broker (e.g. redis://coordinator:6379/0)")
    if concurrency < 1:
        raise InputError(f"--concurrency: {concurrency} is not a positive number")
    bad = [q for q in queues if q.strip().upper() not in phonenumbers.SUPPORTED_REGIONS]
    if bad:
        raise InputError(f"--queues: {', '.join(bad)}: not region codes such as nl, be or de")
    from serpaudit.crawl.distributed.worker import run_worker  # lazy: Celery loads for `serpaudit worker` only

    try:
        run_worker(settings, queues, concurrency)
    except BrowserNotFound as exc:
        raise IncompleteError(str(exc)) from exc
    return worker_stopped()
