"""Worlds that change between nights (the format is in README.md, "Several nights").

``[world] nights = 3`` says how many nights the world plays (default 1).  A ``nights = [1, 3]`` list on a
``[[serps]]`` entry, on one of its ``[[serps.ads]]`` or ``[[serps.organic]]``, on an ``[[expect]]`` or an
``[[expect_not_audited]]`` limits it to those nights (absent: every night).  ``World.night(n)`` is the
world as the engines show it on night ``n``.

Two tables say what the case file must look like across nights:

* ``[[lifecycle]]``: on ``night``, the finding (``brand``, ``rule``, ``number`` or ``domain``) has
  ``status`` new|recurring|gone|reopened and, if given, ``state`` (a dismissal that holds:
  ``state = "dismissed"``);
* ``[[triage]]``: after ``after_night`` the analyst sets a finding's state (``action`` confirm, dismiss,
  reported, resolve; ``reason``; ``platform`` for reported).
"""

from __future__ import annotations

from typing import Any

STATUSES = ("new", "recurring", "gone", "reopened")
STATES = ("open", "confirmed", "dismissed", "reported", "resolved")
ACTIONS = ("confirm", "dismiss", "reported", "resolve")
RULES = ("unofficial_number", "own_ad_unpublished_number", "lookalike_domain", "ai_answer_number")


def nights_list(v: Any, data: dict[str, Any], where: str, total: int) -> list[int] | None:
    """The ``nights`` list of an entry (None: every night); each night in 1..total."""
    if "nights" not in data:
        return None
    value = data["nights"]
    ok = isinstance(value, list) and value and all(isinstance(n, int) and not isinstance(n, bool) for n in value)
    if not ok:
        raise v.fail(f"{where}.nights", "must be a non-empty list of night numbers, e.g. [1, 2]")
    for n in value:
        if not 1 <= n <= total:
            raise v.fail(f"{where}.nights", f"night {n} is outside 1..{total} ([world] nights = {total})")
    return sorted(set(value))


def total_nights(v: Any, w: dict[str, Any]) -> int:
    value = w.get("nights", 1)
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 366:
        raise v.fail("world.nights", "must be a whole number of nights from 1 to 366")
    return value


def _finding_ref(v: Any, e: dict[str, Any], where: str, region: str, to_e164: Any) -> dict[str, Any]:
    rule = v.string(e, "rule", where, default="unofficial_number", choices=RULES)
    raw = v.phone(e, "number", where, region, required=rule != "lookalike_domain")
    domain = v.string(e, "domain", where, required=rule == "lookalike_domain") or ""
    return {"brand": v.string(e, "brand", where), "rule": rule, "e164": to_e164(raw, region) if raw else "",
            "domain": (domain or "").lower()}


def parse_lifecycle(v: Any, data: dict[str, Any], total: int, region: str, brands: set[str],
                    to_e164: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The ``[[lifecycle]]`` expectations and ``[[triage]]`` actions."""
    checks, actions = [], []
    for i, e in enumerate(v.tables(data, "lifecycle", "")):
        where = f"lifecycle[{i}]"
        ref = _finding_ref(v, e, where, region, to_e164)
        night = e.get("night")
        if not isinstance(night, int) or isinstance(night, bool) or not 1 <= night <= total:
            raise v.fail(f"{where}.night", f"must be a night from 1 to {total}")
        checks.append({**ref, "night": night, "status": v.string(e, "status", where, choices=STATUSES),
                       "state": v.string(e, "state", where, required=False, choices=STATES)})
    for i, e in enumerate(v.tables(data, "triage", "")):
        where = f"triage[{i}]"
        ref = _finding_ref(v, e, where, region, to_e164)
        night = e.get("after_night")
        if not isinstance(night, int) or isinstance(night, bool) or not 1 <= night <= total:
            raise v.fail(f"{where}.after_night", f"must be a night from 1 to {total}")
        action = v.string(e, "action", where, choices=ACTIONS)
        actions.append({**ref, "after_night": night, "action": action,
                        "reason": v.string(e, "reason", where, required=action == "dismiss") or "",
                        "platform": v.string(e, "platform", where, required=action == "reported") or ""})
    for where, entry in [*(("lifecycle", c) for c in checks), *(("triage", a) for a in actions)]:
        if entry["brand"] not in brands:
            raise v.fail(f"{where}.brand", f"{entry['brand']!r} is not a brand of this world")
    return checks, actions


def on_night(entry: dict[str, Any], night: int) -> bool:
    return entry.get("nights") is None or night in entry["nights"]


def serps_on_night(serps: list[dict[str, Any]], night: int) -> list[dict[str, Any]]:
    """The result pages as the engines show them on ``night``."""
    out = []
    for s in serps:
        if on_night(s, night):
            answer = s.get("ai_answer")
            out.append({**s, "ads": [a for a in s["ads"] if on_night(a, night)],
                        "organic": [o for o in s["organic"] if on_night(o, night)],
                        "ai_answer": answer if answer is not None and on_night(answer, night) else None})
    return out
