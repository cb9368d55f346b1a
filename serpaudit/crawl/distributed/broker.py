"""The broker (Redis) going away mid-night: the coordinator waits for it, within a bound, and carries on.

A broker restart (an upgrade, a reboot of its host, an out-of-memory kill) makes every Redis call fail for a
while.  The coordinator then logs one clear line, asks Redis every second whether it is back (a line every
``NOTE_EVERY_S`` while it waits), and up to ``broker_wait_s`` (a setting) carries on where it stopped: what
it had sent is sent again where the broker lost it (a Redis without persistence comes back empty; the run's
session key says so), and the rest is collected as usual.  A broker still away after ``broker_wait_s`` stops
the night with :class:`~serpaudit.crawl.distributed.errors.BrokerUnavailable`: a clear error, and the run left
``running``, so the next ``serpaudit run`` resumes it (stored jobs are not searched again).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from celery.exceptions import BackendError
from kombu.exceptions import OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from serpaudit.crawl.distributed.errors import BrokerUnavailable

log = logging.getLogger(__name__)

# what a call to an unreachable broker raises: redis-py (the result backend), kombu (sending), Celery
BROKER_ERRORS: tuple[type[BaseException], ...] = (RedisConnectionError, RedisTimeoutError, OperationalError,
                                                  BackendError, ConnectionError)
PING_EVERY_S = 1.0
NOTE_EVERY_S = 10.0


def broker_name(url: str) -> str:
    """The broker's address for a log line, never its password."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}:{parts.port or 6379}{parts.path}"


def wait_for_broker(ping: Callable[[], Any], *, url: str, wait_s: float, why: BaseException, what: str,
                    clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> float:
    """Ping the broker until it answers, at most ``wait_s``; returns the seconds it was away.

    Raises :class:`BrokerUnavailable` when it does not come back in time (``what``: what waits for it).
    """
    began = clock()
    name = broker_name(url)
    log.warning("the broker %s does not answer (%s: %s); %s waits for it, up to %.0f s (broker_wait_s)", name,
                type(why).__name__, why, what, wait_s)
    note_at = began + NOTE_EVERY_S
    last: BaseException = why
    while clock() - began < wait_s:  # bounded by wait_s, at one ping a second
        sleep(min(PING_EVERY_S, max(0.0, wait_s - (clock() - began))))
        try:
            ping()
        except BROKER_ERRORS as exc:
            last = exc
        else:
            away = clock() - began
            log.warning("the broker %s answers again after %.0f s; %s goes on", name, away, what)
            return away
        if clock() >= note_at:
            log.warning("still waiting for the broker %s: %.0f s of %.0f s (%s)", name, clock() - began, wait_s, last)
            note_at += NOTE_EVERY_S
    raise BrokerUnavailable(
        f"the broker {name} did not answer for {wait_s:.0f} s (broker_wait_s; last: {type(last).__name__}: "
        f"{last}). The run is left unfinished: start Redis (and the workers) and run again, and it resumes "
        "where it stopped")
