"""Analyst states of a case and the event trail behind them: one state diagram, every other move refused.

::

    open ──confirm──▶ confirmed ──reported──▶ reported ──resolve──▶ resolved
     │  └──────────reported──────────────────▲  │  ▲                  │
     │                 │  └──resolve─────────┼──┼──┼────────────────▶ │
     │                 │                     │  └──┘ reported again   │
     │                 │                     │      (a second report) │
     ├──dismiss──▶ dismissed ◀──dismiss──────┘ (from confirmed)       │
     │                 │                                              │
     ◀─────reopen──────┘◀─────────reopen, or seen again───────────────┘

==========  ===========================================  ==========================================
from        to                                           why not the others
==========  ===========================================  ==========================================
open        confirmed, dismissed, reported               nothing was done yet to resolve
confirmed   reported, resolved, dismissed, open          (an analyst may take a confirmation back)
reported    reported (a second report), resolved         a platform was told it is abuse: it is not
                                                         dismissed or reopened by mistake
dismissed   open                                         not abuse: reopen it first, then decide
resolved    open                                         done: reopen it (it is also reopened when
                                                         seen again) before anything else
==========  ===========================================  ==========================================

Refused with a :class:`TriageError` that names the case, the move and what is allowed: any other move
(``dismissed -> resolved``, ``reported -> dismissed``, ``open -> resolved``...), the same state again
(but a second report), ``dismissed`` without a reason, ``reported`` without a platform or to another
platform than the case's (an ad's ad platform: Google Ads for Google's ads, Microsoft Advertising for
Bing's and DuckDuckGo's; an organic result's or an AI answer's engine), and a report date in the future
or before the case was first seen.  :func:`check_change` tells all that without changing anything, so a
command naming several cases changes none when one of them is refused.

Every change, by hand or automatic (an allow-listed case dismissed on sight, a resolved case seen again,
a case a platform was mailed), is one row in ``finding_events``: the time, old and new state, reason and
who did it (``by``: the OS user in the CLI, the logged-in user on the web desk, ``serpaudit`` for the
automatic ones).
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
# where an organic result or an AI answer is reported: the engine's own removal or feedback form
REPORT_CHANNELS = (*REPORT_PLATFORMS, "google", "bing", "duckduckgo")
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "open": ("confirmed", "dismissed", "reported"),
    "confirmed": ("reported", "resolved", "dismissed", "open"),
    "reported": ("reported", "resolved"),
    "dismissed": ("open",),
    "resolved": ("open",),
}


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


def report_channel(f: dict[str, Any]) -> str:
    """Where the case is reported: an ad's ad platform, an organic result's or an AI answer's engine."""
    return str(f.get("channel") or f.get("platform") or f.get("engine") or "")


def check_change(store: Store, fid: str, new: str, *, reason: str = "", platform: str = "", on: str | None = None,
                 today: str | None = None) -> dict[str, Any]:
    """The case, if ``new`` is a move the state diagram allows it now; else :class:`TriageError` saying why."""
    if new not in STATES:
        raise TriageError(f"state must be one of {', '.join(STATES)}, not {new!r}")
    f = store.finding(fid)
    if f is None:
        raise TriageError(f"no case {fid!r}")
    old = f.get("state") or "open"
    if new not in TRANSITIONS.get(old, ()):
        allowed = ", ".join(TRANSITIONS.get(old, ())) or "nothing"
        already = f"{fid} is already {new}" if old == new else f"{fid} is {old}: it cannot become {new}"
        raise TriageError(f"{already} (from {old}: {allowed}; see the state diagram in docs/triage.md)")
    if new == "dismissed" and not reason.strip():
        raise TriageError(f"{fid}: dismissing needs a reason (--reason)")
    if new == "reported":
        channel = report_channel(f)
        if not platform:
            raise TriageError(f"{fid}: reporting needs --platform {channel}")
        if platform != channel:
            what = "ad" if (f.get("case_kind") or "ad") == "ad" else str(f.get("case_kind")).replace("_", " ")
            raise TriageError(f"{fid} is {f.get('engine') or channel}'s {what} ({f.get('advertiser_domain') or '-'}):"
                              f" it is reported to {channel}, not {platform}")
        today = today or _now()[:10]
        day = on or today
        try:
            reported_on = date.fromisoformat(day)
        except ValueError:
            raise TriageError(f"--date: {day!r} is not a date (YYYY-MM-DD)") from None
        if reported_on.isoformat() != day:  # 20260101 or 2026-W01-1 parse too, but are stored and compared as text
            raise TriageError(f"--date: {day!r} is not written YYYY-MM-DD (as {reported_on.isoformat()})")
        if reported_on > date.fromisoformat(today) + timedelta(days=1):  # a day of slack for time zones
            raise TriageError(f"--date: {day} is in the future; the day it was reported, up to today ({today} UTC)")
        first = (f.get("first_seen") or "")[:10]
        if first and day < first:
            raise TriageError(f"--date: {day} is before {fid} was first seen ({first})")
    return f


def change_state(store: Store, fid: str, new: str, *, reason: str = "", platform: str = "",
                 reference: str = "", on: str | None = None, by: str | None = None,
                 at: str | None = None) -> dict[str, Any]:
    """Move one case to ``new`` as the state diagram allows; returns the updated case.  Raises
    :class:`TriageError`.  ``by`` is who does it (default: the OS user)."""
    at = at or _now()
    reason = reason.strip()
    f = check_change(store, fid, new, reason=reason, platform=platform, on=on, today=max(at[:10], _now()[:10]))
    old = f.get("state") or "open"
    user = by or os_user()
    values: dict[str, Any] = {"state": new, "state_reason": reason, "state_at": at}
    if new == "reported":
        values.update(reported_platform=platform, reported_at=on or at[:10], report_reference=reference.strip(),
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
