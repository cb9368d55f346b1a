"""Officials: the brands, their official numbers and the harvests that read them from the brands' sites.

Official numbers (table ``official_numbers``, one row per brand and E.164):

* a harvest that sees a number sets ``published = 1`` and moves ``last_seen`` (``first_seen`` is
  kept); :meth:`OfficialRecords.mark_unpublished` sets ``published = 0`` on the brand's harvested
  numbers a successful harvest no longer saw: they stay known, they are just no longer active;
* a manual entry (``manual = 1``) is active whatever harvests see;
* a manual removal keeps the row with ``removed = 1`` and the reason: later harvests update
  ``last_seen`` but do not silently re-activate it; only ``record_official(..., manual=True)`` does.

Active numbers: ``removed = 0 and (published = 1 or manual = 1)``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from audits.brands import Brand
from audits.ids import stable_id
from audits.schema import HARVEST_STATUSES
from audits.store_db import Repository

log = logging.getLogger(__name__)


def _brand(row: dict[str, Any]) -> Brand:
    return Brand(
        name=row["name"], domains=tuple(json.loads(row["domains"] or "[]")),
        contact_pages=tuple(json.loads(row["contact_pages"] or "[]")),
        phone_support=bool(row["phone_support"]), queries=tuple(json.loads(row["queries"] or "[]")),
        category=row["category"] or "", note=row["note"] or "",
    )  # fmt: skip


class OfficialRecords(Repository):
    # -- brands --------------------------------------------------------------------------------
    def upsert_brands(self, brands: Iterable[Brand]) -> int:
        """Store brands in one transaction: an import stopped part-way stores none of them."""
        return self.sql.put_all("brands", ({
            "name": b.name, "domains": list(b.domains), "contact_pages": list(b.contact_pages),
            "phone_support": int(b.phone_support), "queries": list(b.queries), "category": b.category,
            "note": b.note,
        } for b in brands))  # fmt: skip

    def brands(self) -> list[Brand]:
        return [_brand(r) for r in self.sql.rows("select * from brands order by name collate nocase, name")]

    def brand(self, name: str) -> Brand | None:
        row = self.sql.get("brands", name)
        return _brand(row) if row else None

    def brand_history(self, name: str) -> dict[str, int]:
        """What the database keeps of a brand's nights: its captures and findings (none: it can go)."""
        return {t: self.sql.rows(f"select count(*) as n from {t} where brand = ?", [name])[0]["n"]
                for t in ("captures", "findings")}

    def remove_brands(self, names: Iterable[str]) -> int:
        """Delete brands with their official numbers, harvests and allow-list entries, in one transaction
        (callers check that :meth:`brand_history` is empty: captures and findings are never deleted with a
        brand)."""
        names = list(names)
        with self.sql.transaction():
            for name in names:
                for table in ("official_numbers", "harvests", "allowlist"):
                    self.sql.execute(f"delete from {table} where brand = ?", [name])
                self.sql.execute("delete from brands where name = ?", [name])
        return len(names)

    def keep_brands(self, names: Iterable[str]) -> int:
        """Delete every brand not in ``names`` (a script trimming the default list); returns how many."""
        keep = list(names)
        return self.sql.execute(f"delete from brands where name not in ({', '.join('?' * len(keep))})", keep)

    # -- official numbers ------------------------------------------------------------------------
    def record_official(self, brand: str, phone: Mapping[str, Any], source_url: str, found_by: str,
                        seen_at: str, run_id: str | None = None, manual: bool = False,
                        reason: str = "") -> str:  # fmt: skip
        e164 = phone["e164"]
        oid = stable_id(brand, e164)
        old = self.sql.get("official_numbers", oid)
        row = {
            "id": oid, "brand": brand, "e164": e164, "raw": phone.get("raw") or e164,
            "number_type": phone.get("number_type") or "", "channel": phone.get("channel") or "",
            "source_url": source_url, "found_by": found_by, "last_seen": seen_at, "run_id": run_id,
            "published": 1, "manual": int(manual), "removed": 0, "reason": reason,
        }  # fmt: skip
        if old is None:
            row["first_seen"] = seen_at
        else:
            row["last_seen"] = max(old["last_seen"] or "", seen_at)
            row["manual"] = int(manual or bool(old["manual"]))
            row["removed"] = 0 if manual else old["removed"]
            row["reason"] = reason or old["reason"] or ""
            if old["removed"] and not manual:
                log.info("official number %s of %s was removed by hand: not re-added", e164, brand)
        self.sql.put("official_numbers", row)
        return oid

    def mark_unpublished(self, brand: str, seen_e164s: set[str], run_id: str | None) -> int:
        """After a successful harvest: harvested numbers not seen again become unpublished."""
        stale = [r["id"] for r in self.sql.rows(
            "select id, e164 from official_numbers where brand = ? and manual = 0 and published = 1", [brand]
        ) if r["e164"] not in seen_e164s]  # fmt: skip
        return self.sql.put_all("official_numbers", (
            {"id": oid, "published": 0, "unpublished_run_id": run_id} for oid in stale))

    def remove_official(self, brand: str, e164: str, reason: str, at: str = "") -> str:
        oid = stable_id(brand, e164)
        with self.sql.transaction():
            if self.sql.get("official_numbers", oid) is None:
                self.sql.put("official_numbers", {
                    "id": oid, "brand": brand, "e164": e164, "raw": e164, "number_type": "", "channel": "",
                    "source_url": "", "found_by": "manual", "first_seen": at, "last_seen": at, "published": 0,
                    "manual": 0,
                })  # fmt: skip
            self.sql.put("official_numbers", {"id": oid, "removed": 1, "reason": reason, "removed_at": at})
        return oid

    def official_numbers(self, brand: str) -> set[str]:
        sql = ("select e164 from official_numbers where brand = ? and removed = 0"
               " and (published = 1 or manual = 1)")  # fmt: skip
        return {r["e164"] for r in self.sql.rows(sql, [brand])}

    def official_rows(self, brand: str | None = None) -> list[dict[str, Any]]:
        where, params = ("where brand = ?", [brand]) if brand is not None else ("", [])
        return self.sql.rows(f"select * from official_numbers {where} order by brand, e164", params)

    # -- harvests --------------------------------------------------------------------------------
    def record_harvest(self, run_id: str, brand: str, status: str, detail: str, at: str) -> str:
        if status not in HARVEST_STATUSES:
            raise ValueError(f"harvest status must be one of {HARVEST_STATUSES}, not {status!r}")
        hid = stable_id(run_id, brand)
        self.sql.put("harvests", {"id": hid, "run_id": run_id, "brand": brand, "status": status,
                                  "detail": detail, "at": at})  # fmt: skip
        return hid

    def harvest_status(self, run_id: str, brand: str) -> str | None:
        row = self.sql.get("harvests", stable_id(run_id, brand))
        return row["status"] if row else None

    def latest_harvest_status(self, brand: str) -> str | None:
        """The status of the brand's most recent harvest, in whichever run it happened."""
        row = self.sql.one("select status from harvests where brand = ? order by at desc, rowid desc limit 1", [brand])
        return row["status"] if row else None

    def harvested_brands(self, run_id: str) -> dict[str, str]:
        """brand -> status of each harvest the run did."""
        return {r["brand"]: r["status"] for r in self.sql.rows("select brand, status from harvests where run_id = ?",
                                                               [run_id])}
