"""Registrable domains (eTLD+1) with tldextract's bundled public-suffix list.

``suffix_list_urls=()`` keeps tldextract off the network: it uses the snapshot
shipped inside the package.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

import tldextract

_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@lru_cache(maxsize=4096)
def registrable_domain(url_or_host: str | None) -> str | None:
    """``https://www.klant.telnova.nl/x`` -> ``telnova.nl``; None if there is none.

    Accepts full URLs, bare hosts and display URLs such as ``www.x.nl › contact``.
    """
    if not url_or_host:
        return None
    s = url_or_host.strip()
    # Display URLs: "www.example.nl › klantenservice" or "example.nl/contact"
    s = s.split("›")[0].split(" ")[0].strip()
    if "://" not in s:
        s = "http://" + s
    try:
        host = urlsplit(s).hostname or ""
    except ValueError:
        return None
    ext = _EXTRACT(host)
    if not ext.domain or not ext.suffix:
        return None
    return f"{ext.domain}.{ext.suffix}".lower()


def is_on_domains(url: str | None, domains: frozenset[str] | set[str] | list[str]) -> bool:
    """True when ``url``'s registrable domain is one of ``domains``."""
    d = registrable_domain(url)
    return d is not None and d in {x.lower() for x in domains}
