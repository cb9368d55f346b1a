"""Small helpers shared by the SERP templates: escaping, display URLs, stable fake ids."""

from __future__ import annotations

import hashlib
from html import escape
from typing import Any
from urllib.parse import urlsplit


def esc(text: str | None) -> str:
    return escape(text or "", quote=True)


def token(*parts: str, length: int = 24) -> str:
    """A stable pseudo-random id (like the engines' ai=, ld=, ved= values) from the inputs."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return digest[:length]


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def site_name(url: str) -> str:
    """``https://www.telnova.nl/x`` -> ``telnova.nl`` (what engines print above a result)."""
    host = host_of(url)
    return host[4:] if host.startswith("www.") else host


def breadcrumb(url: str) -> tuple[str, str]:
    """Google/DuckDuckGo style display URL: (``https://www.x.nl``, `` › klantenservice``)."""
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.hostname}"
    segs = [s for s in parts.path.split("/") if s]
    return origin, "".join(f" › {s}" for s in segs)


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}/"


def ads_at(ads: list[dict[str, Any]], placement: str) -> list[dict[str, Any]]:
    return [a for a in ads if a["placement"] == placement]


def wa_link(e164: str) -> str:
    """wa.me takes the international number without "+"."""
    return "https://wa.me/" + e164.lstrip("+")
