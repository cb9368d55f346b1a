"""Stable row ids: the first 16 hex digits of the sha1 of a row's chosen key fields."""

from __future__ import annotations

import hashlib


def stable_id(*parts: object) -> str:
    """First 16 hex digits of the sha1 of the key fields (None counts as "")."""
    key = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def capture_id(run_id: str, brand: str, engine: str, query: str, device: str,
               landing_slot: tuple[str, int] | None = None) -> str:
    """A capture's id: its job in its run; a landing visit also the slot (placement, rank) it came from.

    A visit's key is the text schema v0 kept in its ``device`` column, so the ids of visits stored
    before the migration, and every row that points at them, stay valid.
    """
    if landing_slot is None:
        return stable_id(run_id, brand, engine, query, device)
    return stable_id(run_id, brand, engine, query, f"landing:{device}:{landing_slot[0]}{landing_slot[1]}")


def result_id(capture: str, placement: str | None, rank: int | None) -> str:
    return stable_id(capture, placement, rank)


def source_capture_id(run_id: str, url: str) -> str:
    """A source visit's id: the run and the cited URL (a page cited by several answers is visited once)."""
    return stable_id(run_id, "source", url)
