"""``serpaudit brands import|list``: the brands to audit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from audits.brands import BrandFileError, read_brands_csv
from serpaudit.app.config import store_for
from serpaudit.app.errors import InputError


def brands_import(config: Path | None, file: Path) -> int:
    _, store = store_for(config)
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
    return store.upsert_brands(b for _, b in rows)


def brands_list(config: Path | None) -> list[dict[str, Any]]:
    _, store = store_for(config)
    return [{"name": b.name, "domains": list(b.domains), "phone_support": b.phone_support,
             "contact_pages": list(b.contact_pages), "queries": list(b.queries)} for b in store.brands()]
