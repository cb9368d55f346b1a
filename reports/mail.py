"""Mail: the night's summary and files to the analysts, each platform its submission zip.

SMTP over TLS: ``starttls`` (port 587: a plain connection upgraded before anything is said) or ``ssl``
(port 465: TLS from the first byte); the server's certificate is verified.  ``none`` is for a plain internal
relay (port 25, no TLS, no login): it refuses to send credentials, which would cross the network in clear.  The login
comes from the settings file or the environment (``SERPAUDIT_SMTP_PASSWORD``), never from the
command line, where ``ps`` and shell history would show it.

:class:`Mailer` sends several mails over one session under an overall deadline (``deadline_s``): past it
the socket is shut, whatever the server is doing (a blackhole, a server that trickles its replies).  One
mail refused (451, 550, 552) or a connection dropped in the middle fails that mail only: the next one
goes on (a new connection when the old one is gone).  Which mails to send and what to record is the
caller's (serpaudit.night.outbox keeps every mail until it went through).
"""

from __future__ import annotations

import logging
import mimetypes
import smtplib
import socket
import ssl
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid
from pathlib import Path

from reports.platforms import PLATFORM_NAMES

log = logging.getLogger(__name__)

SECURITY = ("starttls", "ssl", "none")


class MailError(Exception):
    """The mail could not be sent (connection, TLS, login, refusal or the deadline); the message says which.

    ``session``: the session itself failed (no connection, TLS, login, the deadline), so the mails after
    this one would fail the same way; otherwise only this mail failed.
    """

    def __init__(self, message: str, *, session: bool = False) -> None:
        super().__init__(message)
        self.session = session


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
    timeout: float = 30.0  # seconds one SMTP exchange may take
    deadline_s: float = 300.0  # seconds all the mails of one session may take together
    max_bytes: int = 10 * 1024 * 1024  # a mail's size at most, as sent (attachments in base64)

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


def build_message(d: Delivery, config: MailConfig, body: str, message_id: str = "") -> EmailMessage:
    """``message_id``: a stable id for the mail (the outbox's), so a copy sent again can be told for the same."""
    msg = EmailMessage(policy=SMTP)
    msg["From"] = config.sender
    msg["To"] = ", ".join(d.recipients)
    msg["Subject"] = d.subject
    msg["Date"] = formatdate(usegmt=True)
    domain = config.sender.rpartition("@")[2] or None
    msg["Message-ID"] = f"<{message_id}@{domain or 'serpaudit'}>" if message_id else make_msgid(domain=domain)
    msg.set_content(body)
    for path in d.attachments:
        _attach(msg, path)
    return msg


def platform_body(platform: str, ads: int, summary: str = "") -> str:
    name = PLATFORM_NAMES.get(platform, platform)
    return (f"Dear {name} ad-policy team,\n\nThe attached zip lists {ads} ad(s) that "
            "show a phone number the named brand does not publish, at the top of results for "
            "'<brand> klantenservice'. One row per ad in the CSV, with the ad's display and landing URL, "
            "the advertiser's domain, the query, the time seen (UTC), and screenshots. SHA256SUMS lists "
            "the sha256 of every file.\n" + (f"\n{summary}\n" if summary else ""))  # fmt: skip


def encoded_size(paths: Sequence[Path], body: str = "") -> int:
    """About the bytes a mail of these attachments takes as sent: base64 is 4 bytes for 3, plus headers."""
    raw = sum(p.stat().st_size for p in paths if p.is_file())
    return (raw + 2) // 3 * 4 + len(body.encode("utf-8")) + 2048 * (len(paths) + 1)


def _connect(config: MailConfig, timeout: float) -> smtplib.SMTP:
    smtp: smtplib.SMTP
    context = ssl.create_default_context(cafile=config.ca_file or None)
    try:
        if config.security == "none":
            if config.username:  # never a password in clear text, whatever the settings say
                raise MailError(f"SMTP {config.host}: smtp_security = none sends no login; use starttls or ssl "
                                "to log in", session=True)
            smtp = smtplib.SMTP(config.host, config.effective_port, timeout=timeout)
            smtp.ehlo()
        elif config.security == "ssl":
            smtp = smtplib.SMTP_SSL(config.host, config.effective_port, timeout=timeout, context=context)
        else:
            smtp = smtplib.SMTP(config.host, config.effective_port, timeout=timeout)
            smtp.ehlo()
            smtp.starttls(context=context)  # raises SMTPNotSupportedError: we never fall back to plain text
            smtp.ehlo()
        if config.username:
            smtp.login(config.username, config.password)
    except (OSError, smtplib.SMTPException, ssl.SSLError) as exc:
        raise MailError(f"SMTP {config.host}:{config.effective_port} ({config.security}): {exc}",
                        session=True) from exc
    return smtp


class Mailer:
    """One SMTP session for several mails, all within ``config.deadline_s`` seconds (a context manager)."""

    def __init__(self, config: MailConfig) -> None:
        self.config = config
        self._smtp: smtplib.SMTP | None = None
        self._end = time.monotonic() + config.deadline_s
        self._timer = threading.Timer(config.deadline_s, self._expire)
        self._timer.daemon = True
        self._lock = threading.Lock()
        self.expired = False

    def __enter__(self) -> Mailer:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        self._quit()

    def _expire(self) -> None:
        """Past the deadline: shut the socket, so whatever waits on the server returns at once."""
        with self._lock:
            self.expired = True
            sock = getattr(self._smtp, "sock", None)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _deadline_error(self) -> MailError:
        return MailError(f"SMTP {self.config.host}: the deadline of {self.config.deadline_s:g} s for the mail "
                         "(smtp_deadline_s) passed", session=True)

    def _drop(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.close()
            except OSError:
                pass

    def _quit(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()

    def send(self, msg: EmailMessage, recipients: Sequence[str]) -> None:
        """Send one mail; :class:`MailError` when it did not go (``session``: nor will the next ones)."""
        left = self._end - time.monotonic()
        if self.expired or left <= 0:
            raise self._deadline_error()
        if self._smtp is None:
            smtp = _connect(self.config, min(self.config.timeout, left))
            with self._lock:
                self._smtp = smtp
            if self.expired:
                raise self._deadline_error()
        assert self._smtp is not None
        what = f"SMTP {self.config.host}: sending {msg['Subject']!r}"
        try:
            refused = self._smtp.send_message(msg, from_addr=self.config.sender, to_addrs=list(recipients))
        except smtplib.SMTPResponseException as exc:  # 451, 550, 552 ...: this mail is refused, the session goes on
            self._reset()
            said = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
            raise MailError(f"{what}: {exc.smtp_code} {said}") from exc
        except smtplib.SMTPRecipientsRefused as exc:
            self._reset()
            raise MailError(f"{what}: every recipient refused ({', '.join(exc.recipients)})") from exc
        except (OSError, smtplib.SMTPException) as exc:  # dropped: the next mail opens a new connection
            self._drop()
            if self.expired:
                raise self._deadline_error() from exc
            raise MailError(f"{what}: {exc.__class__.__name__}: {exc}") from exc
        if refused:
            log.warning("mail %r: refused by the server for %s", msg["Subject"], ", ".join(refused))
        log.info("mail sent: %r to %s", msg["Subject"], ", ".join(recipients))

    def _reset(self) -> None:
        try:
            assert self._smtp is not None
            self._smtp.rset()
        except (OSError, smtplib.SMTPException, AssertionError):
            self._drop()


def recipients_of(deliveries: Sequence[Delivery]) -> list[str]:
    return sorted({r for d in deliveries for r in d.recipients})
