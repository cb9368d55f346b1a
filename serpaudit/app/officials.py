"""``serpaudit official list|add|remove``: official numbers by hand (they survive harvests)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import phonenumbers

from audits.store import Store
from crawler.phones import number_type_name, to_e164
from reports.cells import phone_number
from serpaudit.app.brands import brand_name, brand_names
from serpaudit.app.config import store_for
from serpaudit.app.errors import InputError
from serpaudit.night.pipeline import utc_now
from serpaudit.settings import Settings


def official_list(config: Path | None, brand: str | None) -> list[dict[str, Any]]:
    _, store = store_for(config)
    rows = store.official_rows(brand_name(store, brand))
    for row in rows:  # flags as flags: yes/no in the table, true/false in --json
        for flag in ("published", "manual", "removed"):
            if flag in row and row[flag] is not None:
                row[flag] = bool(row[flag])
    return rows


def _number(store: Store, settings: Settings, brand: str, number: str) -> dict[str, str]:
    try:
        parsed = phonenumbers.parse(number, settings.region)
    except phonenumbers.NumberParseException as exc:
        raise InputError(f"number {number!r}: {exc}") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise InputError(f"number {number!r} is not a valid phone number in region {settings.region}")
    return {"raw": number, "e164": to_e164(parsed), "number_type": number_type_name(parsed), "channel": "text"}


def official_add(config: Path | None, brand: str, number: str, reason: str) -> str:
    settings, store = store_for(config)
    brand = brand_names(store, [brand])[0]
    phone = _number(store, settings, brand, number)
    store.record_official(brand, phone, "", "manual", utc_now(), None, manual=True, reason=reason)
    return f"{brand}: {phone_number(phone['e164'], settings.region)} added as official ({reason})"


def official_remove(config: Path | None, brand: str, number: str, reason: str) -> str:
    settings, store = store_for(config)
    brand = brand_names(store, [brand])[0]
    phone = _number(store, settings, brand, number)
    store.remove_official(brand, phone["e164"], reason)
    return f"{brand}: {phone_number(phone['e164'], settings.region)} removed from the official numbers ({reason})"
