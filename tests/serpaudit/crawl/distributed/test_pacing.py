"""A worker host's politeness on a real Redis: a local lane's engine budgets, shared by every process on one egress."""

from __future__ import annotations

import random
import threading

import pytest
import redis

from serpaudit.crawl.distributed.pacing import SharedPacer, egress_of, soonest_turn_s, worker_limits
from serpaudit.crawl.politeness import Limits
from serpaudit.settings import Settings
from tests.support.processes import redis_server


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture
def client(redis_url):
    c = redis.Redis.from_url(redis_url)
    c.flushdb()
    return c


def _limits(min_delay_s=0.0, jitter_s=0.0, max_per_hour=0, backoff_s=60.0, backoff_max_s=1800.0) -> Limits:
    return Limits(min_delay_s, jitter_s, max_per_hour, backoff_s, backoff_max_s)


class Sleeps:
    """Stands in for time.sleep: records how long each turn had to wait (Redis's clock does not move)."""

    def __init__(self) -> None:
        self.asked: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)


def _pacer(client, engine="google", limits=None, egress="host:a", max_wait_s=300.0, sleep=None) -> SharedPacer:
    return SharedPacer(client, engine, limits or _limits(min_delay_s=30, jitter_s=4), egress, max_wait_s=max_wait_s,
                       rng=random.Random(1), sleep=sleep or Sleeps())


def test_searches_on_one_engine_from_one_egress_are_spaced_by_delay_and_jitter(redis_url, client):
    sleeps = Sleeps()
    assert _pacer(client, sleep=sleeps).turn().waited_s == 0
    # a second process on the same egress (its own connection), same engine: waits 30 s + up to 4 s of jitter
    other = redis.Redis.from_url(redis_url)
    turn = _pacer(other, sleep=sleeps).turn()
    assert 29.9 <= turn.waited_s <= 34.1 and turn.refused is None
    assert _pacer(client, engine="bing").turn().waited_s == 0  # another engine goes on
    assert _pacer(client, egress="host:b").turn().waited_s == 0  # another egress too
    no_budget = _limits()
    assert [_pacer(client, "duckduckgo", no_budget).turn().waited_s for _ in range(3)] == [0, 0, 0]


def test_the_hourly_budget_is_spread_evenly_so_no_hour_holds_more_than_max_per_hour(client):
    sleeps = Sleeps()
    pacer = _pacer(client, limits=_limits(min_delay_s=8, jitter_s=4, max_per_hour=40), sleep=sleeps)
    for _ in range(3):
        pacer.turn()
    # 40 an hour: turns 90 s apart, more than the 8-12 s delay; any hour holds at most 40
    assert sleeps.asked[0] == pytest.approx(90, abs=0.5)
    assert sleeps.asked[1] == pytest.approx(180, abs=1)


def test_concurrent_worker_processes_share_one_budget_and_never_take_the_same_turn(redis_url, client):
    waits: list[float] = []
    lock = threading.Lock()

    def process() -> None:
        pacer = _pacer(redis.Redis.from_url(redis_url), limits=_limits(min_delay_s=10), max_wait_s=1000)
        turn = pacer.turn()
        with lock:
            waits.append(turn.waited_s)

    threads = [threading.Thread(target=process) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    # 6 processes at once: 6 turns, 10 s apart, as one lane would search (the clock barely moves meanwhile)
    assert sorted(waits) == pytest.approx([0, 10, 20, 30, 40, 50], abs=1)


def test_blocks_pause_the_engine_on_the_egress_exponentially_and_an_answer_resets_the_backoff(redis_url, client):
    limits = _limits(backoff_s=60, backoff_max_s=200)
    pacer = _pacer(client, limits=limits)
    assert [pacer.blocked() for _ in range(4)] == [60, 120, 200, 200]
    pacer.answered()
    assert pacer.blocked() == 60  # the next block after an answer starts again from backoff_s
    # another process on this egress waits out the pause (really: up to 1 s); a process elsewhere does not
    short = _limits(backoff_s=1.0)
    _pacer(client, "bing", short).blocked()
    turn = SharedPacer(redis.Redis.from_url(redis_url), "bing", short, "host:a", max_wait_s=10).turn()
    assert turn.refused is None and 0 < turn.waited_s <= 1.0
    assert _pacer(client, "bing", short, egress="host:b").turn().waited_s == 0


def test_a_turn_beyond_the_jobs_time_is_refused_with_the_reason_and_takes_nothing(client):
    limits = _limits(min_delay_s=30, backoff_s=600, backoff_max_s=1800)
    pacer = _pacer(client, limits=limits, max_wait_s=150)
    pacer.blocked()
    turn = pacer.turn()
    assert turn.refused and "paused" in turn.refused and "1 block(s) in a row" in turn.refused
    client.delete(pacer.key)
    crowded = [_pacer(client, limits=limits, max_wait_s=70).turn() for _ in range(4)]
    assert [t.refused is None for t in crowded] == [True, True, True, False]  # 0, 30, 60 s; 90 s is too far
    assert "share it" in (crowded[3].refused or "")
    assert _pacer(client, limits=limits, max_wait_s=70).turn().refused  # the refused turn reserved nothing


def test_a_turn_further_off_than_a_worker_waits_idle_is_deferred_and_reserves_nothing(redis_url, client):
    sleeps = Sleeps()
    limits = _limits(min_delay_s=30)

    def deferring(c, egress="host:a"):
        return SharedPacer(c, "google", limits, egress, max_wait_s=300, defer_after_s=1.0, rng=random.Random(1),
                           sleep=sleeps)

    assert soonest_turn_s(client, "google") is None  # no egress has searched it yet
    first = deferring(client).turn()
    assert not first.deferred and first.waited_s == 0
    other = redis.Redis.from_url(redis_url)  # another worker process on the same egress
    second = deferring(other).turn()
    assert second.deferred and second.refused is None and second.waited_s == 0 and sleeps.asked == []
    assert 29.9 <= second.retry_after_s <= 30.1
    # nothing was reserved: a job that may not defer gets the very next turn, 30 s off, not 60
    assert 29.9 <= _pacer(other, limits=limits, sleep=sleeps).turn().waited_s <= 30.1
    # the coordinator's view: the soonest turn on any egress; a fresh egress has one at once
    assert 59.5 <= (soonest_turn_s(client, "google") or 0) <= 60.1
    assert not deferring(client, egress="host:b").turn().deferred  # its next turn: 30 s off, before host:a's
    assert 29.5 <= (soonest_turn_s(client, "google") or 0) <= 30.1
    assert soonest_turn_s(client, "bing") is None


def test_a_workers_limits_are_a_local_lanes_with_engine_overrides():
    s = Settings(min_delay_s=8, jitter_s=4, max_per_hour=120, engine_limits=("google.max_per_hour=40",))
    assert worker_limits(s, "google") == Limits(8, 4, 40, 60, 1800)
    assert worker_limits(s, "bing") == Limits(8, 4, 120, 60, 1800)
    # the deprecated worker_min_delay_s of an existing config is still honoured, as the least delay
    assert worker_limits(Settings(worker_min_delay_s=30), "bing").min_delay_s == 30


def test_the_egress_is_the_engines_proxy_without_its_credentials_else_the_egress_setting_else_this_host():
    s = Settings(proxies=("google=http://user:secret@nl-proxy.example:3128",))
    assert egress_of(s, "google") == "proxy:nl-proxy.example:3128"
    assert egress_of(s, "bing").startswith("host:")
    # containers on one host (one address) name it, so they share one budget
    shared = Settings(egress="203.0.113.7", proxies=s.proxies)
    assert egress_of(shared, "bing") == "egress:203.0.113.7" and egress_of(shared, "google") == egress_of(s, "google")
