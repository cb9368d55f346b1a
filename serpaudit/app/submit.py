"""``serpaudit submit``: a platform submission from the ads an analyst chose, built and (``send``) mailed.

:func:`submit` is the use case the CLI and the web's Submit page share: it returns data, and ``by`` names
who asked (the OS user in the CLI, the logged-in user on the web); the events it leaves carry that name.
:func:`candidates` is what a platform would be offered now, without building anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from audits.triage import os_user
from reports.mail import platform_body
from reports.platforms import PLATFORM_NAMES, PLATFORMS
from reports.submission import submission_subject
from serpaudit.app.config import store_for
from serpaudit.app.errors import IncompleteError, InputError
from serpaudit.app.findings import resolve_id
from serpaudit.night.outbox import OUTBOX_DIR, MailTooLarge, enqueue
from serpaudit.night.reporting import flush_outbox, mail_config
from serpaudit.night.submissions import (
    SUBMITTABLE_STATES,
    NotSubmittable,
    Submission,
    build_submission,
    named,
    submittable,
)

# what the CLI's table shows of each ad; --json holds every field
AD_COLUMNS = ["id", "state", "status", "brand", "rule", "e164", "advertiser_domain", "first_seen", "last_seen"]


@dataclass
class SubmitOutcome:
    platform: str
    ads: list[dict[str, Any]]
    submission: Submission | None = None  # None: no ad to submit
    queued: bool = False  # put in the outbox to mail (``send``)
    sent: bool = False  # the platform's mail went through
    mail_note: str = ""

    def as_dict(self) -> dict[str, Any]:
        sub = self.submission
        return {
            "platform": self.platform, "submission": sub.id if sub else None,
            "folder": str(sub.folder) if sub else None, "zip": str(sub.zip_path) if sub else None,
            "zip_sha256": sub.zip_sha256 if sub else None, "by": sub.by if sub else None,
            "ads": self.ads, "queued": self.queued, "sent": self.sent, "mail": self.mail_note,
        }  # fmt: skip


def _platform(platform: str) -> str:
    if platform not in PLATFORMS:
        raise InputError(f"--platform: {platform!r} is not one of {', '.join(PLATFORMS)}")
    return platform


def _states(state: str | None) -> tuple[str, ...]:
    if state is None:
        return SUBMITTABLE_STATES
    if state not in SUBMITTABLE_STATES:
        raise InputError(f"--state: {state!r} is not one of {', '.join(SUBMITTABLE_STATES)}")
    return (state,)


def candidates(config: Path | None, platform: str, *, state: str | None = None) -> list[dict[str, Any]]:
    """The ads ``platform`` would be offered now (nothing is built)."""
    _, store = store_for(config)
    return submittable(store, _platform(platform), states=_states(state))


def submit(config: Path | None, platform: str, *, state: str | None = None, ids: Sequence[str] = (),
           send: bool = False, by: str | None = None, now: str | None = None) -> SubmitOutcome:
    """Build ``platform``'s submission from every ad it is offered (``state``: only those in that state) or
    from the ads ``ids`` names; ``send``: mail it to the platform's recipients, after which its ads are
    ``reported`` to it by ``by`` (default: the OS user).  Raises InputError for a bad platform, state or id,
    IncompleteError when the mail did not go through (it stays in the outbox for the next run)."""
    settings, store = store_for(config)
    platform = _platform(platform)
    states = _states(state)
    by = by or os_user()
    now = now or datetime.now(UTC).isoformat(timespec="seconds")
    mail = mail_config(settings) if send else None
    if send and mail is None:
        raise InputError("--send: no smtp_host in the settings; set the SMTP settings, or build the bundle "
                         "without --send and send it by hand")
    recipients = tuple(mail.platforms.get(platform, ())) if mail else ()
    if send and not recipients:
        raise InputError(f"--send: no {platform}_recipients in the settings")
    if ids:
        if state is not None:
            raise InputError("--state chooses among all the ads; with ids, the ids alone are taken")
        try:
            ads = named(store, platform, [resolve_id(store, i) for i in ids])
        except NotSubmittable as exc:
            raise InputError(str(exc)) from exc
    else:
        ads = submittable(store, platform, states=states)
    outcome = SubmitOutcome(platform, ads)
    if not ads:
        outcome.mail_note = f"no ad to submit to {PLATFORM_NAMES[platform]}: nothing built"
        return outcome
    sub = build_submission(settings, store, platform, ads, by=by, now=now)
    outcome.submission = sub
    if mail is None:
        return outcome
    subject = submission_subject(platform, len(sub.finding_ids), now[:10])
    try:
        mid = enqueue(store, kind=platform, recipients=recipients, subject=subject,
                      body=platform_body(platform, len(sub.finding_ids)), attachments=[sub.zip_path], now=now,
                      max_bytes=mail.max_bytes, zip_dir=settings.reports_dir / OUTBOX_DIR, folder=sub.folder,
                      submission_id=sub.id, finding_ids=sub.finding_ids, zip_sha256=sub.zip_sha256, by=by,
                      key=sub.id)  # fmt: skip
    except MailTooLarge as exc:
        outcome.mail_note = str(exc)
        raise IncompleteError(f"submission built in {sub.folder}; {exc}") from exc
    outcome.queued = True
    done = flush_outbox(store, mail)
    outcome.sent = any(m["id"] == mid for m in done.sent)
    to = sorted({r for m in done.sent for r in m["recipients"]})
    outcome.mail_note = "; ".join([*([f"mailed to {', '.join(to)}"] if to else []), *done.reasons])
    if done.failed or done.unsure:  # this mail, or an earlier one retried with it
        raise IncompleteError(f"submission built in {sub.folder}; {outcome.mail_note}")
    return outcome
