"""What a night's report reads, streamed off the cursor in the order the report shows it.

At 100,000 findings a report that held the night's rows in a list (and sorted it) needed 1.9 GB; here SQLite
sorts (its sorter spills to a temporary file past its cache, so a sort of any size stays in bounded memory) and
each output reads the rows one at a time, as often as it needs them (:meth:`ReportRecords.report_findings`).

The order is :func:`reports.context.sort_key`'s, written in SQL: brand (case-folded as Python folds it: a
function registered on the connection, SQLite's ``lower`` folds ASCII only), worst severity and verdict first,
number, engine, kind, domain, placement, rank, device, query; ties keep the order ``Store.findings`` gives (the
report sorted that list with a stable sort), and the id last makes the order total.  Text compares as Python
compares it: SQLite's BINARY collation is ``memcmp`` of UTF-8, which orders as code points do.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from audits.store_db import Repository
from audits.store_finding_query import FindingQuery, select_sql
from audits.store_findings import decode

_SEVERITIES = ("high", "medium", "low")  # reports.context.SEVERITY_ORDER
_VERDICTS = ("scam", "suspect", "inconclusive")  # reports.context.VERDICT_ORDER


def _rank_of(column: str, options: Sequence[str]) -> str:
    whens = " ".join(f"when '{o}' then {i}" for i, o in enumerate(options))
    return f"(case {column} {whens} else {len(options)} end)"


def _text(column: str) -> str:
    """``str(value or "")``: NULL and empty text alike."""
    return f"coalesce({column}, '')"


REPORT_ORDER = ", ".join([
    f"py_casefold({_text('f.brand')})", _text("f.brand"), _rank_of("fr.severity", _SEVERITIES),
    _rank_of("fr.verdict", _VERDICTS), _text("f.e164"), _text("fr.engine"), _text("fr.kind"), _text("fr.domain"),
    _text("fr.placement"), "coalesce(fr.rank, 0)", _text("fr.device"), _text("fr.query"),
    # Store.findings' own order (what the stable sort kept among equal keys), then the id
    "f.last_seen desc", "f.brand", "f.e164", "f.rule", "f.advertiser_domain", "f.id",
])  # fmt: skip


def _casefold(value: Any) -> str:
    return "" if value is None else str(value).casefold()


class ReportRecords(Repository):
    def report_findings(self, run_id: str, *, rule: str | None = None) -> Iterator[dict[str, Any]]:
        """The findings ``run_id`` saw, as it saw them (the rows of ``Store.findings(run_id=...)``, dismissed ones
        too), in the report's order, one at a time off the cursor; ``rule``: only the cases of that rule."""
        self.sql.db.conn.create_function("py_casefold", 1, _casefold, deterministic=True)
        where, params = "fr.run_id = ?", [run_id]
        if rule is not None:
            where += " and f.rule = ?"
            params.append(rule)
        for row in self.sql.db.query(f"{select_sql(FindingQuery(run_id=run_id))} where {where}"
                                     f" order by {REPORT_ORDER}", params):  # fmt: skip
            yield decode(row)

    def gone_in_run(self, run_id: str) -> int:
        """How many findings of earlier nights ``run_id`` made ``gone`` (counted, not listed)."""
        return int(self.sql.rows("select count(*) as n from findings where rule is not null and status = 'gone'"
                                 " and status_run_id = ?",
                                 [run_id])[0]["n"])

    def unread_answers(self, run_id: str, states: Sequence[str]) -> list[dict[str, Any]]:
        """The run's AI answers on result pages that were not read whole (``answer_state`` among ``states``), as
        ``Store.results`` gives them, in its order: the few a report lists, not every result of the night."""
        marks = ", ".join("?" * len(states))
        sql = ("select r.*, c.run_id, c.brand, c.engine, c.query, c.device, c.kind as capture_kind,"
               " c.via_result_id, c.status as capture_status, c.captured_at from results r"
               " join captures c on c.id = r.capture_id where c.run_id = ? and r.kind = 'ai_answer'"
               f" and c.kind = 'serp' and r.answer_state in ({marks})"
               " order by c.brand, c.engine, c.query, c.device, c.kind desc, r.placement, r.rank")  # fmt: skip
        return self.sql.rows(sql, [run_id, *states])
