"""Deliveries: what went to which platform in which mail.

Table ``report_deliveries``: one row per (finding, platform, run or submission) that went out in a
platform's mail, with when, to whom, the sha256 of the zip sent, and the submission and outbox mail
that carried it (:mod:`audits.store_outbox`).  The platform CSVs consult it so that
nothing is sent twice: a finding already delivered to a platform is left out of that platform's
later files until ``followup_days`` have passed and it is still live.  Re-writing the report of the
run that delivered it keeps it (the same run's bundle stays the same).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from audits.ids import stable_id
from audits.store_db import Repository


class DeliveryRecords(Repository):
    def record_delivery(self, run_id: str | None, platform: str, finding_ids: Iterable[str],
                        recipients: Iterable[str], sent_at: str, zip_sha256: str = "", *,
                        submission_id: str | None = None, outbox_id: str | None = None) -> int:  # fmt: skip
        """Record that ``finding_ids`` went to ``platform`` in ``run_id``'s mail (or in submission
        ``submission_id``'s); re-recording is idempotent."""
        to = ", ".join(recipients)
        return self.sql.put_all("report_deliveries", ({
            "id": stable_id(fid, platform, run_id or submission_id or ""), "finding_id": fid, "platform": platform,
            "run_id": run_id, "sent_at": sent_at, "recipients": to, "zip_sha256": zip_sha256,
            "submission_id": submission_id, "outbox_id": outbox_id,
        } for fid in finding_ids))  # fmt: skip

    def deliveries(self, exclude_run_id: str | None = None) -> dict[tuple[str, str], str]:
        """(finding id, platform) -> when it was last delivered, leaving out ``exclude_run_id``'s own."""
        rows = self.sql.rows("select finding_id, platform, max(sent_at) as sent_at from report_deliveries"
                             " where coalesce(run_id, '') != ? group by finding_id, platform",
                             [exclude_run_id or ""])  # fmt: skip
        return {(r["finding_id"], r["platform"]): r["sent_at"] for r in rows}

    def delivered_finding_ids(self, platform: str) -> set[str]:
        """Every ad ever delivered to ``platform``."""
        return {r["finding_id"] for r in self.sql.rows(
            "select distinct finding_id from report_deliveries where platform = ?", [platform])}

    def run_deliveries(self, run_id: str) -> list[dict[str, Any]]:
        return self.sql.rows("select * from report_deliveries where run_id = ? order by platform, finding_id",
                             [run_id])

    def submission_deliveries(self, submission_id: str) -> list[dict[str, Any]]:
        return self.sql.rows("select * from report_deliveries where submission_id = ? order by finding_id",
                             [submission_id])
