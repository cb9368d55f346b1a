"""Real Redis for tests (marked `system`): skipped with a reason where redis-server is absent."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from serpaudit.crawl.distributed.localcluster import RedisUnavailable
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
