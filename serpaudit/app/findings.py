"""The ``findings`` and ``campaigns`` commands as plain functions (the CLI only prints).

``findings`` commands work on cases (:mod:`audits.cases`): ``findings list`` prints one row per ad, organic
result or AI answer, with every number it showed and every rule that fired, and triage changes a whole case.
The id of a finding of schema 1 (one per rule and number, before cases) still resolves to its case, with a
note on stderr.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from audits.campaigns import campaign_summaries, campaign_summary
from audits.rules import RULES
from audits.store import Store
from audits.store_finding_query import FindingQuery
from audits.store_findings import STATES, STATUSES
from audits.takedowns import followup_due, takedown_stats
from audits.triage import REPORT_CHANNELS, TriageError, change_state, check_change
from crawler.engines import ENGINE_NAMES
from serpaudit.app.brands import brand_name
from serpaudit.app.config import store_for
from serpaudit.app.errors import InputError

log = logging.getLogger(__name__)

# what `findings list` shows as a table, one row per case; --json holds every field
LIST_COLUMNS = ["id", "status", "state", "brand", "case_kind", "numbers", "rules", "advertiser_domain", "engines",
                "first_seen", "last_seen", "nights_seen", "campaign"]  # fmt: skip
ACTIONS = {"confirm": "confirmed", "dismiss": "dismissed", "reported": "reported", "resolve": "resolved",
           "reopen": "open"}


def _choice(name: str, value: str | None, options: tuple[str, ...]) -> None:
    if value is not None and value not in options:
        raise InputError(f"--{name}: {value!r} is not one of {', '.join(options)}")


def _day(name: str, value: str | None) -> None:
    if value is None:
        return
    try:
        date.fromisoformat(value)
    except ValueError:
        raise InputError(f"--{name}: {value!r} is not a date (YYYY-MM-DD)") from None


def resolve_ids(store: Store, typed: str) -> list[str]:
    """The case ids ``typed`` names: a case id, a unique prefix of one (at least 3 characters), or the id of
    a finding before cases (schema 1), which names the case(s) it was folded into (noted on stderr)."""
    fid = typed.strip().lower()
    if store.finding(fid) is not None:
        return [fid]
    old = store.case_for_old_id(fid)
    if old:
        ids = list(dict.fromkeys(a["case_id"] for a in old))
        what = ", ".join(sorted({(a["rule"] or "").replace("_", " ") + (f" {a['e164']}" if a["e164"] else "")
                                 for a in old}))  # fmt: skip
        log.warning("%s was the id of a finding (%s) before findings became cases: it is now case %s", fid, what,
                    " and ".join(ids))
        return ids
    hits = store.resolve_finding_ids(typed) if len(fid) >= 3 else []
    if len(hits) == 1:
        return hits
    if not hits:
        raise InputError(f"no case {typed!r}; see `serpaudit findings list --all`")
    raise InputError(f"{typed!r} matches {len(hits)} cases ({', '.join(hits[:5])}...): type more of the id")


def resolve_id(store: Store, typed: str) -> str:
    """One case id from what was typed (see :func:`resolve_ids`)."""
    ids = resolve_ids(store, typed)
    if len(ids) > 1:
        raise InputError(f"{typed!r} was a finding that is now {len(ids)} cases ({', '.join(ids)}): name one")
    return ids[0]


def _with_flags(store: Store, rows: list[dict[str, Any]], followup_days: int) -> list[dict[str, Any]]:
    as_of = store.latest_night()
    for r in rows:
        r["followup_due"] = followup_due(r, followup_days, as_of)
    return rows


@dataclass(frozen=True)
class FindingsPage:
    """One page of ``findings list``: its rows, where it starts and how many match in all."""

    rows: list[dict[str, Any]]
    offset: int
    total: int

    @property
    def more(self) -> int:
        """Matching findings after this page."""
        return max(0, self.total - self.offset - len(self.rows))


def _query(store: Store, run: str | None, state: str | None, status: str | None, brand: str | None,
           rule: str | None, engine: str | None, since: str | None, include_all: bool) -> FindingQuery:
    _choice("state", state, STATES)
    _choice("status", status, STATUSES)
    _choice("rule", rule, RULES)
    _choice("engine", engine, tuple(ENGINE_NAMES))
    _day("since", since)
    if run is not None:
        try:
            store.run(run)
        except KeyError:
            raise InputError(f"--run: no run {run!r} in the database; `serpaudit findings list` lists every "
                             "run's findings") from None
    return FindingQuery(run_id=run, state=state, status=status, brand=brand_name(store, brand), rule=rule,
                        engine=engine, since=since, include_dismissed=include_all)


def findings_list(config: Path | None, *, run: str | None = None, state: str | None = None,
                  status: str | None = None, brand: str | None = None, rule: str | None = None,
                  engine: str | None = None, since: str | None = None,
                  include_all: bool = False) -> list[dict[str, Any]]:
    """Every matching finding (the desk's queue sorts and filters them further)."""
    return list(findings_stream(config, run=run, state=state, status=status, brand=brand, rule=rule,
                                engine=engine, since=since, include_all=include_all))


def findings_stream(config: Path | None, *, run: str | None = None, state: str | None = None,
                    status: str | None = None, brand: str | None = None, rule: str | None = None,
                    engine: str | None = None, since: str | None = None, include_all: bool = False,
                    limit: int | None = None, offset: int = 0) -> Iterator[dict[str, Any]]:
    """The matching findings one at a time, newest first (``findings list --json`` writes each as it comes:
    100,000 findings never sit in memory together). Bad filters raise before the first one."""
    settings, store = store_for(config)
    query = _query(store, run, state, status, brand, rule, engine, since, include_all)
    _page_bounds(limit, offset)
    return _flagged(store, store.findings_matching(query, limit=limit, offset=offset), settings.followup_days)


def findings_page(config: Path | None, *, limit: int | None, offset: int = 0, run: str | None = None,
                  state: str | None = None, status: str | None = None, brand: str | None = None,
                  rule: str | None = None, engine: str | None = None, since: str | None = None,
                  include_all: bool = False) -> FindingsPage:
    """``limit`` matching findings from ``offset`` (None: all of them), and how many match in all."""
    settings, store = store_for(config)
    query = _query(store, run, state, status, brand, rule, engine, since, include_all)
    _page_bounds(limit, offset)
    rows = list(_flagged(store, store.findings_matching(query, limit=limit, offset=offset), settings.followup_days))
    total = store.count_matching(query) if limit is not None or offset else len(rows)
    return FindingsPage(rows, offset, total)


def _page_bounds(limit: int | None, offset: int) -> None:
    if limit is not None and limit < 0:
        raise InputError(f"--limit: {limit} is negative (0 lists them all)")
    if offset < 0:
        raise InputError(f"--offset: {offset} is negative")


def _flagged(store: Store, rows: Iterable[dict[str, Any]], followup_days: int) -> Iterator[dict[str, Any]]:
    as_of = store.latest_night()
    for r in rows:
        r["followup_due"] = followup_due(r, followup_days, as_of)
        yield r


def findings_show(config: Path | None, typed_id: str) -> dict[str, Any]:
    """One finding with its whole history: every night and its evidence, every sighting, every state change."""
    settings, store = store_for(config)
    fid = resolve_id(store, typed_id)
    finding = _with_flags(store, [store.finding(fid) or {}], settings.followup_days)[0]
    nights = store.finding_history(fid)
    for night in nights:
        night["sightings"] = store.finding_sightings(fid, night["run_id"])
    return {"finding": finding, "nights": nights, "events": store.finding_events(fid),
            "campaign": campaign_summary(store, finding["campaign"]) if finding.get("campaign") else None}


def findings_set_state(config: Path | None, action: str, typed_ids: list[str], *, reason: str = "",
                       platform: str = "", reference: str = "", on: str | None = None,
                       by: str | None = None) -> list[dict[str, Any]]:
    """confirm | dismiss | reported | resolve | reopen each case; all are checked against the state diagram
    (:mod:`audits.triage`) before any is changed, so a refused one leaves every one as it was.

    ``by`` is who does it, in each event: the web desk's logged-in user; None is the OS user (the CLI)."""
    _, store = store_for(config)
    new = ACTIONS[action]
    _day("date", on)
    if new == "dismissed" and not reason.strip():
        raise InputError("dismiss: --reason is required (why is this not abuse?)")
    if new == "reported" and platform not in REPORT_CHANNELS:
        raise InputError(f"reported: --platform must be one of {', '.join(REPORT_CHANNELS)}")
    ids = list(dict.fromkeys(i for t in typed_ids for i in resolve_ids(store, t)))  # one ad named twice: once
    try:
        for fid in ids:
            check_change(store, fid, new, reason=reason, platform=platform, on=on)
        return [change_state(store, fid, new, reason=reason, platform=platform, reference=reference, on=on, by=by)
                for fid in ids]
    except TriageError as exc:
        raise InputError(str(exc)) from exc


def campaigns_list(config: Path | None, include_single: bool = False) -> list[dict[str, Any]]:
    _, store = store_for(config)
    return [c for c in campaign_summaries(store) if include_single or c["findings"] > 1]


def campaigns_show(config: Path | None, campaign_id: str) -> dict[str, Any]:
    _, store = store_for(config)
    summary = campaign_summary(store, campaign_id.strip().lower())
    if summary is None:
        raise InputError(f"no campaign {campaign_id!r}; see `serpaudit campaigns list`")
    return summary


def takedowns(config: Path | None) -> list[dict[str, Any]]:
    settings, store = store_for(config)
    return takedown_stats(store, settings.followup_days)
