"""``serpaudit parse serp|contact``: parse saved pages offline."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import phonenumbers

from audits.evidence_files import read_page
from crawler import contact
from crawler.engines import ENGINE_NAMES, get_engine
from serpaudit.app.errors import InputError
from serpaudit.night.landing import page_limits
from serpaudit.settings import Settings


def _read(file: Path) -> str:
    """A saved page, or one from the evidence folder: gzipped there (``x.html.gz``) since issue 22."""
    try:
        return read_page(file)
    except OSError as exc:
        raise InputError(f"{file}: {exc.strerror or exc}") from exc


def _check_page_options(region: str, url: str | None) -> None:
    if region not in phonenumbers.SUPPORTED_REGIONS:
        hint = (f"region codes are upper case: {region.upper()!r}" if region.upper() in phonenumbers.SUPPORTED_REGIONS
                else "not a region code phonenumbers knows, such as NL, BE or DE")
        raise InputError(f"--region: {region!r}: {hint}")
    if url is not None:
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises ValueError for a port out of range
        except ValueError as exc:
            raise InputError(f"--url: {url!r} is not a valid URL ({exc})") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InputError(f"--url: {url!r} is not an absolute http(s) URL")


def parse_serp(files: list[Path], engine: str, region: str, url: str | None) -> list[dict[str, Any]]:
    if engine not in ENGINE_NAMES:
        raise InputError(f"--engine: {engine!r} is not one of {', '.join(ENGINE_NAMES)}")
    _check_page_options(region, url)
    module = get_engine(engine)
    out = []
    for f in files:
        page = module.parse(_read(f), url, region=region).to_dict()
        out.append({"file": str(f), **page} if len(files) > 1 else page)
    return out


def parse_contact(files: list[Path], url: str | None, region: str) -> list[dict[str, Any]]:
    _check_page_options(region, url)
    limits = page_limits(Settings())  # a saved page is as hostile as a live one: the default cap and budget
    out = []
    for f in files:
        page = contact.parse(_read(f), url, region, limits).to_dict()
        out.append({"file": str(f), **page} if len(files) > 1 else page)
    return out
