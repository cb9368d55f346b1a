"""The outbox: every mail is recorded before it is sent, and retried on later runs until it goes through.

Two kinds of mail go in (:func:`enqueue`): the analysts' night (the summary, report.html, the spreadsheet)
and a platform's submission (its zip).  :func:`flush` sends every pending mail, oldest first, over one
SMTP session under the overall deadline (``smtp_deadline_s``); a mail refused or cut off fails alone and
the others still go.  A mail that went through is ``sent``: for a platform its ads are recorded as
delivered (``report_deliveries``: what, when, to whom, the zip's sha256) and become ``reported`` to that
platform, by whoever sent the submission.  A failed one stays ``pending`` with its error and its count of
attempts, and holds its ads (no later submission takes them), so each ad reaches its platform once.

Each mail is claimed before it is sent (``sending``), so two processes flushing at once (the night's run and
an analyst's Send on the desk) never send it twice.  A process stopped between the server's answer and the
record of it leaves the mail ``sending``: it may have gone, so it is not sent again by itself but named in
every flush's reasons until a person says (``serpaudit outbox --resend ID`` or ``--mark-sent ID``).  Its
Message-ID is the outbox id, so a copy sent again can be told for the same mail.

A mail stays under ``max_mail_mb``: attachments too big go zipped, and when the zip is still too big the
analysts' mail carries the small files and says where the rest is (:func:`fit`).  A platform's mail is its
zip or nothing: one too big is refused (:class:`MailTooLarge`) and its ads stay unreported.
"""

from __future__ import annotations

import logging
import socket
import uuid
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from audits.ids import stable_id
from audits.store import Store
from audits.triage import AUTO_USER, TriageError, change_state
from reports.mail import Delivery, MailConfig, Mailer, MailError, build_message, encoded_size
from reports.platforms import PLATFORM_NAMES

log = logging.getLogger(__name__)

OUTBOX_DIR = "outbox"  # under reports_dir: attachments zipped to fit a mail
SMALL_SHARE = 10  # too big even zipped: the files under a tenth of the limit still go


class MailTooLarge(Exception):
    """A platform's zip is over ``max_mail_mb``: a mail without it would carry no evidence, so none is queued."""


@dataclass(frozen=True)
class Fitted:
    attachments: tuple[Path, ...]
    note: str = ""  # for the body: what was zipped or left out, and where it is


@dataclass
class Flushed:
    """What :func:`flush` did: the mails that went, and those still pending with why."""

    sent: list[dict[str, Any]] = field(default_factory=list)
    failed: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    unsure: list[dict[str, Any]] = field(default_factory=list)  # left ``sending`` by a process that stopped

    @property
    def reasons(self) -> list[str]:
        return [*(f"mail {describe(m)} not sent ({error}); kept in the outbox, retried on the next run"
                  for m, error in self.failed),
                *(f"mail {describe(m)} was being sent at {m['last_attempt_at']} when its process stopped and may "
                  f"have gone: `serpaudit outbox --resend {m['id']}` sends it again, `serpaudit outbox --mark-sent "
                  f"{m['id']}` records it as delivered" for m in self.unsure)]  # fmt: skip


def describe(mail: dict[str, Any]) -> str:
    kind = "to the analysts" if mail["kind"] == "analysts" else f"to {PLATFORM_NAMES.get(mail['kind'], mail['kind'])}"
    return f"{kind} ({', '.join(mail['recipients'])}): {mail['subject']!r}"


def fit(paths: Sequence[Path], max_bytes: int, zip_dir: Path, zip_name: str, folder: Path | None) -> Fitted:
    """``paths`` as they fit in one mail of ``max_bytes``: as they are, zipped, or only the small ones."""
    paths = [p for p in paths if p.is_file()]
    if encoded_size(paths) <= max_bytes:
        return Fitted(tuple(paths))
    total = sum(p.stat().st_size for p in paths)
    where = f"; they are in {folder} on {socket.gethostname()}" if folder else ""
    if not (len(paths) == 1 and paths[0].suffix == ".zip"):
        zip_dir.mkdir(parents=True, exist_ok=True)
        zipped = zip_dir / zip_name
        with zipfile.ZipFile(zipped, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for p in paths:
                zf.write(p, p.name)
        if encoded_size([zipped]) <= max_bytes:
            return Fitted((zipped,), f"The files ({_mb(total)}) are zipped in {zipped.name} to stay under the mail "
                                     f"size limit{where}.")  # fmt: skip
    small = tuple(p for p in paths if p.suffix != ".zip" and encoded_size([p]) <= max_bytes // SMALL_SHARE)
    left = ", ".join(p.name for p in paths if p not in small)
    return Fitted(small, f"Too large to mail ({_mb(total)}, over the limit of {_mb(max_bytes)}): {left} not "
                         f"attached{where}.")  # fmt: skip


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def enqueue(store: Store, *, kind: str, recipients: Sequence[str], subject: str, body: str,
            attachments: Sequence[Path], now: str, max_bytes: int, zip_dir: Path, folder: Path | None = None,
            run_id: str | None = None, submission_id: str | None = None, finding_ids: Sequence[str] = (),
            zip_sha256: str = "", by: str = AUTO_USER, key: str | None = None) -> str:
    """Record one mail to send; returns its id.  ``key``: the same key again is the same mail (not twice);
    without one, each call is a new mail (the analysts asked for the night again)."""
    mid = stable_id("mail", kind, key or f"{run_id}:{submission_id}:{now}:{uuid.uuid4().hex}")
    if store.mail(mid) is not None:
        return mid
    fitted = fit(attachments, max_bytes, zip_dir / mid, f"{folder.name if folder else kind}.zip", folder)
    if kind != "analysts" and fitted.note:
        size = sum(Path(p).stat().st_size for p in attachments if Path(p).is_file())
        raise MailTooLarge(f"the {PLATFORM_NAMES.get(kind, kind)} zip ({_mb(size)}) is over max_mail_mb "
                           f"({_mb(max_bytes)}): not mailed, its ads stay unreported; upload "
                           f"{', '.join(str(p) for p in attachments)} by the platform's form, or raise max_mail_mb")
    store.enqueue_mail({
        "id": mid, "kind": kind, "run_id": run_id, "submission_id": submission_id, "recipients": list(recipients),
        "subject": subject, "body": body + (f"\n{fitted.note}\n" if fitted.note else ""),
        "attachments": [str(p) for p in fitted.attachments], "link": str(folder or ""),
        "finding_ids": list(finding_ids), "zip_sha256": zip_sha256, "by": by, "created_at": now,
    })  # fmt: skip
    if fitted.note:
        log.warning("mail %r: %s", subject, fitted.note)
    return mid


def flush(store: Store, config: MailConfig, now: Callable[[], str]) -> Flushed:
    """Send every pending mail, oldest first; returns what went and what did not."""
    done = Flushed()
    done.unsure = [m for m in store.outbox("sending") if _stopped_mid_send(m, config, now())]
    for reason in done.reasons:
        log.error("%s", reason)
    pending = store.outbox("pending")
    if not pending:
        return done
    with Mailer(config) as mailer:
        for i, mail in enumerate(pending):
            if not store.claim_mail(mail["id"], now()):
                continue  # another process is sending it
            missing = [p for p in mail["attachments"] if not Path(p).is_file()]
            if missing:  # a mail that says "attached" must carry it
                error = f"attachment {', '.join(missing)} is gone"
                store.mail_attempted(mail["id"], now(), error)
                done.failed.append((mail, error))
                continue
            d = Delivery(mail["kind"], tuple(mail["recipients"]), mail["subject"],
                         tuple(Path(p) for p in mail["attachments"]), tuple(mail["finding_ids"]))
            try:
                mailer.send(build_message(d, config, mail["body"], message_id=mail["id"]), d.recipients)
            except MailError as exc:
                for later in pending[i:] if exc.session else [mail]:  # the session failed: so do the rest
                    store.mail_attempted(later["id"], now(), str(exc), claimed=later is mail)
                    done.failed.append((later, str(exc)))
                log.error("mail: %s", exc)
                if exc.session:
                    break
                continue
            at = now()
            with store.transaction():
                store.mail_sent(mail["id"], at)
                if mail["kind"] != "analysts":
                    _delivered(store, mail, at)
            done.sent.append(mail)
    return done


def _stopped_mid_send(mail: dict[str, Any], config: MailConfig, now: str) -> bool:
    """Claimed longer ago than a whole SMTP session may take: its process is no longer sending it."""
    try:
        age = (datetime.fromisoformat(now) - datetime.fromisoformat(mail["last_attempt_at"] or now)).total_seconds()
    except ValueError:
        return True
    return age > config.deadline_s + 60


def mark_sent(store: Store, mid: str, at: str) -> bool:
    """A person says mail ``mid``, left ``sending``, went: recorded as sent, its ads as delivered."""
    mail = store.mail(mid)
    if mail is None or mail["status"] != "sending":
        return False
    with store.transaction():
        store.mail_sent(mid, at)
        if mail["kind"] != "analysts":
            _delivered(store, mail, at)
    return True


def _delivered(store: Store, mail: dict[str, Any], at: str) -> None:
    """The platform got ``mail``'s ads: recorded once, and each is reported to it from today."""
    platform = mail["kind"]
    store.record_delivery(mail["run_id"], platform, mail["finding_ids"], mail["recipients"], at, mail["zip_sha256"],
                          submission_id=mail["submission_id"], outbox_id=mail["id"])  # fmt: skip
    reference = f"mailed to {', '.join(mail['recipients'])}" + (
        f" (submission {mail['submission_id']})" if mail["submission_id"] else "")
    for fid in mail["finding_ids"]:
        f = store.finding(fid)
        if f is None or (f.get("state") or "open") in ("dismissed", "resolved"):
            log.warning("mail: %s went to %s but was %s meanwhile: its state is kept", fid, platform,
                        f.get("state") if f else "deleted")
            continue
        try:
            change_state(store, fid, "reported", platform=platform, on=at[:10], at=at, by=mail["by"] or AUTO_USER,
                         reference=reference)
        except TriageError as exc:  # the mail went out all the same
            log.warning("mail: %s", exc)
