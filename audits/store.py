"""The audit trail: one SQLite database, all SQL of serpaudit in this module.

Plain tables with declared foreign keys and ISO-8601 UTC text timestamps, so the
file opens in Datasette as is.  Row ids are stable: the first 16 hex digits of
the sha1 of the row's key fields, and writes are upserts, so re-running a stage
replaces its rows instead of duplicating them.

Official numbers (table ``official_numbers``, one row per brand and E.164):

* a harvest that sees a number sets ``published = 1`` and moves ``last_seen``
  (``first_seen`` is kept); :meth:`Store.mark_unpublished` sets
  ``published = 0`` on the brand's harvested numbers a successful harvest no
  longer saw — they stay known, they are just no longer active;
* a manual entry (``manual = 1``) is active whatever harvests see;
* a manual removal keeps the row with ``removed = 1`` and the reason: later
  harvests update ``last_seen`` but do not silently re-activate it; only
  ``record_official(..., manual=True)`` does.

Active numbers: ``removed = 0 and (published = 1 or manual = 1)``.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import sqlite_utils

from audits.brands import Brand
from audits.ids import capture_id, result_id, stable_id
from audits.schema import CAPTURE_KINDS, HARVEST_STATUSES, TABLES, migrate
from audits.store_campaigns import CampaignStore
from audits.store_reports import ReportStore
from audits.store_results import ResultUpdates
from audits.store_runs import RunsMixin

log = logging.getLogger(__name__)

_SIGHTINGS_SQL = """
select s.id as sighting_id, s.result_id, s.capture_id, c.run_id, c.brand, c.engine, c.query, c.device,
  c.kind as capture_kind, c.via_result_id, c.locale, c.status as capture_status, c.captured_at, c.html_path,
  c.html_sha256, c.screenshot_path, c.screenshot_sha256, r.kind, r.placement, r.rank, r.title, r.display_url,
  r.landing_url, r.click_url,
  r.domain, r.advertiser_domain, r.advertiser_domain_source, r.text, r.above_fold, r.evidence_path, r.evidence_sha256,
  s.raw, s.e164, s.number_type, s.channel, s.found_in
from sightings s join results r on r.id = s.result_id join captures c on c.id = s.capture_id
where c.run_id = ?
order by c.brand, c.engine, c.query, c.device, c.kind desc, r.placement, r.rank, s.e164, s.channel
"""


def _bool(v: Any) -> int | None:
    return None if v is None else int(bool(v))


class Store(RunsMixin, ResultUpdates, CampaignStore, ReportStore):
    """``Store(path_or_db)``: a file path (parent dirs created), ``":memory:"`` or a Database."""

    def __init__(self, path_or_db: str | Path | sqlite_utils.Database) -> None:
        if isinstance(path_or_db, sqlite_utils.Database):
            self.db = path_or_db
        elif str(path_or_db) == ":memory:":
            self.db = sqlite_utils.Database(memory=True)
        else:
            Path(path_or_db).parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite_utils.Database(path_or_db)
            self._tune_file_db()
        migrate(self.db.conn, str(path_or_db) if not isinstance(path_or_db, sqlite_utils.Database) else "database")

    def _rows(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        return list(self.db.query(sql, list(params)))

    def _get(self, table: str, pk: str) -> dict[str, Any] | None:
        rows = self._rows(f"select * from [{table}] where {'name' if table == 'brands' else 'id'} = ?", [pk])
        return rows[0] if rows else None

    def _upsert(self, table: str, row: dict[str, Any]) -> None:
        self.db[table].upsert(row, pk="name" if table == "brands" else "id")  # type: ignore[union-attr]

    # -- brands ---------------------------------------------------------------
    def upsert_brands(self, brands: Iterable[Brand]) -> int:
        """Store brands in one transaction: an import stopped part-way stores none of them."""
        rows = [{
            "name": b.name, "domains": json.dumps(list(b.domains)),
            "contact_pages": json.dumps(list(b.contact_pages)), "phone_support": int(b.phone_support),
            "queries": json.dumps(list(b.queries)), "category": b.category, "note": b.note,
        } for b in brands]  # fmt: skip
        with self.db.atomic():
            self.db["brands"].upsert_all(rows, pk="name", batch_size=500)  # type: ignore[union-attr]
        return len(rows)

    @staticmethod
    def _brand(row: dict[str, Any]) -> Brand:
        return Brand(
            name=row["name"], domains=tuple(json.loads(row["domains"] or "[]")),
            contact_pages=tuple(json.loads(row["contact_pages"] or "[]")),
            phone_support=bool(row["phone_support"]), queries=tuple(json.loads(row["queries"] or "[]")),
            category=row["category"] or "", note=row["note"] or "",
        )  # fmt: skip

    def brands(self) -> list[Brand]:
        return [self._brand(r) for r in self._rows("select * from brands order by name collate nocase, name")]

    def brand(self, name: str) -> Brand | None:
        row = self._get("brands", name)
        return self._brand(row) if row else None

    def brand_history(self, name: str) -> dict[str, int]:
        """What the database keeps of a brand's nights: its captures and findings (none: it can go)."""
        return {t: self._rows(f"select count(*) as n from {t} where brand = ?", [name])[0]["n"]
                for t in ("captures", "findings")}

    def remove_brands(self, names: Iterable[str]) -> int:
        """Delete brands with their official numbers and harvests, in one transaction (callers check that
        :meth:`brand_history` is empty: captures and findings are never deleted with a brand)."""
        names = list(names)
        with self.db.atomic():
            for name in names:
                for table in ("official_numbers", "harvests", "allowlist"):
                    if table in self.db.table_names():
                        self.db.execute(f"delete from {table} where brand = ?", [name])
                self.db.execute("delete from brands where name = ?", [name])
        return len(names)

    # -- runs -----------------------------------------------------------------
    def start_run(self, command: str, started_at: str) -> str:
        run_id = stable_id(command, started_at, uuid.uuid4().hex)
        self._upsert("runs", {"id": run_id, "command": command, "status": "running", "started_at": started_at,
                              "finished_at": None, "summary": "{}"})  # fmt: skip
        return run_id

    def finish_run(self, run_id: str, status: str, summary: Mapping[str, Any], finished_at: str) -> None:
        self.run(run_id)  # KeyError when unknown
        self._upsert("runs", {"id": run_id, "status": status, "finished_at": finished_at,
                              "summary": json.dumps(dict(summary), sort_keys=True, default=str)})  # fmt: skip

    def run(self, run_id: str) -> dict[str, Any]:
        row = self._get("runs", run_id)
        if row is None:
            raise KeyError(f"no run {run_id!r}")
        row["summary"] = json.loads(row["summary"] or "{}")
        return row

    def latest_run_id(self, command: str | None = None) -> str | None:
        # Runs started in the same second are told apart by insertion order (rowid); ids are random.
        where, params = ("where command = ?", [command]) if command is not None else ("", [])
        rows = self._rows(f"select id from runs {where} order by started_at desc, rowid desc limit 1", params)
        return rows[0]["id"] if rows else None

    # -- official numbers -----------------------------------------------------
    def record_official(self, brand: str, phone: Mapping[str, Any], source_url: str, found_by: str,
                        seen_at: str, run_id: str | None = None, manual: bool = False,
                        reason: str = "") -> str:  # fmt: skip
        e164 = phone["e164"]
        oid = stable_id(brand, e164)
        old = self._get("official_numbers", oid)
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
        self._upsert("official_numbers", row)
        return oid

    def mark_unpublished(self, brand: str, seen_e164s: set[str], run_id: str | None) -> int:
        """After a successful harvest: harvested numbers not seen again become unpublished."""
        stale = [r["id"] for r in self._rows(
            "select id, e164 from official_numbers where brand = ? and manual = 0 and published = 1", [brand]
        ) if r["e164"] not in seen_e164s]  # fmt: skip
        for oid in stale:
            self._upsert("official_numbers", {"id": oid, "published": 0, "unpublished_run_id": run_id})
        return len(stale)

    def remove_official(self, brand: str, e164: str, reason: str, at: str = "") -> str:
        oid = stable_id(brand, e164)
        if self._get("official_numbers", oid) is None:
            self._upsert("official_numbers", {
                "id": oid, "brand": brand, "e164": e164, "raw": e164, "number_type": "", "channel": "",
                "source_url": "", "found_by": "manual", "first_seen": at, "last_seen": at, "published": 0,
                "manual": 0,
            })  # fmt: skip
        self._upsert("official_numbers", {"id": oid, "removed": 1, "reason": reason, "removed_at": at})
        return oid

    def official_numbers(self, brand: str) -> set[str]:
        sql = ("select e164 from official_numbers where brand = ? and removed = 0"
               " and (published = 1 or manual = 1)")  # fmt: skip
        return {r["e164"] for r in self._rows(sql, [brand])}

    def official_rows(self, brand: str | None = None) -> list[dict[str, Any]]:
        where, params = ("where brand = ?", [brand]) if brand is not None else ("", [])
        return self._rows(f"select * from official_numbers {where} order by brand, e164", params)

    # -- harvests -------------------------------------------------------------
    def record_harvest(self, run_id: str, brand: str, status: str, detail: str, at: str) -> str:
        if status not in HARVEST_STATUSES:
            raise ValueError(f"harvest status must be one of {HARVEST_STATUSES}, not {status!r}")
        hid = stable_id(run_id, brand)
        self._upsert("harvests", {"id": hid, "run_id": run_id, "brand": brand, "status": status,
                                  "detail": detail, "at": at})  # fmt: skip
        return hid

    def harvest_status(self, run_id: str, brand: str) -> str | None:
        row = self._get("harvests", stable_id(run_id, brand))
        return row["status"] if row else None

    def latest_harvest_status(self, brand: str) -> str | None:
        """The status of the brand's most recent harvest, in whichever run it happened."""
        rows = self._rows("select status from harvests where brand = ? order by at desc, rowid desc limit 1", [brand])
        return rows[0]["status"] if rows else None

    def latest_audit_run_id(self) -> str | None:
        """The newest run that searched (crawl, run or demo): the one audit and report work on."""
        rows = self._rows("select id from runs where command in ('crawl', 'run', 'demo')"
                          " order by started_at desc, rowid desc limit 1", [])
        return rows[0]["id"] if rows else None

    # -- captures, results, sightings -----------------------------------------
    def record_capture(self, capture: Mapping[str, Any], page: Mapping[str, Any] | None) -> str:
        """Store one captured page and its parse; re-recording replaces both.

        ``capture["kind"]`` says what the page is (``serp`` when absent, or ``landing``); a landing visit
        names the result that led to it in ``via_result_id`` and keeps the job's plain ``device``.
        """
        kind = capture.get("kind") or "serp"
        if kind not in CAPTURE_KINDS:
            raise ValueError(f"capture kind must be one of {CAPTURE_KINDS}, not {kind!r}")
        run_id, brand, engine, query, device = (capture[k] for k in ("run_id", "brand", "engine", "query", "device"))
        slot = self._slot(capture.get("via_result_id")) if kind == "landing" else None
        cid = capture_id(run_id, brand, engine, query, device, landing_slot=slot)
        results = list((page or {}).get("results") or [])
        row = {c: capture.get(c) for c in TABLES["captures"].columns}
        row.update(id=cid, page_status=(page or {}).get("status"), result_count=len(results),
                   status=capture.get("status") or "unknown", kind=kind)  # fmt: skip
        with self.db.atomic():  # one transaction: a capture is stored whole or not at all
            self.db.execute("delete from sightings where capture_id = ?", [cid])
            self.db.execute("delete from results where capture_id = ?", [cid])
            self.db["captures"].insert(row, replace=True)  # type: ignore[union-attr]
            self._record_results(cid, results)
        return cid

    def _slot(self, via_result_id: str | None) -> tuple[str, int]:
        rows = self._rows("select placement, rank from results where id = ?", [via_result_id])
        if not rows:
            raise KeyError(f"a landing visit needs the result it came from: no result {via_result_id!r}")
        return rows[0]["placement"] or "", int(rows[0]["rank"] or 0)

    def landing_status(self, run_id: str, via_result_id: str) -> str | None:
        """The status of the run's visit to the landing page of result ``via_result_id``, if it was visited."""
        rows = self._rows("select status from captures where run_id = ? and kind = 'landing' and via_result_id = ?",
                          [run_id, via_result_id])
        return rows[0]["status"] if rows else None

    def _record_results(self, cid: str, results: list[Mapping[str, Any]]) -> None:
        for r in results:
            rid = result_id(cid, r.get("placement"), r.get("rank"))
            box = r.get("box")
            self._upsert("results", {
                "id": rid, "capture_id": cid, **{k: r.get(k) for k in (
                    "kind", "placement", "rank", "title", "display_url", "landing_url", "click_url",
                    "domain", "text", "evidence_path", "evidence_sha256", "advertiser_domain",
                    "advertiser_domain_source")},
                "box": json.dumps(list(box)) if box else None, "above_fold": _bool(r.get("above_fold")),
                "answer_state": r.get("answer_state"),
                "sources": json.dumps(list(r["sources"]), ensure_ascii=False) if r.get("sources") else None,
            })  # fmt: skip
            for p in r.get("phones") or []:
                self._upsert("sightings", {
                    "id": stable_id(rid, p["e164"], p.get("channel")), "result_id": rid, "capture_id": cid,
                    "raw": p.get("raw"), "e164": p["e164"], "number_type": p.get("number_type"),
                    "channel": p.get("channel"), "found_in": p.get("found_in"),
                })  # fmt: skip

    def captures(self, run_id: str | None = None, kind: str | None = None) -> list[dict[str, Any]]:
        """The captures (of one run, of one kind: ``serp`` or ``landing``), in the order they were taken."""
        where, params = [], []
        for col, value in (("run_id", run_id), ("kind", kind)):
            if value is not None:
                where.append(f"{col} = ?")
                params.append(value)
        sql = "select * from captures" + (f" where {' and '.join(where)}" if where else "")
        return self._rows(f"{sql} order by captured_at, brand, engine, query, device, kind desc, id", params)

    def results(self, run_id: str) -> list[dict[str, Any]]:
        """Every result of the run's captures, with its capture's brand, engine, query, device, kind and status."""
        sql = ("select r.*, c.run_id, c.brand, c.engine, c.query, c.device, c.kind as capture_kind,"
               " c.via_result_id, c.status as capture_status, c.captured_at from results r"
               " join captures c on c.id = r.capture_id where c.run_id = ?"
               " order by c.brand, c.engine, c.query, c.device, c.kind desc, r.placement, r.rank")  # fmt: skip
        return self._rows(sql, [run_id])

    def sightings(self, run_id: str) -> list[dict[str, Any]]:
        """Every number seen in a result of the run, joined with its result and capture."""
        return self._rows(_SIGHTINGS_SQL, [run_id])
