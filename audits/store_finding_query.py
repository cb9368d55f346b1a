"""Which findings a listing asks for (:class:`FindingQuery`), as SQL over ``findings`` (and ``finding_runs`` for
one run's view): the filters of ``findings list`` and the desk's queue, in one place for a page, a count and a
stream (:meth:`audits.store_findings.FindingRecords.findings_matching`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from audits.schema import FINDING_COLUMNS, LIST_COLUMNS, RUN_COLUMNS


@dataclass(frozen=True)
class FindingQuery:
    """Which findings ``findings list`` (and the desk's queue) asks for: every filter is optional; ``run_id``
    takes what that run saw, as it saw it; dismissed ones only with ``include_dismissed`` or ``state``."""

    run_id: str | None = None
    state: str | None = None
    status: str | None = None
    brand: str | None = None
    rule: str | None = None
    engine: str | None = None
    since: str | None = None
    include_dismissed: bool = False


def select_sql(query: FindingQuery) -> str:
    if query.run_id is None:
        return "select f.* from findings f"
    per_run = (*RUN_COLUMNS, *LIST_COLUMNS)
    cols = ", ".join([*(f"f.[{c}]" for c in FINDING_COLUMNS if c not in per_run), *(f"fr.[{c}]" for c in per_run)])
    return f"select {cols}, fr.run_id from findings f join finding_runs fr on fr.finding_id = f.id"


def where_sql(query: FindingQuery) -> tuple[str, list[Any]]:
    where, params = ["f.rule is not null"], []
    if query.run_id is not None:
        where.append("fr.run_id = ?")
        params.append(query.run_id)
    lists = "fr" if query.run_id is not None else "f"  # a run's own engines and rules
    for col, value in (("f.state", query.state), ("f.status", query.status), ("f.brand", query.brand)):
        if value is not None:
            where.append(f"{col} = ?")
            params.append(value)
    for col, value in (("rules", query.rule), ("engines", query.engine)):  # JSON lists: a case has several
        if value is not None:
            where.append(f"{lists}.{col} like ?")
            params.append(f'%"{value}"%')
    if query.since is not None:
        where.append("f.last_seen >= ?")
        params.append(query.since)
    if query.state is None and not query.include_dismissed:
        where.append("coalesce(f.state, 'open') != 'dismissed'")
    return " and ".join(where), params
