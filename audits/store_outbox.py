"""Submissions and the outbox: the bundles built for a platform, and every mail until it went through.

* ``submissions``: one row per platform bundle built (``serpaudit submit``, the web's Submit page, or the
  nightly run's mail of the confirmed ads): when, by whom, where its folder is, the sha256 of its zip and
  the ads (finding ids) it holds.
* ``outbox``: one row per mail to send (``kind`` ``analysts`` or a platform), with everything needed to
  send it again (recipients, subject, body, attachment paths, the folder to point at when they are too
  big); ``status`` is ``pending`` until a sender claims it (``sending``: one process at a time, so two
  runs or an analyst's Send beside the night never send it twice), then ``sent`` once the server accepted
  it, or ``pending`` again when it did not.  Each attempt counts, with the last error.  A mail left
  ``sending`` by a process that stopped mid-send may have gone: a person decides (``serpaudit outbox``).
  A pending or sending platform mail holds its ads: no other submission takes them meanwhile, so the
  platform hears about an ad exactly once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from audits.store_db import Repository

_LISTS = ("finding_ids", "recipients", "attachments")


def _decoded(row: dict[str, Any]) -> dict[str, Any]:
    for c in _LISTS:
        if c in row and isinstance(row[c], str):
            row[c] = json.loads(row[c] or "[]")
    return row


class OutboxRecords(Repository):
    # -- submissions -----------------------------------------------------------------------------
    def record_submission(self, row: Mapping[str, Any]) -> None:
        self.sql.put("submissions", row)

    def submission(self, sid: str) -> dict[str, Any] | None:
        row = self.sql.get("submissions", sid)
        return _decoded(row) if row else None

    def submissions(self, platform: str | None = None) -> list[dict[str, Any]]:
        """Every submission (of ``platform``), newest first."""
        where, params = ("where platform = ?", [platform]) if platform else ("", [])
        return [_decoded(r) for r in self.sql.rows(f"select * from submissions {where} order by created_at desc, id",
                                                   params)]

    # -- the outbox ------------------------------------------------------------------------------
    def enqueue_mail(self, row: Mapping[str, Any]) -> None:
        """Add a mail to send (``status`` pending); enqueueing the same id again changes nothing."""
        self.sql.execute("insert or ignore into outbox (id, status, attempts) values (?, 'pending', 0)", [row["id"]])
        self.sql.put("outbox", {k: v for k, v in row.items() if k not in ("status", "attempts")})

    def mail(self, mid: str) -> dict[str, Any] | None:
        row = self.sql.get("outbox", mid)
        return _decoded(row) if row else None

    def outbox(self, status: str | None = None) -> list[dict[str, Any]]:
        """The mails (with ``status``), oldest first: the order they are sent in."""
        where, params = ("where status = ?", [status]) if status else ("", [])
        return [_decoded(r) for r in self.sql.rows(f"select * from outbox {where} order by created_at, id", params)]

    def claim_mail(self, mid: str, at: str) -> bool:
        """Take a pending mail to send it; False when another process took it first (or it is not pending)."""
        return self.sql.execute("update outbox set status = 'sending', last_attempt_at = ? where id = ? and "
                                "status = 'pending'", [at, mid]) == 1  # fmt: skip

    def mail_attempted(self, mid: str, at: str, error: str, *, claimed: bool = True) -> None:
        """An attempt failed: counted, with why.  A mail this process ``claimed`` is pending again; one it had
        not claimed yet (the rest of a session that failed) keeps its status, which another process may own."""
        status = "case when status = 'sending' then 'pending' else status end" if claimed else "status"
        self.sql.execute(f"update outbox set attempts = coalesce(attempts, 0) + 1, last_error = ?, "
                         f"last_attempt_at = ?, status = {status} where id = ?", [error, at, mid])  # fmt: skip

    def release_mail(self, mid: str) -> bool:
        """A mail left ``sending`` goes back to ``pending`` (a person said it did not go)."""
        return self.sql.execute("update outbox set status = 'pending' where id = ? and status = 'sending'", [mid]) == 1

    def mail_sent(self, mid: str, at: str) -> None:
        self.sql.execute("update outbox set status = 'sent', sent_at = ?, attempts = coalesce(attempts, 0) + 1,"
                         " last_attempt_at = ? where id = ?", [at, at, mid])  # fmt: skip

    def unmailed_submissions(self, platform: str, by_other_than: str) -> list[dict[str, Any]]:
        """Submissions to ``platform`` built by someone but ``by_other_than`` that no mail carries: bundles an
        analyst downloaded to upload by the platform's own form."""
        return [_decoded(r) for r in self.sql.rows(
            "select * from submissions s where platform = ? and coalesce(by, '') != ? and not exists "
            "(select 1 from outbox o where o.submission_id = s.id) order by created_at, id", [platform, by_other_than])]

    def queued_finding_ids(self, platform: str) -> set[str]:
        """Ads in a mail to ``platform`` that has not gone through yet."""
        rows = self.sql.rows("select finding_ids from outbox where kind = ? and status in ('pending', 'sending')",
                             [platform])
        return {fid for r in rows for fid in json.loads(r["finding_ids"] or "[]")}
