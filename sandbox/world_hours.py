"""Ads that run only at some hours: ``hours = "9-17"`` on a ``[[serps.ads]]`` entry, in the world's time zone.

Scam call ads are scheduled (an advertiser runs call ads in chosen windows of the day), so the sandbox can
show an ad only then.  ``[world] timezone = "Europe/Amsterdam"`` (an IANA name, default ``UTC``) says in
which zone the hours are read.  ``hours`` is one or more comma-separated ranges ``FROM-TO`` of whole hours,
from the start of ``FROM`` to the start of ``TO`` (``"9-17"``: 09:00 to 16:59); ``"22-6"`` runs past
midnight; absent, the ad runs all day.

The web asks :func:`runs_at` with the sweep's time, which the run gives it (the sandbox web's clock: the
real time for ``serpaudit run`` against ``sandbox_world``, the run's start for the demo and the tests).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_RANGE = re.compile(r"^\s*(\d{1,2})\s*-\s*(\d{1,2})\s*$")
Hours = tuple[tuple[int, int], ...]


def world_zone(v: Any, w: dict[str, Any]) -> str:
    """``[world] timezone``: an IANA time zone name (default UTC)."""
    name = v.string(w, "timezone", "world", default="UTC")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise v.fail("world.timezone", f"{name!r} is not a time zone name, e.g. Europe/Amsterdam or UTC") from None
    return str(name)


def parse_hours(v: Any, data: dict[str, Any], where: str) -> Hours | None:
    """The ``hours`` of an entry as ((from, to), ...) in whole hours; None: all day."""
    if "hours" not in data:
        return None
    text = data["hours"]
    hint = 'give ranges of whole hours in the world\'s time zone, e.g. "9-17" or "7-9,17-22" or "22-6"'
    if not isinstance(text, str) or not text.strip():
        raise v.fail(f"{where}.hours", hint)
    ranges = []
    for part in text.split(","):
        m = _RANGE.match(part)
        if not m:
            raise v.fail(f"{where}.hours", f"{part.strip()!r} is not FROM-TO: {hint}")
        start, end = int(m[1]), int(m[2])
        if not (0 <= start <= 23 and 0 <= end <= 24) or start == end:
            raise v.fail(f"{where}.hours", f"{part.strip()!r}: FROM is 0-23, TO 0-24 and not FROM; {hint}")
        ranges.append((start, end))
    return tuple(ranges)


def in_hours(hours: Hours | None, hour: int) -> bool:
    if hours is None:
        return True
    return any(start <= hour < end if start < end else hour >= start or hour < end for start, end in hours)


def runs_at(entry: dict[str, Any], at: datetime, zone: str) -> bool:
    """Whether a planted entry (an ad) runs at the aware time ``at``, its hours read in ``zone``."""
    return in_hours(entry.get("hours"), at.astimezone(ZoneInfo(zone)).hour)
