"""A worker host's politeness, on a real Redis: searches on one engine are spaced, other engines are not."""

from __future__ import annotations

import redis
from processes import redis_server

from serpaudit.distributed.worker import polite_turn


def test_searches_on_one_engine_from_one_egress_are_spaced_by_the_delay(tmp_path):
    with redis_server(tmp_path) as url:
        client = redis.Redis.from_url(url)
        assert polite_turn(client, "google", 0.4, egress="host-a") == 0
        # a second process on the same host, same engine: must wait its turn
        assert polite_turn(client, "google", 0.4, egress="host-a") > 0.2
        assert polite_turn(client, "bing", 0.4, egress="host-a") == 0  # another engine goes on
        assert polite_turn(client, "google", 0.4, egress="host-b") == 0  # another egress too
        assert polite_turn(client, "google", 0, egress="host-a") == 0  # no politeness configured
