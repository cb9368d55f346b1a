"""The Celery app, built from settings: the same function on the coordinator and on every worker."""

from __future__ import annotations

from typing import Any

from celery import Celery

from serpaudit.settings import Settings

CAPTURE_TASK = "serpaudit.capture"
RESULT_TTL_S = 7 * 24 * 3600  # results and run keys outlive any night, then Redis forgets them


def queue_for(region: str) -> str:
    """Jobs go to the queue of their region: a worker in Germany serves ``de``."""
    return region.strip().lower()


def make_app(settings: Settings) -> Celery:
    """A Celery app on ``settings.broker_url`` with at-least-once delivery.

    The capture task (``CAPTURE_TASK``) is a shared task of :mod:`.worker`: every app made here has it once that
    module is imported (a worker process, ``serpaudit worker``, always imports it); the coordinator sends it by name.
    """
    if not settings.broker_url:
        raise ValueError("broker_url is not set: distributed crawls need a Redis broker")
    app = Celery("serpaudit", broker=settings.broker_url, backend=settings.broker_url, set_as_current=False)
    # workers sweep for jobs whose worker vanished every few seconds (kombu's default is ~100 s)
    transport: dict[str, Any] = {"visibility_timeout": settings.visibility_timeout_s,
                                 "unacked_restore_interval": 5, "unacked_restore_throttle": 1}
    app.conf.update(
        task_serializer="json", result_serializer="json", accept_content=["json"],
        # at least once: a job is acknowledged only after it ran, and re-queued when its worker process dies;
        # the broker re-delivers what a vanished worker held after the visibility timeout
        task_acks_late=True, task_reject_on_worker_lost=True, worker_prefetch_multiplier=1,
        broker_transport_options=transport, result_backend_transport_options=transport,
        task_time_limit=settings.job_timeout_s, task_track_started=True, result_expires=RESULT_TTL_S,
        task_default_queue=queue_for(settings.region), broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False, worker_send_task_events=False, task_send_sent_event=False,
    )  # fmt: skip
    return app


def redis_client(app: Celery) -> Any:
    """The result backend's Redis connection (run sessions live beside the results)."""
    return app.backend.client
