"""``serpaudit official list|add|remove``: official numbers by hand (they survive harvests)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import phonenumbers

from audits.store import Store
from crawler.phones import number_type_name, to_e164
from serpaudit.app.config import store_for
from serpaudit.app.errors import InputError
from serpaudit.night.pipeline import utc_now
from serpaudit.settings import Settings


def official_list(config: Path | None, brand: str | None) -> list[dict[str, Any]]:
    _, store = store_for(config)
    return store.official_rows(brand)


def _number(store: Store, settings: Settings, brand: str, number: str) -> dict[str, str]:
    if store.brand(brand) is None:
        raise InputError(f"unknown brand {brand!r} (names are case-sensitive); see `serpaudit brands list`")
    try:
        parsed = phonenumbers.parse(number, settings.region)
    except phonenumbers.NumberParseException as exc:
        raise InputError(f"number {number!r}: {exc}") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise InputError(f"number {number!r} is not a valid phone number in region {settings.region}")
    return {"raw": number, "e164": to_e164(parsed), "number_type": number_type_name(parsed), "channel": "text"}


def official_add(config: Path | None, brand: str, number: str, reason: str) -> str:
    settings, store = store_for(config)
    phone = _number(store, settings, brand, number)
    store.record_official(brand, phone, "", "manual", utc_now(), None, manual=True, reason=reason)
    return f"{brand}: {phone['e164']} added as official ({reason})"


def official_remove(config: Path | None, brand: str, number: str, reason: str) -> str:
    settings, store = store_for(config)
    phone = _number(store, settings, brand, number)
    store.remove_official(brand, phone["e164"], reason)
    return f"{brand}: {phone['e164']} removed from the official numbers ({reason})"
