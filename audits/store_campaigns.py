"""Campaigns: findings joined by a shared number, advertiser domain or landing-page fingerprint.

Tables ``campaigns`` (``merged_into`` points at the campaign that absorbed it) and ``campaign_keys``
(kind and value of a shared key -> campaign); a finding names its campaign in ``findings.campaign``.
The logic lives in :mod:`audits.campaigns`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from audits.ids import stable_id
from audits.store_db import Repository
from audits.store_findings import decode


class CampaignRecords(Repository):
    def campaign_root(self, cid: str) -> str:
        """Follow ``merged_into`` to the campaign that holds the findings now."""
        seen = set()
        while cid not in seen:
            seen.add(cid)
            rows = self.sql.rows("select merged_into from campaigns where id = ?", [cid])
            if not rows or not rows[0]["merged_into"]:
                return cid
            cid = rows[0]["merged_into"]
        return cid

    def campaigns_for_keys(self, keys: Iterable[tuple[str, str]]) -> set[str]:
        out: set[str] = set()
        for kind, value in keys:
            out.update(r["campaign_id"] for r in self.sql.rows(
                "select campaign_id from campaign_keys where kind = ? and value = ?", [kind, value]))
        return out

    def create_campaign(self, cid: str, at: str) -> None:
        if not self.sql.rows("select 1 from campaigns where id = ?", [cid]):
            self.sql.put("campaigns", {"id": cid, "created_at": at, "merged_into": None})

    def oldest_campaigns(self, ids: Iterable[str]) -> list[str]:
        """The campaigns, oldest first (creation time, then id): the first one absorbs the others."""
        ids = list(ids)
        rows = {r["id"]: r["created_at"] or "" for r in self.sql.rows(
            f"select id, created_at from campaigns where id in ({','.join('?' * len(ids))})", ids)}
        return sorted(ids, key=lambda c: (rows.get(c, ""), c))

    def merge_campaign(self, other: str, target: str) -> int:
        if other == target:
            return 0
        with self.sql.transaction():
            self.sql.execute("update campaign_keys set campaign_id = ? where campaign_id = ?", [target, other])
            self.sql.execute("update campaigns set merged_into = ? where id = ?", [target, other])
            return self.sql.execute("update findings set campaign = ? where campaign = ?", [target, other])

    def add_campaign_keys(self, cid: str, keys: Iterable[tuple[str, str]]) -> None:
        for kind, value in keys:
            self.sql.put("campaign_keys", {"id": stable_id(kind, value), "kind": kind, "value": value,
                                           "campaign_id": cid})

    def campaign_findings(self, cid: str) -> list[dict[str, Any]]:
        return [decode(r) for r in self.sql.rows(
            "select * from findings where campaign = ? order by first_seen, brand, e164, id", [cid])]

    def campaign_ids(self) -> list[str]:
        return [r["campaign"] for r in self.sql.rows(
            "select distinct campaign from findings where campaign is not null order by campaign")]

