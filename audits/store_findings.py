"""Cases across nights (table ``findings``): identity, what each night saw, the sightings behind them,
triage, allow-list.

Since schema version 2 a row of ``findings`` is one *case* (:mod:`audits.cases`): an ad, an organic
result or an AI answer, keyed (brand, channel, case kind, subject), with every number it showed
(``numbers``), every rule that fired (``rules``) and each reason with its verdict and severity
(``reasons``, JSON).  The table keeps the name it has had since issue 7, so Datasette queries and
scripts written against it keep working; its id is short and typeable (:func:`audits.cases.case_id`).
Tables (beside ``findings`` itself, one row per case, with the newest night's evidence, its lifecycle
``status``, its triage ``state`` and its takedown):

* ``finding_runs``      one row per case and run (night): what that night saw, its reasons included;
* ``finding_sightings`` every sighting behind a case, linked to its capture (and its kind) and result;
* ``finding_jobs``      the search jobs (brand, engine, query, device) a case was seen in,
                        ``active`` while the case is not gone: a night looks up only the
                        cases of the jobs it crawled, so its work grows with its captures;
* ``finding_events``    every triage change: time, old and new state, reason, who;
* ``finding_aliases``   the ids of the findings of schema version 1 (one per rule and number) that
                        were folded into each case: an old id typed on the command line still finds it;
* ``allowlist``         (brand, number, domain) pairs an analyst dismissed.

The logic lives in ``audits.rules`` (what a case is), ``audits.lifecycle`` (new, recurring, gone,
reopened, taken down) and ``audits.triage`` (states); campaigns are :mod:`audits.store_campaigns`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, is_dataclass
from typing import Any

from audits.cases import case_channel, case_id, case_kind, case_subject
from audits.ids import stable_id
from audits.schema import FINDING_COLUMNS, JSON_COLUMNS, LIST_COLUMNS, RUN_COLUMNS
from audits.store_counts import run_row_written, run_rows_deleted
from audits.store_db import Repository
from audits.store_finding_query import FindingQuery, select_sql, where_sql

_TREND_SQL = """
select substr(r.started_at, 1, 10) as night, f.engine as engine, count(distinct f.id) as findings
from finding_runs fr join runs r on r.id = fr.run_id join findings f on f.id = fr.finding_id
where substr(r.started_at, 1, 10) between ? and ? and fr.verdict != 'inconclusive'
group by night, f.engine order by night, f.engine
"""

STATES = ("open", "confirmed", "dismissed", "reported", "resolved")
STATUSES = ("new", "recurring", "gone", "reopened")


def as_dict(f: Any) -> dict[str, Any]:
    return asdict(f) if is_dataclass(f) and not isinstance(f, type) else dict(f)


def decode(row: dict[str, Any]) -> dict[str, Any]:
    """List columns (and the reasons, and the hours it was seen at) are stored as JSON text; callers get lists."""
    for c in (*LIST_COLUMNS, *JSON_COLUMNS, "hours_seen"):
        if c in row and isinstance(row[c], str):
            row[c] = json.loads(row[c] or "[]")
        elif c in row and row[c] is None:
            row[c] = []
    return row


def reasons_json(reasons: Any) -> str:
    return json.dumps([dict(r) for r in reasons or ()], ensure_ascii=False, sort_keys=True)


class FindingRecords(Repository):
    # -- a night's findings -----------------------------------------------------
    def upsert_findings(self, run_id: str, findings: Iterable[Any]) -> int:
        """Store one run's findings (dataclasses or dicts) under their identity.

        One row per identity in ``findings``; the run's own view in ``finding_runs`` and its sightings in
        ``finding_sightings``.  Re-auditing a run replaces that run's view (a finding the new audit no longer
        gives does not belong to the run); the latest evidence on the finding is the newest night's.
        """
        run = self.sql.get("runs", run_id)
        night = (run["started_at"] or "")[:10] if run else ""
        n = 0
        with self.sql.transaction():  # a run never shows half its findings
            dropped = self.sql.rows("select finding_id, night from finding_runs where run_id = ?", [run_id])
            self.sql.execute("delete from finding_runs where run_id = ?", [run_id])
            run_rows_deleted(self.sql, dropped)
            self.sql.execute("delete from finding_sightings where run_id = ?", [run_id])
            for f in findings:
                self._upsert_one(run_id, night, as_dict(f))
                n += 1
        return n

    def _upsert_one(self, run_id: str, night: str, d: dict[str, Any]) -> None:
        rule = d.get("rule") or "unofficial_number"
        domain = d.get("advertiser_domain") or d.get("domain") or ""
        kind = d.get("case_kind") or case_kind(d.get("kind"))
        channel = d.get("channel") or case_channel(d.get("engine"), d.get("kind"))
        fid = case_id(d["brand"], channel, kind, case_subject(kind, domain, d.get("e164")))
        seen = d.get("captured_at") or ""
        if not d.get("reasons"):  # a bare finding (tests, old callers): its one reason
            d["reasons"] = [{k: d.get(k) or "" for k in ("rule", "e164", "raw", "number_type", "verdict", "severity",
                                                          "reason")} | {"rule": rule}]  # fmt: skip
        d.setdefault("numbers", [r["e164"] for r in d["reasons"] if r.get("e164")])
        d.setdefault("rules", sorted({r["rule"] for r in d["reasons"]}))
        lists = {c: json.dumps(sorted(set(d.get(c) or ())), ensure_ascii=False) for c in LIST_COLUMNS}
        per_run = {c: d.get(c) for c in RUN_COLUMNS} | {"reasons": reasons_json(d["reasons"])}
        old = self.sql.rows("select first_seen, first_run_id, last_seen from findings where id = ?", [fid])
        row: dict[str, Any] = {"id": fid, "brand": d["brand"], "rule": rule, "e164": d.get("e164") or "",
                               "advertiser_domain": domain, "number_type": d.get("number_type") or "",
                               "case_kind": kind, "channel": channel}
        if not old:
            row.update(first_seen=seen, first_run_id=run_id, state="open", status="new", times_seen=0,
                       nights_seen=0, absent_nights=0)
        elif seen and (old[0]["first_seen"] or "") > seen:  # an older run audited late
            row.update(first_seen=seen, first_run_id=run_id)
        if not old or seen >= (old[0]["last_seen"] or ""):  # the newest night's evidence is the finding's
            row.update(per_run, last_seen=seen, last_run_id=run_id)  # lists: merged by the lifecycle
        self.sql.put("findings", row)
        run_row = stable_id(fid, run_id)
        run_row_written(self.sql, fid, run_row, night)
        self.sql.put("finding_runs", {"id": run_row, "finding_id": fid, "run_id": run_id, "night": night,
                                      **per_run, **lists})
        for s in d.get("sightings") or ():
            self.sql.put("finding_sightings", {"id": stable_id(fid, s.get("sighting_id")), "finding_id": fid,
                                            "run_id": run_id, **{k: s.get(k) for k in (
                                                "sighting_id", "capture_id", "result_id", "engine", "device",
                                                "placement", "kind", "captured_at", "capture_kind")}})  # fmt: skip
            job = (d["brand"], s.get("engine") or "", s.get("query") or "", s.get("device") or "")
            self.sql.put("finding_jobs", {"id": stable_id(fid, *job), "finding_id": fid, "brand": job[0],
                                       "engine": job[1], "query": job[2], "device": job[3], "active": 1})

    # -- reading ------------------------------------------------------------------
    def findings(self, run_id: str | None = None, brand: str | None = None) -> list[dict[str, Any]]:
        """All findings (run_id None) or those one run saw, as it saw them; newest last_seen first."""
        order = "order by f.last_seen desc, f.brand, f.e164, f.rule, f.advertiser_domain"
        params: list[Any] = []
        if run_id is None:
            sql = "select f.* from findings f where f.rule is not null"
        else:
            per_run = (*RUN_COLUMNS, *LIST_COLUMNS)
            cols = ", ".join([*(f"f.[{c}]" for c in FINDING_COLUMNS if c not in per_run),
                              *(f"fr.[{c}]" for c in per_run)])
            sql = (f"select {cols}, fr.run_id from findings f join finding_runs fr on fr.finding_id = f.id"
                   " where fr.run_id = ?")  # fmt: skip
            params.append(run_id)
        if brand is not None:
            sql += " and f.brand = ?"
            params.append(brand)
        return [decode(r) for r in self.sql.rows(f"{sql} {order}", params)]

    def query_findings(self, *, state: str | None = None, status: str | None = None, brand: str | None = None,
                       rule: str | None = None, engine: str | None = None, since: str | None = None,
                       include_dismissed: bool = False) -> list[dict[str, Any]]:
        """Findings across nights, filtered; dismissed ones only with ``include_dismissed`` or ``state``."""
        return list(self.findings_matching(FindingQuery(state=state, status=status, brand=brand, rule=rule,
                                                        engine=engine, since=since,
                                                        include_dismissed=include_dismissed)))

    def findings_matching(self, query: FindingQuery, *, limit: int | None = None,
                          offset: int = 0) -> Iterator[dict[str, Any]]:
        """The findings ``query`` selects, newest first, one at a time off the cursor (100,000 of them never sit
        in memory together); ``limit``/``offset`` take one page of them."""
        where, params = where_sql(query)
        order = "order by f.last_seen desc, f.brand, f.rule, f.e164, f.advertiser_domain, f.id"
        page = ""
        if limit is not None or offset:
            page = " limit ? offset ?"
            params = [*params, -1 if limit is None else limit, offset]
        for row in self.sql.db.query(f"{select_sql(query)} where {where} {order}{page}", params):
            yield decode(row)

    def count_matching(self, query: FindingQuery) -> int:
        """How many findings ``query`` selects (for "50 of 100,000")."""
        where, params = where_sql(query)
        join = " join finding_runs fr on fr.finding_id = f.id" if query.run_id else ""
        return int(self.sql.rows(f"select count(*) as n from findings f{join} where {where}", params)[0]["n"])

    def reported_findings(self) -> list[dict[str, Any]]:
        """Every finding ever reported to a platform, with its takedown (if seen)."""
        return [decode(r) for r in self.sql.rows(
            "select * from findings where reported_at is not null order by reported_platform, reported_at, id")]

    def finding(self, fid: str) -> dict[str, Any] | None:
        row = self.sql.get("findings", fid)
        return decode(row) if row else None

    def resolve_finding_ids(self, prefix: str) -> list[str]:
        """Ids starting with ``prefix`` (case-insensitive): analysts may type a unique prefix."""
        p = prefix.strip().lower()
        return [r["id"] for r in self.sql.rows("select id from findings where id like ? order by id", [p + "%"])]

    def case_for_old_id(self, old_id: str) -> list[dict[str, Any]]:
        """The cases an id of a schema-1 finding (one per rule and number) was folded into, with that
        finding's rule and number: ``[{case_id, rule, e164}]``."""
        return self.sql.rows("select case_id, rule, e164 from finding_aliases where old_id = ? order by case_id",
                             [old_id.strip().lower()])

    def finding_history(self, fid: str) -> list[dict[str, Any]]:
        """Every night the finding was seen, oldest first, with that night's evidence."""
        rows = self.sql.rows("select fr.*, r.started_at from finding_runs fr left join runs r on r.id = fr.run_id"
                       " where fr.finding_id = ? order by fr.night, r.started_at", [fid])  # fmt: skip
        return [decode(r) for r in rows]

    def finding_sightings(self, fid: str, run_id: str | None = None) -> list[dict[str, Any]]:
        sql = "select * from finding_sightings where finding_id = ?"
        params = [fid]
        if run_id is not None:
            sql += " and run_id = ?"
            params.append(run_id)
        return self.sql.rows(sql + " order by captured_at, engine, device, placement", params)

    def finding_events(self, fid: str) -> list[dict[str, Any]]:
        return self.sql.rows("select * from finding_events where finding_id = ? order by at, id", [fid])

    # -- lifecycle support ----------------------------------------------------------
    def run_lists(self, fid: str, run_id: str) -> dict[str, list[str]]:
        """Engines, devices, placements and platforms over every night: the finding's own lists and tonight's.

        Merged, not recomputed from every night: a finding seen all year costs no more than a new one.
        """
        cols = ", ".join(LIST_COLUMNS)
        rows = [*self.sql.rows(f"select {cols} from findings where id = ?", [fid]),
                *self.sql.rows(f"select {cols} from finding_runs where id = ?", [stable_id(fid, run_id)])]
        return {c: sorted({v for r in rows for v in json.loads(r[c] or "[]")}) for c in LIST_COLUMNS}

    def active_findings_for_jobs(self, jobs: Iterable[tuple[str, str, str, str]]) -> dict[str, set[tuple]]:
        """finding id -> its active jobs, for findings seen before in any of ``jobs`` (index look-ups only)."""
        out: dict[str, set[tuple]] = {}
        for job in set(jobs):
            for r in self.sql.rows("select finding_id from finding_jobs where brand = ? and engine = ? and query = ?"
                             " and device = ? and active = 1", job):  # fmt: skip
                out.setdefault(r["finding_id"], set())
        for fid in out:
            out[fid] = {(r["brand"], r["engine"], r["query"], r["device"]) for r in self.sql.rows(
                "select brand, engine, query, device from finding_jobs where finding_id = ? and active = 1", [fid])}
        return out

    def set_jobs_active(self, fid: str, active: bool) -> None:
        self.sql.execute("update finding_jobs set active = ? where finding_id = ?", [int(active), fid])

    def update_finding(self, fid: str, **values: Any) -> None:
        self.sql.put("findings", {"id": fid, **values})

    # -- triage ---------------------------------------------------------------------
    def add_finding_event(self, fid: str, at: str, old: str | None, new: str, reason: str, user: str,
                          platform: str = "", reference: str = "") -> None:
        self.sql.execute(
            "insert into finding_events (finding_id, at, old_state, new_state, reason, user, platform, reference)"
            " values (?, ?, ?, ?, ?, ?, ?, ?)", [fid, at, old, new, reason, user, platform, reference])

    def allow(self, brand: str, e164: str, domain: str, reason: str, fid: str, at: str, user: str) -> None:
        self.sql.put("allowlist", {"id": stable_id(brand, e164, domain), "brand": brand, "e164": e164, "domain": domain,
                                "reason": reason, "finding_id": fid, "at": at, "user": user})  # fmt: skip

    def disallow(self, brand: str, e164: str, domain: str) -> None:
        self.sql.execute("delete from allowlist where id = ?", [stable_id(brand, e164, domain)])

    def allowed(self, brand: str, e164: str, domain: str) -> dict[str, Any] | None:
        return self.sql.one("select * from allowlist where brand = ? and e164 = ? and domain = ?",
                            [brand, e164, domain])

    def allowlist(self) -> list[dict[str, Any]]:
        return self.sql.rows("select * from allowlist order by brand, e164, domain")

    # -- for reports and retention ---------------------------------------------------------------
    def findings_per_night(self, first_night: str, last_night: str) -> list[tuple[str, str, int]]:
        """(night YYYY-MM-DD, engine, findings seen that night) between two nights, inconclusive left out."""
        return [(r["night"], r["engine"], int(r["findings"])) for r in self.sql.rows(_TREND_SQL, [first_night,
                                                                                                   last_night])]

    def finding_evidence_paths(self) -> set[str]:
        """Evidence files that belong to a finding: never pruned."""
        out: set[str] = set()
        for table in ("findings", "finding_runs"):
            for r in self.sql.rows(f"select html_path, screenshot_path, evidence_path from {table}"):
                out.update(v for v in r.values() if v)
        return out
