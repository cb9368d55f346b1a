"""How fast one engine may be searched from one egress: delay + jitter, an hourly budget, backoff.

One :class:`Pacer` per engine lane on this machine; a Celery worker keeps the same budget shared through
Redis by every process on its egress (:class:`serpaudit.crawl.distributed.pacing.SharedPacer`). Both are the
policy's pacing (:class:`serpaudit.crawl.policy.Pacing`): :meth:`Pacer.turn` waits for the engine's next turn;
after a block :meth:`Pacer.blocked` pauses that engine only (exponentially: ``backoff_s``, doubling up to
``backoff_max_s``) while the other lanes go on.

``max_per_hour`` means the same in both modes: turns at least 3600 / ``max_per_hour`` s apart, so no hour
ever holds more than ``max_per_hour`` searches of an engine from one egress (a budget spread evenly, never
spent in a burst).
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from crawler.engines import ENGINE_NAMES

LIMIT_KEYS = ("min_delay_s", "jitter_s", "max_per_hour")
_WINDOW = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")


class SettingsProblem(ValueError):
    """A night setting with a bad value; the message names the field."""


@dataclass(frozen=True)
class Limits:
    min_delay_s: float
    jitter_s: float
    max_per_hour: int
    backoff_s: float
    backoff_max_s: float


def engine_limits(settings: Any, engine: str) -> Limits:
    base = Limits(settings.min_delay_s, settings.jitter_s, settings.max_per_hour, settings.backoff_s,
                  settings.backoff_max_s)
    changes: dict[str, Any] = {}
    for item in settings.engine_limits:
        name, key, value = _split_limit(item)
        if name == engine:
            changes[key] = int(value) if key == "max_per_hour" else float(value)
    return replace(base, **changes)


def delay_s(limits: Limits, rng: random.Random) -> float:
    """The gap before the next search: ``min_delay_s`` plus up to ``jitter_s`` at random."""
    return limits.min_delay_s + rng.uniform(0, limits.jitter_s)


def backoff_pause_s(limits: Limits, blocks_in_row: int) -> float:
    """The pause after the ``blocks_in_row``-th block in a row: ``backoff_s``, doubling, up to ``backoff_max_s``."""
    return min(limits.backoff_s * 2 ** (blocks_in_row - 1), limits.backoff_max_s)


def spread_delay_s(limits: Limits, rng: random.Random) -> float:
    """The gap before the next search: the delay with its jitter, and the hourly budget spread evenly (never
    more than ``max_per_hour`` searches in any hour)."""
    return max(delay_s(limits, rng), 3600 / limits.max_per_hour if limits.max_per_hour else 0.0)


def longest_spread_delay_s(limits: Limits) -> float:
    return max(limits.min_delay_s + limits.jitter_s, 3600 / limits.max_per_hour if limits.max_per_hour else 0.0)


def without_budgets(settings: Any) -> Any:
    """Settings without delays or hourly budgets (the sandbox web is ours); backoff after blocks stays."""
    return replace(settings, min_delay_s=0.0, jitter_s=0.0, window="", max_per_hour=0, engine_limits=())


# The sandbox web blocks on purpose, to rehearse the backoff: a rehearsal pauses as a real night does, briefly.
SANDBOX_BACKOFF_S = 0.5
SANDBOX_BACKOFF_MAX_S = 2.0


def sandbox_pacing(settings: Any) -> Any:
    """Settings for a night against the sandbox web: no budgets, and backoffs of seconds, not minutes."""
    return replace(without_budgets(settings), backoff_s=min(settings.backoff_s, SANDBOX_BACKOFF_S),
                   backoff_max_s=min(settings.backoff_max_s, SANDBOX_BACKOFF_MAX_S))


def engine_proxy(settings: Any, engine: str) -> str | None:
    for item in settings.proxies:
        name, _, url = item.partition("=")
        if name.strip() == engine:
            return url.strip()
    return None


def _split_limit(item: str) -> tuple[str, str, str]:
    head, eq, value = item.partition("=")
    engine, dot, key = head.strip().partition(".")
    if not eq or not dot or engine not in ENGINE_NAMES or key not in LIMIT_KEYS:
        raise SettingsProblem(f"engine_limits: {item!r} is not ENGINE.KEY=VALUE with ENGINE one of "
                              f"{', '.join(ENGINE_NAMES)} and KEY one of {', '.join(LIMIT_KEYS)}")
    try:
        float(value)
    except ValueError:
        raise SettingsProblem(f"engine_limits: {item!r}: {value!r} is not a number") from None
    return engine, key, value.strip()


def parse_window(text: str) -> tuple[int, int] | None:
    """"01:00-05:00" -> (start, end) in minutes after midnight UTC; may wrap past midnight."""
    if not text:
        return None
    m = _WINDOW.match(text.strip())
    if not m:
        raise SettingsProblem(f"window: {text!r} is not HH:MM-HH:MM (UTC), e.g. 01:00-05:00")
    start, end = int(m[1]) * 60 + int(m[2]), int(m[3]) * 60 + int(m[4])
    if start == end:
        raise SettingsProblem(f"window: {text!r} is empty")
    return start, end


def window_end(window: tuple[int, int], now: datetime) -> datetime:
    """When the window that holds ``now`` ends; outside it, when the next one ends."""
    start, end = window
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    spans = [(midnight + timedelta(days=d, minutes=start),
              midnight + timedelta(days=d + (1 if end <= start else 0), minutes=end)) for d in (-1, 0, 1)]
    inside = [e for s, e in spans if s <= now < e]
    return inside[0] if inside else min(e for s, e in spans if s > now)


def check_night_settings(s: Any) -> None:
    if s.concurrency < 1:
        raise SettingsProblem("concurrency: must be 1 or more")
    for name in ("min_delay_s", "jitter_s", "backoff_s", "backoff_max_s"):
        if getattr(s, name) < 0:
            raise SettingsProblem(f"{name}: must not be negative")
    for name in ("max_per_hour", "block_retries", "retention_days", "min_free_disk_mb"):
        if getattr(s, name) < 0:
            raise SettingsProblem(f"{name}: must not be negative")
    if s.job_timeout_s <= 0:
        raise SettingsProblem("job_timeout_s: must be positive")
    for name in ("max_failed_harvest_share", "max_empty_share"):
        if not 0 <= getattr(s, name) <= 1:
            raise SettingsProblem(f"{name}: must lie between 0 and 1")
    parse_window(s.window)
    for item in s.engine_limits:
        _split_limit(item)
    for item in s.proxies:
        name, eq, url = item.partition("=")
        if not eq or name.strip() not in ENGINE_NAMES or "://" not in url:
            raise SettingsProblem(f"proxies: {item!r} is not ENGINE=URL, e.g. google=http://proxy:3128")


@dataclass(frozen=True)
class Turn:
    waited_s: float
    refused: str | None = None  # why this job may not search now: it is recorded blocked with this reason
    retry_after_s: float = 0.0  # when refused or deferred: how long until the engine has a turn on this egress
    # the turn is further off than a worker waits idle (pacing.DEFER_AFTER_S): nothing was reserved, and the job
    # goes back to the coordinator, which sends it again (another egress may have a turn sooner) while this
    # worker takes a job whose engine has one
    deferred: bool = False


class Pacer:
    """The politeness budget of one engine's lane (thread-confined: one lane, one pacer)."""

    def __init__(self, engine: str, limits: Limits, rng: random.Random, *,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], object] = time.sleep) -> None:
        self.engine = engine
        self.limits = limits
        self.rng = rng
        self.clock = clock
        self.sleep = sleep
        self.next_at: float | None = None
        self.blocks_in_row = 0
        self.paused_until = 0.0

    def wait_time(self) -> float:
        """Seconds to wait before the next search."""
        now = self.clock()
        return max(0.0, self.paused_until - now, (self.next_at or now) - now)

    def turn(self) -> Turn:
        """Wait for the engine's next turn, and take it."""
        wait = self.wait_time()
        if wait > 0:
            self.sleep(wait)
        self.searched()
        return Turn(wait)

    def searched(self) -> None:
        self.next_at = self.clock() + spread_delay_s(self.limits, self.rng)

    def blocked(self) -> float:
        """The engine blocked a search: pause it; returns the pause in seconds."""
        self.blocks_in_row += 1
        pause = backoff_pause_s(self.limits, self.blocks_in_row)
        self.paused_until = self.clock() + pause
        return pause

    def answered(self) -> None:
        self.blocks_in_row = 0
