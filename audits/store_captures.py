"""Captures: the pages a run read (``captures``), the results on them (``results``), the numbers in those
results (``sightings``).

A capture's ``kind`` says what the page is: ``serp``, the result page of one search job (brand, engine,
query, device), or ``landing``, the page a result of that job led to, visited once in an isolated
context; a visit names that result in ``via_result_id`` and keeps the job's device.  Its single result
is a copy of the originating result with the numbers read on the page, so the audit judges them like
any number shown for it.  A capture of kind ``source`` is a page an AI answer cites, visited once per run
and URL (``via_result_id``: the first answer that cites it); its single result (kind ``other``, its
``landing_url`` the cited URL) holds the numbers read on that page.  Those numbers say where the answer took
its number from; the audit never judges them as shown on the result page.  Re-recording a capture replaces
it and its results whole.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from audits.ids import capture_id, result_id, source_capture_id, stable_id
from audits.schema import CAPTURE_KINDS, TABLES
from audits.store_db import Repository

RESULT_KEYS = ("kind", "placement", "rank", "title", "display_url", "landing_url", "click_url", "domain", "text",
               "evidence_path", "evidence_sha256", "advertiser_domain", "advertiser_domain_source", "answer_state")
# a number read on a landing page is evidenced by the ad that led there: its crop, and the result page's
# screenshot with its box (the ad outlined); the landing page's own files stay on its capture
_SIGHTINGS_SQL = """
select s.id as sighting_id, s.result_id, s.capture_id, c.run_id, c.brand, c.engine, c.query, c.device,
  c.kind as capture_kind, c.via_result_id, c.locale, c.status as capture_status, c.captured_at, c.html_path,
  c.html_sha256, coalesce(vc.screenshot_path, c.screenshot_path) as screenshot_path,
  coalesce(vc.screenshot_sha256, c.screenshot_sha256) as screenshot_sha256, r.kind, r.placement, r.rank, r.title,
  r.display_url, r.landing_url, r.click_url, r.domain, r.advertiser_domain, r.advertiser_domain_source, r.text,
  r.above_fold,
  coalesce(r.evidence_path, via.evidence_path) as evidence_path,
  coalesce(r.evidence_sha256, via.evidence_sha256) as evidence_sha256, coalesce(r.box, via.box) as box,
  s.raw, s.e164, s.number_type, s.channel, s.found_in
from sightings s join results r on r.id = s.result_id join captures c on c.id = s.capture_id
  left join results via on via.id = c.via_result_id
  left join captures vc on vc.id = via.capture_id
where c.run_id = ?
order by c.brand, c.engine, c.query, c.device, c.kind desc, r.placement, r.rank, s.e164, s.channel
"""


def _bool(v: Any) -> int | None:
    return None if v is None else int(bool(v))


class CaptureRecords(Repository):
    # -- writing -------------------------------------------------------------------------------------
    def record_capture(self, capture: Mapping[str, Any], page: Mapping[str, Any] | None) -> str:
        """Store one captured page and its parse; re-recording replaces both.

        ``capture["kind"]`` says what the page is (``serp`` when absent, or ``landing``); a landing visit
        names the result that led to it in ``via_result_id`` and keeps the job's plain ``device``.
        """
        kind = capture.get("kind") or "serp"
        if kind not in CAPTURE_KINDS:
            raise ValueError(f"capture kind must be one of {CAPTURE_KINDS}, not {kind!r}")
        run_id, brand, engine, query, device = (capture[k] for k in ("run_id", "brand", "engine", "query", "device"))
        if kind == "source":
            if not capture.get("source_url"):
                raise ValueError("a source visit needs the cited URL it opened (source_url)")
            cid = source_capture_id(run_id, capture["source_url"])
        else:
            slot = self._slot(capture.get("via_result_id")) if kind == "landing" else None
            cid = capture_id(run_id, brand, engine, query, device, landing_slot=slot)
        results = list((page or {}).get("results") or [])
        row = {c: capture.get(c) for c in TABLES["captures"].columns}
        row.update(id=cid, page_status=(page or {}).get("status"), result_count=len(results),
                   status=capture.get("status") or "unknown", kind=kind)  # fmt: skip
        with self.sql.transaction():  # a capture is stored whole or not at all
            self.sql.execute("delete from sightings where capture_id = ?", [cid])
            self.sql.execute("delete from results where capture_id = ?", [cid])
            self.sql.execute("delete from captures where id = ?", [cid])
            self.sql.put("captures", row)
            self._record_results(cid, results)
        return cid

    def _slot(self, via_result_id: str | None) -> tuple[str, int]:
        row = self.sql.one("select placement, rank from results where id = ?", [via_result_id])
        if row is None:
            raise KeyError(f"a landing visit needs the result it came from: no result {via_result_id!r}")
        return row["placement"] or "", int(row["rank"] or 0)

    def _record_results(self, cid: str, results: list[Mapping[str, Any]]) -> None:
        for r in results:
            rid = result_id(cid, r.get("placement"), r.get("rank"))
            box = r.get("box")
            self.sql.put("results", {
                "id": rid, "capture_id": cid, **{k: r.get(k) for k in RESULT_KEYS},
                "box": json.dumps(list(box)) if box else None, "above_fold": _bool(r.get("above_fold")),
                "sources": json.dumps(list(r["sources"]), ensure_ascii=False) if r.get("sources") else None,
            })  # fmt: skip
            for p in r.get("phones") or []:
                self.sql.put("sightings", {
                    "id": stable_id(rid, p["e164"], p.get("channel")), "result_id": rid, "capture_id": cid,
                    "raw": p.get("raw"), "e164": p["e164"], "number_type": p.get("number_type"),
                    "channel": p.get("channel"), "found_in": p.get("found_in"),
                })  # fmt: skip

    def set_advertiser_domains(self, updates: Iterable[tuple[str, str | None, str | None]]) -> int:
        """``(result_id, advertiser_domain, advertiser_domain_source)`` rows, in one transaction."""
        return self.sql.put_all("results", ({"id": rid, "advertiser_domain": domain,
                                             "advertiser_domain_source": source} for rid, domain, source in updates))

    def load_rows(self, table: str, rows: Iterable[Mapping[str, Any]]) -> int:
        """Upsert bare rows into ``captures``, ``results`` or ``sightings`` in one transaction.

        For scripts that make a synthetic history fast (scripts/bench_audit.py); they give the ids and
        every column a reader needs, ``kind`` of captures included.
        """
        if table not in ("captures", "results", "sightings"):
            raise ValueError(f"load_rows: not a capture table: {table!r}")
        return self.sql.put_all(table, rows)

    # -- reading -------------------------------------------------------------------------------------
    def captures(self, run_id: str | None = None, kind: str | None = None) -> list[dict[str, Any]]:
        """The captures (of one run, of one kind: ``serp`` or ``landing``), in the order they were taken."""
        where, params = [], []
        for col, value in (("run_id", run_id), ("kind", kind)):
            if value is not None:
                where.append(f"{col} = ?")
                params.append(value)
        sql = "select * from captures" + (f" where {' and '.join(where)}" if where else "")
        return self.sql.rows(f"{sql} order by captured_at, brand, engine, query, device, kind desc, id", params)

    def capture_status(self, run_id: str, brand: str, engine: str, query: str, device: str) -> str | None:
        """The status of the job's result page in the run, if it was captured."""
        row = self.sql.get("captures", capture_id(run_id, brand, engine, query, device))
        return row["status"] if row else None

    def landing_status(self, run_id: str, via_result_id: str) -> str | None:
        """The status of the run's visit to the landing page of result ``via_result_id``, if it was visited."""
        row = self.sql.one("select status from captures where run_id = ? and kind = 'landing' and via_result_id = ?",
                           [run_id, via_result_id])
        return row["status"] if row else None

    def source_status(self, run_id: str, url: str) -> str | None:
        """The status of the run's visit to the cited page ``url``, if it was visited."""
        row = self.sql.get("captures", source_capture_id(run_id, url))
        return row["status"] if row else None

    def source_visits(self, run_id: str) -> list[dict[str, Any]]:
        """The run's visits to pages AI answers cite: each capture with ``source_url`` (the cited URL), its
        ``source_title`` and ``source_domain``, and ``numbers``, the E.164 numbers read on the page."""
        rows = self.sql.rows(
            "select c.*, r.landing_url as source_url, r.title as source_title, r.domain as source_domain,"
            " r.id as source_result_id from captures c left join results r on r.capture_id = c.id"
            " where c.run_id = ? and c.kind = 'source' order by c.captured_at, c.id", [run_id])
        numbers: dict[str, list[str]] = {}
        for s in self.sql.rows("select s.capture_id, s.e164 from sightings s join captures c on c.id = s.capture_id"
                               " where c.run_id = ? and c.kind = 'source' order by s.e164", [run_id]):
            numbers.setdefault(s["capture_id"], []).append(s["e164"])
        return [{**r, "numbers": sorted(set(numbers.get(r["id"], [])))} for r in rows]

    def captured_jobs(self, run_id: str) -> dict[tuple[str, str, str, str], str]:
        """(brand, engine, query, device) -> status of every result page the run captured."""
        rows = self.sql.rows("select brand, engine, query, device, status from captures where run_id = ?"
                             " and kind = 'serp'", [run_id])
        return {(r["brand"], r["engine"], r["query"], r["device"]): r["status"] for r in rows}

    def capture_html_path(self, cid: str) -> str | None:
        row = self.sql.get("captures", cid)
        return row["html_path"] if row else None

    def results(self, run_id: str) -> list[dict[str, Any]]:
        """Every result of the run's captures, with its capture's brand, engine, query, device, kind and status."""
        sql = ("select r.*, c.run_id, c.brand, c.engine, c.query, c.device, c.kind as capture_kind,"
               " c.via_result_id, c.status as capture_status, c.captured_at from results r"
               " join captures c on c.id = r.capture_id where c.run_id = ?"
               " order by c.brand, c.engine, c.query, c.device, c.kind desc, r.placement, r.rank")  # fmt: skip
        return self.sql.rows(sql, [run_id])

    def result(self, rid: str) -> dict[str, Any] | None:
        return self.sql.get("results", rid)

    def sightings(self, run_id: str) -> list[dict[str, Any]]:
        """Every number seen in a result of the run, joined with its result and capture."""
        return self.sql.rows(_SIGHTINGS_SQL, [run_id])
