"""``serpaudit outbox``: the mails still to send (and, with ``include_sent``, those sent), and sending them now."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from serpaudit.app.config import store_for
from serpaudit.app.errors import IncompleteError, InputError
from serpaudit.night.reporting import flush_outbox, mail_config

COLUMNS = ["id", "status", "kind", "recipients", "subject", "attempts", "last_error", "created_at", "sent_at"]


def outbox_list(config: Path | None, include_sent: bool = False) -> list[dict[str, Any]]:
    _, store = store_for(config)
    return store.outbox() if include_sent else store.outbox("pending")


def outbox_send(config: Path | None) -> list[dict[str, Any]]:
    """Send every pending mail now; returns those that went.  IncompleteError when any did not."""
    settings, store = store_for(config)
    mail = mail_config(settings)
    if mail is None:
        raise InputError("no smtp_host in the settings: nothing can be sent")
    done = flush_outbox(store, mail)
    if done.failed:
        raise IncompleteError("; ".join(done.reasons))
    return done.sent
