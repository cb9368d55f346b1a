"""Schema step 2: the findings of version 1 (one per rule and number) fold into cases (one per ad, result
or answer, :mod:`audits.cases`).

Each old finding goes to the case of its sightings: (brand, channel, case kind, subject) from each
sighting's engine and result kind, the finding's advertiser domain and number.  An ad on a lookalike domain
that showed a number had two findings (``lookalike_domain`` and ``unofficial_number``): they become one case
with two reasons.  A finding seen in ads on Google and on Bing (one key then, without the engine) becomes
two cases, one per ad platform, each with its own nights, sightings and jobs, and the same triage.

What a case keeps of its findings:

* history: every night any of them was seen (``finding_runs``, one row per case and night, the night's
  reasons from each finding's row), their sightings and jobs; ``times_seen`` and ``nights_seen`` are
  counted again from the nights kept, first seen is the earliest, last seen the latest;
* lifecycle (``status``, gone, reopened, absent nights): the most recently seen finding's;
* triage: the most advanced state of those not dismissed, then the latest (open < confirmed < reported <
  resolved; a tie goes to the later ``state_at``), with its time and reason; dismissed only when every
  finding was (one dismissed reason must not hide a reported ad from its takedown follow-up); every event
  of every finding, re-pointed at the case (copied to each case where a finding became two);
* takedown: the earliest report of any of them (platform, date, reference, taken down, days);
* campaign and page fingerprint: the earliest finding's;
* deliveries and allow-list entries are re-pointed at the case; ``finding_aliases`` keeps each old id with
  its rule and number, so an old id typed on the command line still finds its case.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Any

from audits.cases import case_channel, case_id, case_key, numbers_of, reason_order, sorted_reasons
from audits.ids import stable_id

STATE_RANK = {"open": 0, "confirmed": 1, "reported": 2, "resolved": 3, "dismissed": 3}
_STATUS_RANK = {"reopened": 0, "new": 1, "recurring": 2, "gone": 3}
_RUN_LISTS = ("engines", "devices", "placements", "platforms")
_TAKEDOWN = ("reported_platform", "reported_at", "report_reference", "taken_down_at", "takedown_days")
_LIFECYCLE = ("status", "status_run_id", "gone_at", "reopened_at", "absent_nights", "last_absent_night")


def _dicts(conn: sqlite3.Connection, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
    cur = conn.execute(sql, list(params))
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def _by(rows: list[dict[str, Any]], key: str) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        out.setdefault(r[key], []).append(r)
    return out


def _list(value: Any) -> list[str]:
    try:
        return [str(v) for v in json.loads(value or "[]")]
    except (TypeError, ValueError):
        return []


def _insert(conn: sqlite3.Connection, table: str, row: dict[str, Any]) -> None:
    cols = list(row)
    conn.execute(f"insert or replace into [{table}] ({', '.join(f'[{c}]' for c in cols)})"
                 f" values ({', '.join('?' * len(cols))})", [row[c] for c in cols])  # fmt: skip


def _reason(f: dict[str, Any], run: dict[str, Any]) -> dict[str, Any]:
    e164 = f.get("e164") or ""
    return {"rule": f.get("rule") or "unofficial_number", "e164": e164, "raw": (run.get("raw") or "") if e164 else "",
            "number_type": (f.get("number_type") or "") if e164 else "", "verdict": run.get("verdict") or "",
            "severity": run.get("severity") or "", "reason": run.get("reason") or ""}  # fmt: skip


class _Fold:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.olds = _dicts(conn, "select * from findings")
        self.runs = _by(_dicts(conn, "select * from finding_runs"), "finding_id")
        self.sightings = _by(_dicts(conn, "select * from finding_sightings"), "finding_id")
        self.jobs = _by(_dicts(conn, "select * from finding_jobs"), "finding_id")
        self.keys: dict[str, tuple[str, str, str, str]] = {}
        self.members: dict[str, list[dict[str, Any]]] = {}
        self.cases_of: dict[str, list[str]] = {}  # old id -> its case ids

    def key_of(self, f: dict[str, Any], engine: Any, kind: Any) -> str:
        key = case_key(f["brand"], engine or f.get("engine"), kind or f.get("kind"),
                       f.get("advertiser_domain") or f.get("domain"), f.get("e164"))  # fmt: skip
        cid = case_id(*key)
        self.keys[cid] = key
        return cid

    def assign(self) -> None:
        for f in self.olds:
            pairs = ({(s.get("engine"), s.get("kind")) for s in self.sightings.get(f["id"], [])}
                     or {(r.get("engine"), r.get("kind")) for r in self.runs.get(f["id"], [])}
                     or {(f.get("engine"), f.get("kind"))})  # fmt: skip
            for engine, kind in sorted(pairs, key=lambda p: (str(p[0]), str(p[1]))):
                cid = self.key_of(f, engine, kind)
                if cid not in self.cases_of.setdefault(f["id"], []):
                    self.cases_of[f["id"]].append(cid)
                    self.members.setdefault(cid, []).append(f)

    def case_of(self, f: dict[str, Any], engine: Any, kind: Any) -> str:
        """Which of ``f``'s cases a row seen on ``engine`` (result ``kind``) belongs to."""
        mine = self.cases_of[f["id"]]
        cid = self.key_of(f, engine, kind)
        return cid if cid in mine else mine[0]

    def night_rows(self, cid: str) -> list[dict[str, Any]]:
        """The case's nights: one merged ``finding_runs`` row per run, its reasons from every member's row."""
        channel = self.keys[cid][1]
        per_run: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = {}
        for f in self.members[cid]:
            seen_in = {s["run_id"] for s in self.sightings.get(f["id"], [])
                       if self.case_of(f, s.get("engine"), s.get("kind")) == cid}  # fmt: skip
            for r in self.runs.get(f["id"], []):
                if len(self.cases_of[f["id"]]) == 1 or r["run_id"] in seen_in or self.case_of(
                        f, r.get("engine"), r.get("kind")) == cid:  # fmt: skip
                    per_run.setdefault(r["run_id"], []).append((f, r))
        out = []
        for run_id, pairs in per_run.items():
            reasons = sorted_reasons(_reason(f, r) for f, r in pairs)
            # the evidence: a row with a crop (the result as shown), then the worst reason's
            _, best = min(pairs, key=lambda p: (not p[1].get("evidence_path"), reason_order(_reason(*p))))
            row = dict(best)
            row.update(id=stable_id(cid, run_id), finding_id=cid, verdict=reasons[0]["verdict"],
                       severity=reasons[0]["severity"], reason=reasons[0]["reason"],
                       reasons=json.dumps(reasons, ensure_ascii=False, sort_keys=True),
                       numbers=json.dumps(sorted(numbers_of(reasons)), ensure_ascii=False),
                       rules=json.dumps(sorted({r["rule"] for r in reasons})))  # fmt: skip
            for col in _RUN_LISTS:
                values = {v for _, r in pairs for v in _list(r.get(col))}
                if col == "engines":
                    values = {e for e in values if case_channel(e, row.get("kind")) == channel} or values
                if col == "platforms":
                    values = {p for p in values if p == channel}
                row[col] = json.dumps(sorted(values), ensure_ascii=False)
            out.append(row)
        return sorted(out, key=lambda r: (r.get("night") or "", r.get("captured_at") or ""))

    def case_row(self, cid: str, nights: list[dict[str, Any]]) -> dict[str, Any]:
        brand, channel, kind, _ = self.keys[cid]
        fs = self.members[cid]
        latest = min(fs, key=lambda f: (_neg(f.get("last_seen")), _STATUS_RANK.get(f.get("status") or "", 9)))
        first = min(fs, key=lambda f: (f.get("first_seen") or "~", f["id"]))
        row = dict(latest)
        last_night = next((n for n in nights if n["run_id"] == latest.get("last_run_id")), nights[-1] if nights else {})
        reasons = json.loads(last_night.get("reasons") or "[]") if last_night else [_reason(latest, latest)]
        lead = reasons[0]
        numbered = lead if lead.get("e164") else next((r for r in reasons if r.get("e164")), lead)
        for col, value in last_night.items():  # the newest night's evidence is the case's
            if col not in ("id", "finding_id", "run_id", "night"):
                row[col] = value
        row.update(id=cid, brand=brand, case_kind=kind, channel=channel, rule=lead["rule"],
                   e164=numbered.get("e164") or "", number_type=numbered.get("number_type") or "",
                   raw=numbered.get("raw") or "",
                   first_seen=first.get("first_seen"), first_run_id=first.get("first_run_id"),
                   times_seen=len(nights) or latest.get("times_seen"),
                   nights_seen=len({n.get("night") for n in nights}) or latest.get("nights_seen"),
                   campaign=next((f["campaign"] for f in sorted(fs, key=lambda f: f.get("first_seen") or "~")
                                  if f.get("campaign")), None),
                   fingerprint=next((f["fingerprint"] for f in fs if f.get("fingerprint")), None))  # fmt: skip
        for col in _RUN_LISTS:
            row[col] = json.dumps(sorted({v for n in nights for v in _list(n.get(col))}), ensure_ascii=False)
        row["numbers"] = json.dumps(sorted({v for n in nights for v in _list(n.get("numbers"))}
                                           | {r["e164"] for r in reasons if r.get("e164")}), ensure_ascii=False)
        row["rules"] = json.dumps(sorted({v for n in nights for v in _list(n.get("rules"))}
                                         | {r["rule"] for r in reasons}))
        row.update({c: latest.get(c) for c in _LIFECYCLE})
        # a case is dismissed only when all its old findings were: one dismissed reason beside a reported one
        # must not hide a reported ad from the queue and its takedown follow-up
        live = [f for f in fs if (f.get("state") or "open") != "dismissed"] or fs
        decided = max(live, key=lambda f: (STATE_RANK.get(f.get("state") or "open", 0), f.get("state_at") or ""))
        row.update(state=decided.get("state") or "open", state_at=decided.get("state_at"),
                   state_reason=decided.get("state_reason"))
        reported = sorted((f for f in fs if f.get("reported_at")), key=lambda f: (f["reported_at"], f["id"]))
        row.update({c: reported[0].get(c) if reported else None for c in _TAKEDOWN})
        return row


def _neg(text: Any) -> tuple[int, ...]:
    """Sorts text descending inside an ascending ``min``."""
    return tuple(-ord(ch) for ch in str(text or ""))


def fold_findings_into_cases(conn: sqlite3.Connection) -> None:
    fold = _Fold(conn)
    if not fold.olds:
        return
    fold.assign()
    cases: dict[str, dict[str, Any]] = {}
    nights: dict[str, list[dict[str, Any]]] = {}
    for cid in fold.members:
        nights[cid] = fold.night_rows(cid)
        cases[cid] = fold.case_row(cid, nights[cid])
    sightings: dict[str, dict[str, Any]] = {}
    jobs: dict[str, dict[str, Any]] = {}
    for f in fold.olds:
        for s in fold.sightings.get(f["id"], []):
            cid = fold.case_of(f, s.get("engine"), s.get("kind"))
            sightings[stable_id(cid, s.get("sighting_id"))] = {**s, "id": stable_id(cid, s.get("sighting_id")),
                                                              "finding_id": cid}  # fmt: skip
        for j in fold.jobs.get(f["id"], []):
            job = (j.get("brand"), j.get("engine"), j.get("query"), j.get("device"))
            mine = [c for c in fold.cases_of[f["id"]]
                    if fold.keys[c][1] == case_channel(j.get("engine"), f.get("kind"))] or fold.cases_of[f["id"]]
            for cid in mine:
                jid = stable_id(cid, *job)
                active = max(int(j.get("active") or 0), int(jobs.get(jid, {}).get("active") or 0))
                jobs[jid] = {**j, "id": jid, "finding_id": cid, "active": active}
    for table in ("findings", "finding_runs", "finding_sightings", "finding_jobs"):
        conn.execute(f"delete from [{table}]")
    for cid, row in cases.items():
        _insert(conn, "findings", row)
        for n in nights[cid]:
            _insert(conn, "finding_runs", n)
    for row in sightings.values():
        _insert(conn, "finding_sightings", row)
    for row in jobs.values():
        _insert(conn, "finding_jobs", row)
    _repoint(conn, fold)


def _repoint(conn: sqlite3.Connection, fold: _Fold) -> None:
    """Events, allow-list, deliveries and the old ids themselves now name the case."""
    for f in fold.olds:
        old, mine = f["id"], fold.cases_of[f["id"]]
        for cid in mine:
            _insert(conn, "finding_aliases", {"id": stable_id(old, cid), "old_id": old, "case_id": cid,
                                              "rule": f.get("rule") or "", "e164": f.get("e164") or ""})
        for cid in mine[1:]:  # a finding that became two cases: each keeps its events
            conn.execute("insert into finding_events (finding_id, at, old_state, new_state, reason, user, platform,"
                         " reference) select ?, at, old_state, new_state, reason, user, platform, reference"
                         " from finding_events where finding_id = ? order by id", [cid, old])  # fmt: skip
        conn.execute("update finding_events set finding_id = ? where finding_id = ?", [mine[0], old])
        conn.execute("update allowlist set finding_id = ? where finding_id = ?", [mine[0], old])
    deliveries = _dicts(conn, "select * from report_deliveries order by sent_at, id")
    by_old = {f["id"]: f for f in fold.olds}
    conn.execute("delete from report_deliveries")
    for d in deliveries:
        if d["finding_id"] not in by_old:  # a delivery of a finding no longer stored: kept as it was
            _insert(conn, "report_deliveries", d)
            continue
        mine = fold.cases_of[d["finding_id"]]
        cid = next((c for c in mine if fold.keys[c][1] == d["platform"]), mine[0])
        did = stable_id(cid, d["platform"], d["run_id"])
        exists = conn.execute("select 1 from report_deliveries where id = ?", [did]).fetchone()
        if not exists:  # two findings of one ad mailed in one run: the ad was delivered once
            _insert(conn, "report_deliveries", {**d, "id": did, "finding_id": cid})
