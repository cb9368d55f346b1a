"""Small helpers shared by the SERP templates: escaping, display URLs, stable fake ids."""

from __future__ import annotations

import hashlib
import re
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


# "drifted" markup: the engine renamed its ad markup overnight (ids removed, classes and data attributes
# renamed), while the labels a reader sees stay.  The engine parsers then miss the ads; the drift alarm
# (crawler.drift) must ring.  Organic markup is left alone, so the page still reads as results: the
# dangerous case, where a parser would otherwise report "no ads".
_DRIFT_RENAMES: dict[str, tuple[tuple[str, str], ...]] = {
    "google": ((r'\sid="(tads|tvcap|bottomads|tadsb)"', r' id="x\1"'), (r'\sdata-text-ad="1"', ""),
               (r"\[data-text-ad\]", "[data-xad]")),
    "bing": ((r"\b(b_ad|b_adBottom|b_adSlug|sb_add|sb_adTA|b_adTop)\b", r"x\1"),),
    "duckduckgo": ((r"\b(result--ad|badge--ad|badge--ad-wrap|js-badge--ad|results--ads|results--ads--main"
                    r"|results--ads--rrail|js-results-ads)\b", r"x\1"), (r'\sid="ads"', ' id="xads"')),
}


def drifted(engine: str, html: str) -> str:
    """``html`` with the engine's ad markup renamed (see _DRIFT_RENAMES)."""
    for pattern, repl in _DRIFT_RENAMES[engine]:
        html = re.sub(pattern, repl, html)
    return html
