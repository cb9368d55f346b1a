"""A world's expectations about AI answers beyond their findings: answers recorded in a state, and campaigns.

Part of :mod:`sandbox.world`:

* ``[[expect_answer]]``: on its nights, the engine's AI answer for the query is recorded in ``state`` (an
  answer still being written when the wait ran out is ``unfinished``, never "no answer"); ``device``
  optional (default: every device the world crawls);
* ``[[expect_campaign]]``: the findings with ``number`` for each of ``brands`` are one campaign (a number
  seeded once and quoted for several brands).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from crawler.engines import ENGINE_NAMES
from crawler.models import ANSWER_STATES
from sandbox.world_nights import nights_list

DEVICES = ("desktop", "mobile")


def parse_expect_answers(v: Any, data: dict[str, Any], nights: int) -> list[dict[str, Any]]:
    out = []
    for i, e in enumerate(v.tables(data, "expect_answer", "")):
        where = f"expect_answer[{i}]"
        out.append({
            "engine": v.string(e, "engine", where, choices=ENGINE_NAMES),
            "query": v.string(e, "query", where),
            "device": v.string(e, "device", where, required=False, choices=DEVICES),
            "state": v.string(e, "state", where, choices=ANSWER_STATES),
            "nights": nights_list(v, e, where, nights),
        })
    return out


def parse_expect_campaigns(v: Any, data: dict[str, Any], nights: int, region: str, brands: set[str],
                           to_e164: Callable[[str, str], str]) -> list[dict[str, Any]]:
    out = []
    for i, e in enumerate(v.tables(data, "expect_campaign", "")):
        where = f"expect_campaign[{i}]"
        raw = v.phone(e, "number", where, region)
        names = v.strings(e, "brands", where)
        for j, name in enumerate(names):
            if name not in brands:
                raise v.fail(f"{where}.brands[{j}]", f"{name!r} is not a brand of this world")
        if len(set(names)) < 2:
            raise v.fail(f"{where}.brands", "a campaign across brands names at least two brands")
        out.append({"e164": to_e164(raw, region), "raw": raw, "brands": names,
                    "nights": nights_list(v, e, where, nights)})
    return out
