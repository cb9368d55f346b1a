"""What the outputs must know of the whole night before they write it, counted in one pass over the findings.

A streamed report (:mod:`reports.ordered`) reads the night once for findings.csv and the platform CSVs and
tallies on the way what the others need first: the counts the summary opens with, the triage states that get a
sheet, each brand's number of cases (report.html's headings come before the cases), the campaign groups'
sizes, and the AI-answer cases (their section is built whole: a few per night).  Counts and names only, never
the night's rows, except the AI answers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from reports.answers import is_ai_finding
from reports.context import campaign_key, state_of


@dataclass
class NightTally:
    verdicts: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)
    brands: set[Any] = field(default_factory=set)
    states: set[str] = field(default_factory=set)
    brand_cases: Counter[str] = field(default_factory=Counter)  # brand -> its cases that are not AI answers
    campaign_sizes: Counter[str] = field(default_factory=Counter)  # campaign key -> cases
    campaign_named: set[str] = field(default_factory=set)  # keys with a case in a stored campaign
    ai: list[Mapping[str, Any]] = field(default_factory=list)

    def add(self, f: Mapping[str, Any]) -> None:
        self.verdicts[str(f.get("verdict") or "")] += 1
        self.statuses[str(f.get("status") or "new")] += 1
        self.brands.add(f.get("brand"))
        self.states.add(state_of(f))
        if is_ai_finding(f):
            self.ai.append(f)
        else:
            self.brand_cases[str(f.get("brand") or "")] += 1
        key = campaign_key(f)
        if key:
            self.campaign_sizes[key] += 1
            if f.get("campaign"):
                self.campaign_named.add(key)

    @classmethod
    def of(cls, findings: Iterable[Mapping[str, Any]]) -> NightTally:
        tally = cls()
        for f in findings:
            tally.add(f)
        return tally
