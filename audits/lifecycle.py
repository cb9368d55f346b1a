"""A night's findings joined to the case file: status, counts, allow-list, takedowns.

``apply_night(store, run_id)`` runs after the audit of a run (a *night*: the run's start date):

* every finding the night saw gets ``times_seen`` (runs) and ``nights_seen`` (distinct nights), the union
  of engines, devices, placements and platforms, and a ``status``: ``new`` on its first day,
  ``reopened`` when it had gone, else ``recurring``;
* a finding seen before in a job (brand, engine, query, device) that this night crawled, and not seen
  tonight, was *missed* by the sweep -- only when every one of its jobs crawled tonight was audited.
  A blocked, CAPTCHA, consent, drift or error page proves nothing (nor a landing page that failed to
  load).  After ``gone_after_nights`` *absent days* in a row the finding is ``gone``;
* several sweeps a day (each is a run; its day and hour are its start's, UTC): the case file counts days,
  not sweeps.  Every sweep that audited a finding's jobs is kept (:mod:`audits.store_sweeps`), so a
  finding is "seen on 5 days (``nights_seen``), in 9 (``times_seen``) of 15 sweeps (``sweeps_audited``)",
  with the hours of day of the sweeps that saw it (``hours_seen``).  A day with a sweep that saw it is
  never absent.  A day a sweep missed it counts as absent at that sweep when the sweep is at or after the
  latest hour of day it was ever seen at (an ad that runs in office hours is not gone at 02:30: it may
  still show up later that day), or else at the next day's first sweep that misses it;
* a ``reported`` finding's first absent night is its takedown: ``taken_down_at`` and ``takedown_days``;
* analyst states: an open finding whose (brand, number, domain) an analyst dismissed before is
  dismissed again (it never comes back as open); a resolved finding that is seen again is open again.

Only findings of the jobs crawled tonight are read (``finding_jobs`` is indexed by job), so a night's
work grows with its captures, not with the history.  Applying the same night twice changes nothing;
applying an older night after a newer one updates counts only, never the status.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from audits.campaigns import assign_campaigns
from audits.store import Store
from audits.store_sweeps import sweep_hour
from audits.triage import AUTO_USER, allow_listed_state, record_auto_state

log = logging.getLogger(__name__)

AUDITED_STATUSES = frozenset({"ok", "empty"})
Job = tuple[str, str, str, str]


@dataclass
class NightSummary:
    run_id: str
    night: str
    seen: int = 0
    new: list[str] = field(default_factory=list)
    reopened: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    taken_down: list[str] = field(default_factory=list)
    not_proven: int = 0  # findings whose jobs were blocked tonight: nothing changes for them


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _job(c: dict) -> Job:
    """A capture's search job; a landing visit belongs to the job whose result led to it (same device)."""
    return (c.get("brand") or "", c.get("engine") or "", c.get("query") or "", c.get("device") or "")


def night_jobs(captures: list[dict]) -> dict[Job, bool]:
    """Each job crawled in the run -> whether it was audited (its page read, its landing pages loaded)."""
    jobs: dict[Job, bool] = {}
    for c in captures:
        if c.get("kind") == "source":  # a page an AI answer cites: traced, not audited
            continue
        job = _job(c)
        ok = c.get("status") in AUDITED_STATUSES
        jobs[job] = jobs.get(job, True) and ok
    return jobs


def days_between(start: str, end: str) -> int:
    return (date.fromisoformat(end[:10]) - date.fromisoformat(start[:10])).days


def apply_night(store: Store, run_id: str, *, gone_after_nights: int = 2, at: str | None = None) -> NightSummary:
    night, started = store.run_night(run_id)
    hour = sweep_hour(started)
    at = at or _now()
    latest = not store.newer_night_applied(started, run_id)
    summary = NightSummary(run_id, night)
    seen = store.findings(run_id=run_id)
    seen_ids = {f["id"] for f in seen}
    with store.transaction():
        for f in seen:
            store.record_sweep(f["id"], run_id, night, hour, seen=True)
            _seen(store, f, run_id, night, latest, at, summary)
        jobs = night_jobs(store.captures(run_id))
        missed = []
        for fid, its_jobs in store.active_findings_for_jobs(jobs).items():
            if fid in seen_ids:
                continue
            crawled = [j for j in its_jobs if j in jobs]
            if not crawled or not all(jobs[j] for j in crawled):
                summary.not_proven += 1
                continue
            missed.append(fid)
        days = store.absence(missed, night) if latest else {}  # all at once: the sweeps below change none
        for fid in missed:
            store.record_sweep(fid, run_id, night, hour, seen=False)
            counts = store.finding_counts(fid)
            store.update_finding(fid, sweeps_audited=counts["sweeps_audited"], hours_seen=counts["hours_seen"])
            if latest:
                _absent(store, fid, run_id, night, hour, gone_after_nights, summary, days[fid])
        store.mark_night_applied(run_id, night, started, at)
        assign_campaigns(store, run_id, at)  # one transaction: the night is joined to the case file whole
    log.info("night %s (run %s): %d seen, %d new, %d reopened, %d gone, %d taken down, %d not proven",
             night, run_id, summary.seen, len(summary.new), len(summary.reopened), len(summary.gone),
             len(summary.taken_down), summary.not_proven)  # fmt: skip
    return summary


def _seen(store: Store, f: dict, run_id: str, night: str, latest: bool, at: str, summary: NightSummary) -> None:
    fid = f["id"]
    values: dict = {**store.finding_counts(fid), **store.run_lists(fid, run_id)}  # audits.store_counts
    nights = values["nights_seen"]
    summary.seen += 1
    if latest and f.get("status_run_id") != run_id:
        if f.get("status") == "gone":
            values.update(status="reopened", reopened_at=night)
            summary.reopened.append(fid)
        elif f.get("first_run_id") == run_id or nights <= 1:  # new all its first day, however many sweeps
            values["status"] = "new"
            summary.new.append(fid)
        else:
            values["status"] = "recurring"
        values.update(absent_nights=0, status_run_id=run_id, gone_at=None)
        if f.get("state") == "reported" and f.get("taken_down_at"):
            log.warning("finding %s was taken down on %s but is live again", fid, f["taken_down_at"])
            values.update(taken_down_at=None, takedown_days=None)
        state = f.get("state") or "open"
        if state == "open":
            entry = allow_listed_state(store, f)
            if entry is not None:
                record_auto_state(store, fid, state, "dismissed", f"allow-listed: {entry['reason']}", at)
                values.update(state="dismissed", state_reason=entry["reason"], state_at=at)
        elif state == "resolved":
            record_auto_state(store, fid, state, "open", "seen again after it was resolved", at)
            values.update(state="open", state_reason="seen again after it was resolved", state_at=at)
    store.update_finding(fid, **values)
    store.set_jobs_active(fid, True)


def _absent(store: Store, fid: str, run_id: str, night: str, hour: int | None, gone_after: int,
            summary: NightSummary, days_of: tuple[str, str]) -> None:
    """The sweep missed the finding: count the absent days this proves (at most yesterday's and today's).

    ``days_of``: the last day a sweep saw it, and the last day before tonight a sweep missed it
    (:meth:`audits.store_sweeps.SweepRecords.absence`)."""
    f = store.finding(fid)
    if f is None or f.get("last_run_id") == run_id:
        return
    # a day a sweep missed it but no later-enough sweep of that day counted it: it counts now, the day is over
    last_seen, earlier = days_of
    counted = f.get("last_absent_night") or ""
    days = [earlier] if earlier > last_seen and earlier > counted else []
    hours = f.get("hours_seen") or []
    if night > last_seen and night > counted and (hour is None or not hours or hour >= max(hours)):
        days.append(night)  # one absent day per day, however many sweeps it had
    for day in days:
        f = _absent_day(store, f, run_id, day, gone_after, summary)


def _absent_day(store: Store, f: dict, run_id: str, day: str, gone_after: int, summary: NightSummary) -> dict:
    fid = f["id"]
    absent = int(f.get("absent_nights") or 0) + 1
    values: dict = {"absent_nights": absent, "last_absent_night": day}
    if fid not in summary.absent:
        summary.absent.append(fid)
    if f.get("state") in ("reported", "resolved") and not f.get("taken_down_at") and f.get("reported_at"):
        values.update(taken_down_at=day, takedown_days=max(days_between(f["reported_at"], day), 0))
        summary.taken_down.append(fid)
    if absent >= gone_after and f.get("status") != "gone":
        values.update(status="gone", gone_at=day, status_run_id=run_id)
        summary.gone.append(fid)
        store.set_jobs_active(fid, False)  # a gone finding leaves the nightly look-ups until it returns
    store.update_finding(fid, **values)
    return {**f, **values}


__all__ = ["AUTO_USER", "NightSummary", "apply_night", "night_jobs"]
