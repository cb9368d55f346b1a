"""Ad click URLs: the one test of whether a URL would charge an advertiser if requested.

The browser refuses every request that matches, the landing stage never
visits one, and the parsers keep them only as evidence.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_GOOGLE_HOST = re.compile(r"^(?:www\.)?google\.[a-z]{2,3}(?:\.[a-z]{2})?$")


def is_ad_click_url(url: str | None) -> bool:
    """True for googleadservices, Google /aclk, Bing /aclk and DuckDuckGo y.js click URLs."""
    if not url:
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    host, path = (parts.hostname or "").lower(), parts.path.lower()
    if host == "googleadservices.com" or host.endswith(".googleadservices.com"):
        return True
    if _GOOGLE_HOST.match(host) and path.startswith("/aclk"):
        return True
    if (host == "bing.com" or host.endswith(".bing.com")) and path.startswith(("/aclk", "/aclick")):
        return True
    return (host == "duckduckgo.com" or host.endswith(".duckduckgo.com")) and path == "/y.js"
