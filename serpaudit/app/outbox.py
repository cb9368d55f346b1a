"""``serpaudit outbox``: the mails still to send (and, with ``include_sent``, those sent), and sending them now."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from serpaudit.app.config import store_for
from serpaudit.app.errors import IncompleteError, InputError
from serpaudit.night.outbox import mark_sent
from serpaudit.night.reporting import flush_outbox, mail_config

COLUMNS = ["id", "status", "kind", "recipients", "subject", "attempts", "last_error", "created_at", "sent_at"]


def outbox_list(config: Path | None, include_sent: bool = False) -> list[dict[str, Any]]:
    _, store = store_for(config)
    return store.outbox() if include_sent else [*store.outbox("sending"), *store.outbox("pending")]


def outbox_decide(config: Path | None, mail_id: str, went: bool) -> dict[str, Any]:
    """A person's word on a mail left ``sending`` by a process that stopped: it went (recorded as sent, its ads
    as delivered), or it did not (pending again, sent by the next flush)."""
    _, store = store_for(config)
    mail = store.mail(mail_id)
    if mail is None:
        raise InputError(f"no mail {mail_id!r} in the outbox (`serpaudit outbox --all` lists them)")
    if mail["status"] != "sending":
        raise InputError(f"mail {mail_id} is {mail['status']}, not left sending: nothing to decide")
    now = datetime.now(UTC).isoformat(timespec="seconds")
    if went:
        mark_sent(store, mail_id, now)
    else:
        store.release_mail(mail_id)
    return store.mail(mail_id) or mail


def outbox_send(config: Path | None) -> list[dict[str, Any]]:
    """Send every pending mail now; returns those that went.  IncompleteError when any did not."""
    settings, store = store_for(config)
    mail = mail_config(settings)
    if mail is None:
        raise InputError("no smtp_host in the settings: nothing can be sent")
    done = flush_outbox(store, mail)
    if done.failed or done.unsure:
        raise IncompleteError("; ".join(done.reasons))
    return done.sent
