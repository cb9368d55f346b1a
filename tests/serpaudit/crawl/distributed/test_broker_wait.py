"""The coordinator's wait for a broker that stopped answering, and its look at a started job's heartbeat.

Pure: a scripted ping and a fake clock (the real Redis restarts are in test_broker_restart.py).
"""

from __future__ import annotations

import logging

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from serpaudit.crawl.distributed.broker import broker_name, wait_for_broker
from serpaudit.crawl.distributed.errors import BrokerUnavailable
from serpaudit.crawl.distributed.heartbeat import LOST_AFTER_S, Outstanding, heartbeat_key


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def _ping_after(clock: Clock, back_at: float):
    def ping() -> bool:
        if clock.now < back_at:
            raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        return True

    return ping


def test_the_broker_back_within_the_bound_is_waited_for_with_a_line_every_ten_seconds(caplog):
    clock = Clock()
    caplog.set_level(logging.WARNING, logger="serpaudit.crawl.distributed.broker")
    away = wait_for_broker(_ping_after(clock, 1025.0), url="redis://:secret@10.0.0.5:6380/2", wait_s=300,
                           why=RedisConnectionError("refused"), what="run r1", clock=clock, sleep=clock.sleep)
    assert 25 <= away <= 26
    text = caplog.text
    assert "the broker redis://10.0.0.5:6380/2 does not answer" in text and "up to 300 s" in text
    assert text.count("still waiting for the broker") == 2  # at 10 s and 20 s
    assert "answers again after 25 s" in text
    assert "secret" not in text  # the URL's password never reaches a log line


def test_a_broker_not_back_within_broker_wait_s_is_a_clear_error_naming_what_to_do():
    clock = Clock()
    with pytest.raises(BrokerUnavailable) as raised:
        wait_for_broker(_ping_after(clock, 10_000.0), url="redis://127.0.0.1:6379/0", wait_s=30,
                        why=RedisConnectionError("refused"), what="run r1", clock=clock, sleep=clock.sleep)
    assert clock.now - 1000.0 <= 31  # bounded by wait_s
    message = str(raised.value)
    assert "redis://127.0.0.1:6379/0 did not answer for 30 s (broker_wait_s" in message
    assert "resumes where it stopped" in message


def test_broker_name_keeps_no_credentials():
    assert broker_name("rediss://user:pw@redis.example:6390/1") == "rediss://redis.example:6390/1"


class FakeRedis:
    def __init__(self) -> None:
        self.keys: set[str] = set()

    def exists(self, key: str) -> int:
        return int(key in self.keys)


class Started:
    state = "STARTED"


def test_a_started_job_is_lost_only_after_its_heartbeat_is_gone_for_lost_after_s():
    redis = FakeRedis()
    out = Outstanding(spec=None, result=Started(), task_id="t1", sent_at=0.0)
    redis.keys.add(heartbeat_key("t1"))
    assert not out.silent(redis, 10.0)  # beating
    redis.keys.clear()  # the worker died: its heartbeat expires
    assert not out.silent(redis, 11.0)  # silent from now on...
    assert not out.silent(redis, 11.5)  # ...looked at once a second at most
    assert not out.silent(redis, 11.0 + LOST_AFTER_S - 1)
    assert out.silent(redis, 11.0 + LOST_AFTER_S)
    redis.keys.add(heartbeat_key("t1"))  # a late beat (a busy machine): not lost after all
    assert not out.silent(redis, 20.0) and out.silent_since is None
