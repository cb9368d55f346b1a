"""Real Redis for tests (marked `system`): skipped with a reason where redis-server is absent."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from serpaudit.crawl.distributed.localcluster import RedisServer, RedisUnavailable, redis_process
from serpaudit.crawl.distributed.localcluster import redis_server as _redis_server
from tests.support.marks import require


@contextmanager
def redis_server(tmp: Path) -> Iterator[str]:
    require("system", "starts a redis-server")
    try:
        with _redis_server(tmp) as url:
            yield url
    except RedisUnavailable as exc:
        pytest.skip(str(exc))


@contextmanager
def restartable_redis(tmp: Path, *, persist: bool = False) -> Iterator[RedisServer]:
    """A real redis-server that a test may stop and start again (a broker restart) on the same port."""
    require("system", "starts a redis-server")
    try:
        with redis_process(tmp, persist=persist) as server:
            yield server
    except RedisUnavailable as exc:
        pytest.skip(str(exc))
