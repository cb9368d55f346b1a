"""Mailing a report folder: the summary to everyone, each platform's zip to that platform, the
analyst outputs to the analysts.

SMTP over TLS: ``starttls`` (port 587: a plain connection upgraded before anything is said) or ``ssl``
(port 465: TLS from the first byte); the server's certificate is verified.  ``none`` is for a plain internal
relay (port 25, no TLS, no login): it refuses to send credentials, which would cross the network in clear.  The login
comes from the settings file or the environment (``SERPAUDIT_SMTP_PASSWORD``), never from the
command line, where ``ps`` and shell history would show it.  A platform whose CSV is empty tonight
gets no mail.
"""

from __future__ import annotations

import logging
import mimetypes
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid
from pathlib import Path

from reports.bundle import Bundle
from reports.platforms import PLATFORM_NAMES

log = logging.getLogger(__name__)

SECURITY = ("starttls", "ssl", "none")


class MailError(Exception):
    """The mail could not be sent (connection, TLS, login or refusal); the message says which.

    ``delivered``: the mails that did go out before the failure (their findings count as sent).
    """

    def __init__(self, message: str, delivered: Sequence[Delivery] = ()) -> None:
        super().__init__(message)
        self.delivered = list(delivered)


@dataclass(frozen=True)
class MailConfig:
    host: str
    sender: str
    port: int = 0  # 0: 465 for ssl, 587 for starttls, 25 for none
    security: str = "starttls"
    username: str = ""
    password: str = field(default="", repr=False)
    ca_file: str = ""  # PEM bundle to trust instead of the system's
    analysts: tuple[str, ...] = ()
    platforms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    timeout: float = 30.0

    @property
    def effective_port(self) -> int:
        return self.port or {"ssl": 465, "none": 25}.get(self.security, 587)


@dataclass(frozen=True)
class Delivery:
    """One mail that went out: to whom, about what, with which files."""

    kind: str  # "analysts" or a platform name
    recipients: tuple[str, ...]
    subject: str
    attachments: tuple[Path, ...]
    finding_ids: tuple[str, ...] = ()


def _attach(msg: EmailMessage, path: Path) -> None:
    ctype, _ = mimetypes.guess_type(path.name)
    if path.suffix == ".xlsx":
        ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    maintype, subtype = (ctype or "application/octet-stream").split("/", 1)
    msg.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype, filename=path.name)


def plan(bundle: Bundle, config: MailConfig, subject: str) -> list[Delivery]:
    """Who gets what tonight (nothing is sent here)."""
    out: list[Delivery] = []
    if config.analysts:
        out.append(Delivery("analysts", tuple(config.analysts), subject, tuple(bundle.analyst_files)))
    for platform, ids in bundle.sent.items():
        recipients = tuple(config.platforms.get(platform, ()))
        if not ids or not recipients:
            continue
        name = PLATFORM_NAMES.get(platform, platform)
        n = len(ids)
        night = subject.split(":", 1)[0].removeprefix("serpaudit ")
        title = f"{name}: {n} ad{'s' if n != 1 else ''} with fake support numbers, {night}"  # short: one line
        out.append(Delivery(platform, recipients, title, (bundle.platform_zips[platform],), tuple(ids)))
    return out


def build_message(d: Delivery, config: MailConfig, body: str) -> EmailMessage:
    msg = EmailMessage(policy=SMTP)
    msg["From"] = config.sender
    msg["To"] = ", ".join(d.recipients)
    msg["Subject"] = d.subject
    msg["Date"] = formatdate(usegmt=True)
    msg["Message-ID"] = make_msgid(domain=config.sender.rpartition("@")[2] or None)
    msg.set_content(body)
    for path in d.attachments:
        _attach(msg, path)
    return msg


def platform_body(platform: str, bundle: Bundle) -> str:
    name = PLATFORM_NAMES.get(platform, platform)
    return (f"Dear {name} ad-policy team,\n\nThe attached zip lists {len(bundle.sent[platform])} ad(s) that "
            "show a phone number the named brand does not publish, at the top of results for "
            "'<brand> klantenservice'. One row per ad in the CSV, with the ad's display and landing URL, "
            "the advertiser's domain, the query, the time seen (UTC), and screenshots. SHA256SUMS lists "
            "the sha256 of every file.\n\n" + bundle.summary + "\n")  # fmt: skip


def _connect(config: MailConfig) -> smtplib.SMTP:
    smtp: smtplib.SMTP
    context = ssl.create_default_context(cafile=config.ca_file or None)
    try:
        if config.security == "none":
            if config.username:  # never a password in clear text, whatever the settings say
                raise MailError(f"SMTP {config.host}: smtp_security = none sends no login; use starttls or ssl "
                                "to log in")
            smtp = smtplib.SMTP(config.host, config.effective_port, timeout=config.timeout)
            smtp.ehlo()
        elif config.security == "ssl":
            smtp = smtplib.SMTP_SSL(config.host, config.effective_port, timeout=config.timeout,
                                                  context=context)  # fmt: skip
        else:
            smtp = smtplib.SMTP(config.host, config.effective_port, timeout=config.timeout)
            smtp.ehlo()
            smtp.starttls(context=context)  # raises SMTPNotSupportedError: we never fall back to plain text
            smtp.ehlo()
        if config.username:
            smtp.login(config.username, config.password)
    except (OSError, smtplib.SMTPException, ssl.SSLError) as exc:
        raise MailError(f"SMTP {config.host}:{config.effective_port} ({config.security}): {exc}") from exc
    return smtp


def send(bundle: Bundle, config: MailConfig, subject: str) -> list[Delivery]:
    """Send tonight's mails; returns those delivered.  Raises MailError when the server fails us."""
    deliveries = plan(bundle, config, subject)
    if not deliveries:
        log.warning("mail: no recipients for tonight's files; nothing sent")
        return []
    done: list[Delivery] = []
    smtp = _connect(config)
    try:
        for d in deliveries:
            body = bundle.summary + "\n" if d.kind == "analysts" else platform_body(d.kind, bundle)
            msg = build_message(d, config, body)
            try:
                refused = smtp.send_message(msg, from_addr=config.sender, to_addrs=list(d.recipients))
            except (OSError, smtplib.SMTPException) as exc:
                raise MailError(f"SMTP {config.host}: sending {d.subject!r}: {exc}", done) from exc
            if refused:
                log.warning("mail %r: refused by the server for %s", d.subject, ", ".join(refused))
            log.info("mail sent: %r to %s (%d attachment(s))", d.subject, ", ".join(d.recipients), len(d.attachments))
            done.append(d)
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            pass
    return done


def recipients_of(deliveries: Sequence[Delivery]) -> list[str]:
    return sorted({r for d in deliveries for r in d.recipients})
