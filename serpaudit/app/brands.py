"""``serpaudit brands import|list|remove``: the brands to audit."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from audits.brand_names import UnknownBrandError, resolve_brand_names
from audits.brands import BrandFileError, read_brands_csv
from audits.store import Store
from serpaudit.app.config import store_for
from serpaudit.app.errors import InputError
from serpaudit.ops.logs import counted


def brand_names(store: Store, names: Iterable[str]) -> list[str]:
    """The stored spelling of each name (any case); an unknown one is an input error with "did you mean"."""
    try:
        return resolve_brand_names(names, [b.name for b in store.brands()])
    except UnknownBrandError as exc:
        raise InputError(str(exc)) from exc


def brand_name(store: Store, name: str | None) -> str | None:
    return brand_names(store, [name])[0] if name else None


def _removable(store: Store, names: list[str], why: str) -> None:
    """Refuse (nothing changed) when a brand has captures or findings: its history is never deleted."""
    kept = []
    for name in names:
        history = store.brand_history(name)
        if any(history.values()):
            captures, findings = counted(history["captures"], "capture"), counted(history["findings"], "finding")
            kept.append(f"{name} ({captures}, {findings})")
    if kept:
        raise InputError(f"{why}: {'; '.join(kept)} stored in the database; a brand with a history of nights "
                         "is kept with it, nothing was changed")


def brands_import(config: Path | None, file: Path, replace: bool = False) -> tuple[int, list[str]]:
    """Store the file's brands; with ``replace`` the stored brands not in the file are removed.

    Returns the number of brands imported and the names removed.
    """
    _, store = store_for(config, create=True)  # importing brands may start a database, as init does
    try:
        rows = read_brands_csv(file)
    except BrandFileError as exc:
        raise InputError(str(exc)) from exc
    except OSError as exc:
        raise InputError(f"{file}: {exc.strerror or exc}") from exc
    stored = {b.name.casefold(): b.name for b in store.brands()}
    for line, brand in rows:
        other = stored.get(brand.name.casefold())
        if other is not None and other != brand.name:
            raise InputError(f"{file.name}:{line}: field 'name': brand {brand.name!r} differs only in case from "
                             f"the stored brand {other!r}; one brand, one spelling")
    gone: list[str] = []
    if replace:
        in_file = {b.name for _, b in rows}
        gone = [name for name in stored.values() if name not in in_file]
        _removable(store, gone, f"--replace would remove brands not in {file.name}")
        store.remove_brands(gone)
    return store.upsert_brands(b for _, b in rows), gone


def brands_remove(config: Path | None, names: list[str]) -> list[str]:
    """Remove brands (any case) with their official numbers; refused for a brand with captures or findings."""
    _, store = store_for(config)
    found = brand_names(store, names)
    _removable(store, found, "not removed")
    store.remove_brands(found)
    return found


def brands_list(config: Path | None) -> list[dict[str, Any]]:
    _, store = store_for(config)
    return [{"name": b.name, "domains": list(b.domains), "phone_support": b.phone_support,
             "contact_pages": list(b.contact_pages), "queries": list(b.queries)} for b in store.brands()]
