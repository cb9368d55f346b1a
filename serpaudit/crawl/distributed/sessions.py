"""Coordinator sessions: each coordinator start over a run is one, and Redis holds the run's current one.

    serpaudit:run:<run>:session   the session driving the run now (workers skip jobs of any other: stale)
    serpaudit:run:<run>:sessions  every session that drove it, oldest first

A coordinator that crashed left results its workers finished after it died: the next session collects them
(:func:`finished_earlier`) instead of searching again.  A broker that comes back without its data has lost
the session key: that is how the coordinator knows to send its jobs again (:mod:`.broker`).
"""

from __future__ import annotations

from typing import Any

from celery import Celery
from celery.result import AsyncResult

from serpaudit.crawl.distributed.app import RESULT_TTL_S
from serpaudit.crawl.distributed.records import JobSpec
from serpaudit.crawl.policy import BLOCKED


def session_key(run_id: str) -> str:
    """Redis key holding the coordinator session currently driving ``run_id``."""
    return f"serpaudit:run:{run_id}:session"


def sessions_key(run_id: str) -> str:
    return f"serpaudit:run:{run_id}:sessions"


def claim_session(client: Any, run_id: str, session: str) -> list[str]:
    """Make ``session`` the run's current one (again, after a broker restart); returns the earlier ones."""
    known = [s.decode() for s in client.lrange(sessions_key(run_id), 0, -1)]
    if session not in known:
        client.rpush(sessions_key(run_id), session)
    client.set(session_key(run_id), session, ex=RESULT_TTL_S)
    client.expire(sessions_key(run_id), RESULT_TTL_S)
    return [s for s in known if s != session]


def finished_earlier(app: Celery, spec: JobSpec, sessions: list[str]) -> tuple[dict[str, Any], AsyncResult] | None:
    """A result an earlier session's worker finished for ``spec``'s job, worth storing instead of searching again."""
    for old in sessions:
        res = AsyncResult(f"{spec.key}.{old}", app=app)
        done = res.result if res.state == "SUCCESS" else None
        # an error may be the crash itself (in sandbox mode the sandbox web went down with it): redo those,
        # and blocked jobs as a resume does
        if done and not done.get("stale") and done["record"]["status"] not in ("error", *BLOCKED):
            return done, res
    return None
