"""Stable row ids: the first 16 hex digits of the sha1 of a row's chosen key fields."""

from __future__ import annotations

import hashlib


def stable_id(*parts: object) -> str:
    """First 16 hex digits of the sha1 of the key fields (None counts as "")."""
    key = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]
