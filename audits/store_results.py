"""Store mixin: later corrections to stored results (the advertiser found by a landing visit)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class ResultUpdates:
    db: Any

    def set_advertiser_domains(self, updates: Iterable[tuple[str, str | None, str | None]]) -> int:
        """``(result_id, advertiser_domain, advertiser_domain_source)`` rows, in one transaction."""
        rows = list(updates)
        with self.db.conn:
            self.db.conn.executemany(
                "update results set advertiser_domain = ?, advertiser_domain_source = ? where id = ?",
                [(domain, source, rid) for rid, domain, source in rows],
            )
        return len(rows)
