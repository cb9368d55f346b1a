"""Analyst states of a finding and the event trail behind them.

::

    open ──> confirmed ──> reported ──> resolved
      │          │            │ ▲ (a second report)
      └──────────┴──> dismissed (reason required; allow-lists number + domain for the brand)

Any state may move to any other (an analyst may change their mind), except that ``dismissed`` needs a
reason and ``reported`` a platform and a date.  Every change, by hand or automatic (an allow-listed
finding dismissed on sight, a resolved finding seen again), is one row in ``finding_events`` with the
time, old and new state, reason and the OS user.
"""

from __future__ import annotations

import getpass
import os
from datetime import UTC, date, datetime, timedelta
from typing import Any

from audits.store import Store
from audits.store_findings import STATES

AUTO_USER = "serpaudit"
REPORT_PLATFORMS = ("google_ads", "microsoft_advertising")


class TriageError(ValueError):
    """A state change that cannot be made; the message says why."""


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER") or os.environ.get("USERNAME") or "unknown"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def allow_pairs(f: dict[str, Any]) -> list[tuple[str, str]]:
    """The (number, domain) pairs a dismissal of the case allow-lists: each of its numbers on its domain,
    and the domain itself ("" for the number) when it had no number or was flagged as a lookalike."""
    domain = f.get("advertiser_domain") or ""
    numbers = list(f.get("numbers") or ()) or ([f["e164"]] if f.get("e164") else [])
    pairs = [(n, domain) for n in numbers]
    if not numbers or "lookalike_domain" in (f.get("rules") or (f.get("rule"),)):
        pairs.append(("", domain))
    return pairs


def allow_listed_state(store: Store, f: dict[str, Any]) -> dict[str, Any] | None:
    """The allow-list entry covering the case, if every (number, domain) pair of it was dismissed before."""
    entries = [store.allowed(f["brand"], n, d) for n, d in allow_pairs(f)]
    return entries[0] if entries and all(entries) else None


def record_auto_state(store: Store, fid: str, old: str | None, new: str, reason: str, at: str) -> None:
    store.add_finding_event(fid, at, old, new, reason, AUTO_USER)


def change_state(store: Store, fid: str, new: str, *, reason: str = "", platform: str = "",
                 reference: str = "", on: str | None = None, user: str | None = None,
                 at: str | None = None) -> dict[str, Any]:
    """Move one finding to ``new``; returns the updated finding.  Raises :class:`TriageError`."""
    if new not in STATES:
        raise TriageError(f"state must be one of {', '.join(STATES)}, not {new!r}")
    f = store.finding(fid)
    if f is None:
        raise TriageError(f"no finding {fid!r}")
    old = f.get("state") or "open"
    reason = reason.strip()
    if new == "dismissed" and not reason:
        raise TriageError(f"{fid}: dismissing needs a reason (--reason)")
    if old == new and new != "reported":
        raise TriageError(f"{fid} is already {new}")
    at = at or _now()
    user = user or os_user()
    values: dict[str, Any] = {"state": new, "state_reason": reason, "state_at": at}
    if new == "reported":
        if platform not in REPORT_PLATFORMS:
            raise TriageError(f"{fid}: reporting needs --platform, one of {', '.join(REPORT_PLATFORMS)}")
        day = on or at[:10]
        try:
            reported_on = date.fromisoformat(day)
        except ValueError:
            raise TriageError(f"--date: {day!r} is not a date (YYYY-MM-DD)") from None
        if reported_on > date.fromisoformat(at[:10]) + timedelta(days=1):  # a day of slack for time zones
            raise TriageError(f"--date: {day} is in the future; the day it was reported, up to today")
        values.update(reported_platform=platform, reported_at=day, report_reference=reference.strip(),
                      taken_down_at=None, takedown_days=None)
    with store.transaction():  # the state, its event and the allow-list change together or not at all
        for number, domain in allow_pairs(f):
            if new == "dismissed":
                store.allow(f["brand"], number, domain, reason, fid, at, user)
            elif old == "dismissed":
                store.disallow(f["brand"], number, domain)
        store.update_finding(fid, **values)
        store.add_finding_event(fid, at, old, new, reason, user, platform if new == "reported" else "",
                                reference.strip() if new == "reported" else "")
    updated = store.finding(fid)
    assert updated is not None
    return updated
