"""Store mixin for reports: what was delivered to whom, and findings per night for the trend chart.

Table ``report_deliveries``: one row per (finding, platform, run) that went out in a platform's
mail, with when, to whom and the sha256 of the zip sent.  The platform CSVs consult it so that
nothing is sent twice: a finding already delivered to a platform is left out of that platform's
later files until ``followup_days`` have passed and it is still live.  Re-writing the report of the
run that delivered it keeps it (the same run's bundle stays the same).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from audits.ids import stable_id

_TREND_SQL = """
select substr(r.started_at, 1, 10) as night, f.engine as engine, count(distinct f.id) as findings
from finding_runs fr join runs r on r.id = fr.run_id join findings f on f.id = fr.finding_id
where substr(r.started_at, 1, 10) between ? and ? and fr.verdict != 'inconclusive'
group by night, f.engine order by night, f.engine
"""


class ReportStore:
    """Mixed into :class:`audits.store.Store` (which provides ``db``, ``_rows`` and ``_upsert``)."""

    db: Any

    def _rows(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        raise NotImplementedError

    def _upsert(self, table: str, row: dict[str, Any]) -> None:
        raise NotImplementedError

    def record_delivery(self, run_id: str, platform: str, finding_ids: Iterable[str], recipients: Iterable[str],
                        sent_at: str, zip_sha256: str = "") -> int:  # fmt: skip
        """Record that ``finding_ids`` went to ``platform`` in ``run_id``'s mail; re-recording is idempotent."""
        to = ", ".join(recipients)
        n = 0
        with self.db.conn:
            for fid in finding_ids:
                self._upsert("report_deliveries", {
                    "id": stable_id(fid, platform, run_id), "finding_id": fid, "platform": platform,
                    "run_id": run_id, "sent_at": sent_at, "recipients": to, "zip_sha256": zip_sha256,
                })  # fmt: skip
                n += 1
        return n

    def deliveries(self, exclude_run_id: str | None = None) -> dict[tuple[str, str], str]:
        """(finding id, platform) -> when it was last delivered, leaving out ``exclude_run_id``'s own."""
        rows = self._rows("select finding_id, platform, max(sent_at) as sent_at from report_deliveries"
                          " where run_id != ? group by finding_id, platform", [exclude_run_id or ""])  # fmt: skip
        return {(r["finding_id"], r["platform"]): r["sent_at"] for r in rows}

    def run_deliveries(self, run_id: str) -> list[dict[str, Any]]:
        return self._rows("select * from report_deliveries where run_id = ? order by platform, finding_id", [run_id])

    def findings_per_night(self, first_night: str, last_night: str) -> list[tuple[str, str, int]]:
        """(night YYYY-MM-DD, engine, findings seen that night) between two nights, inconclusive left out."""
        return [(r["night"], r["engine"], int(r["findings"])) for r in self._rows(_TREND_SQL, [first_night,
                                                                                                last_night])]
