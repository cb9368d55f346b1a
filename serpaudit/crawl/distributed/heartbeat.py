"""Heartbeats: a worker says, every few seconds, which jobs it is running; the coordinator notices when it stops.

::

    worker process                                    Redis                                 coordinator
      runs task T (its heartbeat thread,   --SET EX-->  serpaudit:heartbeat:T  <--EXISTS--   T is STARTED and its
      every HEARTBEAT_S)                                (lives HEARTBEAT_TTL_S)               heartbeat gone for
                                                                                              LOST_AFTER_S: lost
      skips a task it finds in             <--SISMEMBER-- serpaudit:run:R:settled <--SADD--   T lost or stored

A worker that dies (SIGKILL, a lost machine) leaves its job unacknowledged: the broker gives it to another
worker only after ``visibility_timeout_s`` (900 s).  Its heartbeat stops at once, so the coordinator sends the
job again as a new task within ``HEARTBEAT_TTL_S + LOST_AFTER_S`` (about 15 s), and *settles* the old task: if the
broker delivers it after all, the worker that takes it skips it.  A task whose result the coordinator stored is
settled too, so a broker's late re-delivery never searches an engine twice; the store keys captures by job
anyway, so nothing is stored twice.

The heartbeat is written by a thread of the process running the job (prefork child, solo or threads pool
alike), not by the worker's main process: a hung or killed pool process is noticed as well.  It keeps going
while the broker is away (its errors are logged once), so a job survives a broker restart when its worker does.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

HEARTBEAT_S = 2.0  # a running job's heartbeat is written this often...
HEARTBEAT_TTL_S = 10  # ...and lives this long in Redis, so a few missed beats (a busy machine) are forgiven
LOST_AFTER_S = 5.0  # the coordinator sees a started job without a heartbeat this long before it sends it again
BEAT_CHECK_S = 1.0  # how often the coordinator looks at a started job's heartbeat
SETTLED_TTL_S = 7 * 24 * 3600  # as long as results live (app.RESULT_TTL_S)


def heartbeat_key(task_id: str) -> str:
    return f"serpaudit:heartbeat:{task_id}"


def settled_key(run_id: str) -> str:
    """Redis set of the run's task ids no worker must run (any more): stored, or sent again as another task."""
    return f"serpaudit:run:{run_id}:settled"


class Heartbeat:
    """One process's heartbeat thread over the tasks it is running (``client``: a redis-py client)."""

    def __init__(self, client: Any, *, every_s: float = HEARTBEAT_S, ttl_s: int = HEARTBEAT_TTL_S,
                 hostname: str = "") -> None:
        self.client, self.every_s, self.ttl_s = client, every_s, ttl_s
        self.who = f"{hostname or 'worker'} pid {os.getpid()}"
        self._running: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._failing = False
        self._thread = threading.Thread(target=self._beat_until_stopped, name="serpaudit-heartbeat", daemon=True)
        self._thread.start()

    @contextmanager
    def running(self, task_id: str) -> Iterator[None]:
        """Beat for ``task_id`` while the block runs (the first beat now, not after ``every_s``)."""
        with self._lock:
            self._running.add(task_id)
        self._beat([task_id])
        try:
            yield
        finally:
            with self._lock:
                self._running.discard(task_id)
            try:
                self.client.delete(heartbeat_key(task_id))
            except Exception:  # the broker is away: the key expires by itself
                pass

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.every_s + 5)

    def _beat_until_stopped(self) -> None:
        # bounded by the process's life: a daemon thread, stopped with the process (or by stop())
        while not self._stop.wait(self.every_s):
            with self._lock:
                tasks = list(self._running)
            self._beat(tasks)

    def _beat(self, tasks: list[str]) -> None:
        if not tasks:
            return
        try:
            pipe = self.client.pipeline(transaction=False)
            for task_id in tasks:
                pipe.set(heartbeat_key(task_id), self.who, ex=self.ttl_s)
            pipe.execute()
        except Exception as exc:  # the broker is away; the job goes on, and so do the beats once it is back
            if not self._failing:
                log.warning("heartbeat: the broker did not take it (%s); trying again every %.0f s", exc,
                            self.every_s)
            self._failing = True
            return
        if self._failing:
            log.info("heartbeat: the broker takes it again")
        self._failing = False


_beats: dict[int, Heartbeat] = {}  # one per process: a forked pool process starts its own


def process_heartbeat(client_factory: Callable[[], Any], hostname: str = "") -> Heartbeat:
    """This process's :class:`Heartbeat`, started at its first job (``client_factory``: its own Redis client)."""
    pid = os.getpid()
    if pid not in _beats:
        _beats[pid] = Heartbeat(client_factory(), hostname=hostname)
    return _beats[pid]


def settled(client: Any, run_id: str, task_id: str) -> bool:
    return bool(client.sismember(settled_key(run_id), task_id))


def settle(client: Any, run_id: str, *task_ids: str) -> None:
    """No worker runs these tasks from now on (stored, or sent again as other tasks)."""
    if task_ids:
        pipe = client.pipeline(transaction=False)
        pipe.sadd(settled_key(run_id), *task_ids)
        pipe.expire(settled_key(run_id), SETTLED_TTL_S)
        pipe.execute()


def beating(client: Any, task_id: str) -> bool:
    return bool(client.exists(heartbeat_key(task_id)))


@dataclass
class Outstanding:
    """A task the coordinator sent and waits for (``spec``: a JobSpec, ``result``: its Celery AsyncResult)."""

    spec: Any
    result: Any
    task_id: str
    sent_at: float
    started_at: float | None = None
    unsent: bool = True  # not yet taken by the broker (it was away when sent)
    silent_since: float | None = None  # started, and no heartbeat seen since then
    beat_checked_at: float = 0.0

    def silent(self, client: Any, now: float) -> bool:
        """Has the worker running it stopped beating for LOST_AFTER_S (it died, or lost the job)?"""
        if now - self.beat_checked_at < BEAT_CHECK_S:
            return False
        self.beat_checked_at = now
        if beating(client, self.task_id):
            self.silent_since = None
            return False
        if self.silent_since is None:
            self.silent_since = now
        # the result may have landed between the state and the heartbeat look-ups: then it is not lost
        return now - self.silent_since >= LOST_AFTER_S and self.result.state == "STARTED"
