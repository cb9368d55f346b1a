"""Why a distributed crawl stopped (light: the night's pipeline imports it without loading Celery)."""

from __future__ import annotations


class BrokerUnavailable(RuntimeError):
    """The broker (Redis) did not answer within ``broker_wait_s``: the night stops, its run left to resume."""
