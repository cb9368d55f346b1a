"""A night's findings in the report's order, read afresh by each output: the report never holds them all.

:class:`OrderedFindings` wraps a function that gives the findings in :func:`reports.context.sort_key` order
(the store's :meth:`audits.store_report.ReportRecords.report_findings`, streamed off SQLite's cursor); every
output iterates it once or twice, and at 100,000 findings none of them sits in memory with the others.  Any
other iterable (a list made by hand, a test's rows) is sorted in memory, as the outputs always did.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from reports.context import sort_key

Finding = Mapping[str, Any]


@dataclass(frozen=True)
class OrderedFindings:
    """``read()`` gives the night's findings in ``sort_key`` order, each time from the start."""

    read: Callable[[], Iterable[Finding]]

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.read())

    def mapped(self, change: Callable[[Finding], Finding]) -> OrderedFindings:
        """The same findings, each as ``change`` makes it, in the same order (``change`` keeps the sort key)."""
        return OrderedFindings(lambda: (change(f) for f in self.read()))

    def where(self, keep: Callable[[Finding], bool]) -> OrderedFindings:
        return OrderedFindings(lambda: (f for f in self.read() if keep(f)))


def in_report_order(findings: Iterable[Finding]) -> OrderedFindings | list[Finding]:
    """``findings`` in ``sort_key`` order, to be iterated as often as needed: as given when already ordered
    (:class:`OrderedFindings`), else sorted into a list."""
    if isinstance(findings, OrderedFindings):
        return findings
    return sorted(findings, key=sort_key)
