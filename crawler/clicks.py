"""Ad click URLs: the one test of whether a URL would charge an advertiser if requested.

The browser refuses every request that matches, the landing stage never
visits one, and the parsers keep them only as evidence.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_GOOGLE_HOST = re.compile(r"^(?:www\.)?google\.[a-z]{2,3}(?:\.[a-z]{2})?$")

# Every ad click URL matches this (and a few other URLs do): the browser's route pattern. A pattern, not a
# Python function, so that Chromium itself picks the requests to stop; a function made every request of
# every page (images, scripts) wait for a round trip to Python. is_ad_click_url() decides on the matches.
CLICK_URL_CANDIDATES = re.compile(
    r"^[a-z][a-z0-9+.-]*://[^/?#]*(?:googleadservices\.com|(?:google|bing)\.[^/?#]+/acli?c?k"
    r"|duckduckgo\.[^/?#]+/y\.js)",
    re.IGNORECASE,
)


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
