"""A worker host's politeness: a local lane's engine budgets, shared through Redis by everything on one egress.

Each worker process enforces the same per-engine :class:`~serpaudit.crawl.politeness.Limits` a local lane keeps
(``min_delay_s`` plus up to ``jitter_s``, ``max_per_hour``, ``engine_limits``, exponential backoff from
``backoff_s`` up to ``backoff_max_s`` after blocks).  The state lives in one Redis hash per (egress, engine),
so every worker process leaving through one address -- ``--concurrency N``, several ``serpaudit worker``
processes on one host, or hosts sharing one proxy -- shares one budget::

    serpaudit:polite:<egress>:<engine>  ->  next_at       the earliest start of the next search (Redis clock)
                                            paused_until  the engine's backoff after blocks
                                            blocks        blocks in a row seen from this egress

A job reserves the next free turn (a transaction: two processes never get the same one) and sleeps until it,
when that is at most ``DEFER_AFTER_S`` away.  A turn further off is not reserved: the job goes back to the
coordinator (``deferred``), which sends it again when the engine's soonest turn on any egress comes
(:func:`soonest_turn_s`), and the worker takes the next job meanwhile.  A worker process runs one job at a time,
so sleeping for one engine's turn kept the others' free turns unused (a night on 4 egresses ran at half its
politeness floor with captures of 0.5 s, its workers waiting 3 s for turns).
As a local lane does, a worker spreads ``max_per_hour`` evenly (turns at least 3600 / max_per_hour s apart), so
a job waits for its turn inside ``job_timeout_s``.  When the turn is further off than half of that (the
engine is paused after blocks, or too many processes share the egress), the job is not searched and comes
back ``blocked``, with the reason: not audited, never "no ads".

This is the policy's pacing on a worker (:class:`serpaudit.crawl.policy.Pacing`); the coordinator keeps the rest
of the policy (:mod:`serpaudit.crawl.policy`): the engine's pause after a block, retries, giving up, the window.
"""

from __future__ import annotations

import random
import socket
import time
from collections.abc import Callable
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from serpaudit.crawl.politeness import Limits, Turn, backoff_pause_s, engine_limits, engine_proxy, spread_delay_s

STATE_TTL_S = 24 * 3600  # an egress's budget state outlives a night's pauses, then Redis forgets it
# A turn this close is slept for; one further off is deferred (the job sent back and again costs a round trip
# through the broker, about the coordinator's poll, 0.1 s, and a task: far less than a second of a worker idle).
DEFER_AFTER_S = 1.0
KEY_PREFIX = "serpaudit:polite"


def egress_of(settings: Any, engine: str) -> str:
    """Where ``engine``'s searches leave from: its proxy (host:port, never the credentials), else the ``egress``
    setting, else this host."""
    proxy = engine_proxy(settings, engine)
    if proxy:
        parts = urlsplit(proxy)
        return f"proxy:{parts.hostname}:{parts.port or ''}"
    return f"egress:{settings.egress}" if settings.egress else f"host:{socket.gethostname()}"


def worker_limits(settings: Any, engine: str) -> Limits:
    """``engine``'s limits on a worker: a local lane's, with the deprecated ``worker_min_delay_s`` as a floor."""
    limits = engine_limits(settings, engine)
    if settings.worker_min_delay_s > limits.min_delay_s:
        return Limits(float(settings.worker_min_delay_s), limits.jitter_s, limits.max_per_hour, limits.backoff_s,
                      limits.backoff_max_s)
    return limits


class SharedPacer:
    """One engine's budget on one egress, kept in Redis (``client``: a redis-py client)."""

    def __init__(self, client: Any, engine: str, limits: Limits, egress: str, *, max_wait_s: float,
                 defer_after_s: float | None = None, rng: random.Random | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.client, self.engine, self.limits, self.egress = client, engine, limits, egress
        self.max_wait_s, self.defer_after_s = max_wait_s, defer_after_s
        self.rng, self.sleep = rng or random.Random(), sleep
        self.key = f"{KEY_PREFIX}:{egress}:{engine}"

    def turn(self) -> Turn:
        """Wait for this egress's next turn on the engine (at most ``max_wait_s``); with ``defer_after_s``, a
        turn further off than that is not waited for (``Turn.deferred``, nothing reserved)."""
        waited = 0.0
        while True:
            start, now, why = self.client.transaction(partial(self._reserve, budget_s=self.max_wait_s - waited),
                                                      self.key, value_from_callable=True)
            if why == _DEFER:
                return Turn(waited, retry_after_s=start - now, deferred=True)
            if why:
                return Turn(waited, why, start - now)
            if start <= now:
                return Turn(waited)
            self.sleep(start - now)
            waited += start - now
            # another process may have seen a block meanwhile: then this turn falls in the pause; take a new one
            now = self._now(self.client)
            if float(self.client.hget(self.key, "paused_until") or 0) <= now:
                return Turn(waited)

    def _reserve(self, pipe: Any, budget_s: float) -> tuple[float, float, str | None]:
        now = self._now(pipe)
        state = {k.decode(): float(v) for k, v in pipe.hgetall(self.key).items()}
        paused_until = state.get("paused_until", 0.0)
        start = max(now, state.get("next_at", 0.0), paused_until)
        if start - now > budget_s:
            if paused_until >= start:
                why = (f"{self.engine} paused on this egress for {paused_until - now:.0f} s more after "
                       f"{int(state.get('blocks', 0))} block(s) in a row")
            else:
                why = (f"no turn on {self.engine} from this egress within {self.max_wait_s:.0f} s: more worker "
                       f"processes share it than its politeness budget serves")
            return start, now, why
        if self.defer_after_s is not None and start - now > self.defer_after_s:
            return start, now, _DEFER
        pipe.multi()
        pipe.hset(self.key, "next_at", start + spread_delay_s(self.limits, self.rng))
        pipe.expire(self.key, STATE_TTL_S)
        return start, now, None

    def blocked(self) -> float:
        """The engine blocked a search from this egress: pause it for everyone there; returns the pause."""

        def pause(pipe: Any) -> float:
            now = self._now(pipe)
            blocks = int(float(pipe.hget(self.key, "blocks") or 0)) + 1
            seconds = backoff_pause_s(self.limits, blocks)
            until = max(now + seconds, float(pipe.hget(self.key, "paused_until") or 0))
            pipe.multi()
            pipe.hset(self.key, mapping={"blocks": blocks, "paused_until": until})
            pipe.expire(self.key, STATE_TTL_S)
            return seconds

        return float(self.client.transaction(pause, self.key, value_from_callable=True))

    def answered(self) -> None:
        """A search was answered (not blocked): the next block starts the backoff from ``backoff_s`` again."""
        self.client.hset(self.key, "blocks", 0)

    @staticmethod
    def _now(client: Any) -> float:
        """Redis's clock: hosts that share one proxy share one clock."""
        seconds, micros = client.time()
        return seconds + micros / 1_000_000


_DEFER = "defer"  # _reserve's answer for a turn too far off to wait for idle


def soonest_turn_s(client: Any, engine: str) -> float | None:
    """Seconds until ``engine``'s soonest turn on any egress that has searched it (Redis's clock; 0: one is free
    now), or None when no egress has a budget for it yet."""
    seconds, micros = client.time()
    now = seconds + micros / 1_000_000
    soonest = None
    for key in client.scan_iter(f"{KEY_PREFIX}:*:{engine}", count=100):
        state = {k.decode(): float(v) for k, v in client.hgetall(key).items()}
        at = max(state.get("next_at", 0.0), state.get("paused_until", 0.0)) - now
        soonest = at if soonest is None else min(soonest, at)
    return None if soonest is None else max(soonest, 0.0)
