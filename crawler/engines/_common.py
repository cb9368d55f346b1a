"""Helpers shared by the engine parsers: click-wrapper decoding, text, block bookkeeping and
the assembly of found blocks into ranked results.

Ad click URLs are evidence only: they are decoded here, never fetched.  The wrappers
seen in real pages:

- Bing ``https://www.bing.com/aclk?...&u=a1<urlsafe base64 of the landing URL>`` (2021+),
  ``/aclick?...&u=<base64 of the percent-encoded landing URL>`` (2019) and the organic
  ``/ck/a?...&u=a1...`` wrapper;
- DuckDuckGo ``https://duckduckgo.com/y.js?...&u3=<percent-encoded click URL>`` (ads,
  usually wrapping a Bing click URL) and ``/l/?uddg=<percent-encoded URL>`` (links);
- Yahoo ``https://r.search.yahoo.com/cbclk/.../RU=<percent-encoded URL>/RK=...`` (DuckDuckGo
  ads served through Yahoo, 2019).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

from bs4 import BeautifulSoup, Tag
from bs4.element import NavigableString, PreformattedString

from crawler.dom import is_hidden, visible_text
from crawler.domains import registrable_domain
from crawler.models import Phone, SerpResult
from crawler.trackers import advertiser, bing_base64

AD_LABELS = ("Advertentie", "Advertenties", "Gesponsord", "Anzeige", "Anzeigen", "Ad", "Ads", "Sponsored",
             "Annonce", "Sponsorisé")
_MAX_DEPTH = 6
_HTTP = ("http://", "https://")

# A result block as a parser finds it: (block, kind, placement, fields), where fields holds
# title, display_url, landing_url and click_url.
Found = tuple[Tag, str, str, dict[str, Any]]


def decode_bing_u(u: str | None) -> str | None:
    """Bing's ``u=`` value: "a1" + urlsafe base64 (padding stripped), or plain base64 of a
    (sometimes percent-encoded) URL.  None where it does not decode to an http(s) URL."""
    return bing_base64(u.strip()) if u else None


def is_click_wrapper(url: str | None) -> bool:
    """True for a search engine's click/redirect URL (ad click or link wrapper)."""
    if not url:
        return False
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    path = parts.path
    if host.endswith("duckduckgo.com") and path in ("/y.js", "/l/", "/l"):
        return True
    if host.endswith("bing.com") and path in ("/aclk", "/aclick", "/ck/a"):
        return True
    return host.endswith("search.yahoo.com") and "/RU=" in path


def landing_of(url: str | None, base: str = "https://www.bing.com", _depth: int = 0) -> str | None:
    """The advertiser's (or result's) URL behind ``url``, unwrapping click wrappers.

    A plain http(s) URL is returned as is; a wrapper whose target is not in the URL
    gives None (never guessed, never fetched).
    """
    if not url or _depth > _MAX_DEPTH:
        return None
    url = url.strip()
    if url.startswith(("/", "//")):
        url = urljoin(base, url)
    if not url.lower().startswith(_HTTP):
        return None
    if not is_click_wrapper(url):
        return url
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    qs = parse_qs(parts.query)
    inner: str | None = None
    if host.endswith("duckduckgo.com"):
        inner = next((qs[k][0] for k in ("u3", "uddg", "u") if qs.get(k)), None)
    elif host.endswith("bing.com"):
        inner = decode_bing_u(qs["u"][0]) if qs.get("u") else None
    else:  # Yahoo: .../RU=<percent-encoded>/RK=...
        m = re.search(r"/RU=([^/]+)", parts.path)
        inner = unquote(m.group(1)) if m else None
    return landing_of(inner, base, _depth + 1) if inner else None


def absolute(href: str | None, base: str) -> str | None:
    if not href or href.startswith(("javascript:", "#")):
        return None
    return urljoin(base, href)


def pruned(tag: Tag, selectors: str) -> Tag:
    """A detached deep copy of ``tag`` without the elements matching ``selectors`` (tooltips,
    elements hidden by a class such as Bing's ``b_hide``)."""
    clone = copy.copy(tag)
    if selectors:
        for el in clone.select(selectors):
            el.decompose()
    return clone


def inline_text(tag: Tag | None) -> str:
    """Visible text of an inline element (title, display URL) joined as written, so that
    ``IT-<b>Services</b>`` reads "IT-Services"; whitespace folded."""
    if tag is None:
        return ""
    parts: list[str] = []
    for s in tag.find_all(string=True):
        if isinstance(s, PreformattedString) or not isinstance(s, NavigableString):
            continue
        parent = s.parent
        if isinstance(parent, Tag) and parent is not tag and is_hidden(parent, stop=tag):
            continue
        if isinstance(parent, Tag) and parent.name in ("script", "style", "template", "noscript"):
            continue
        parts.append(str(s))
    return " ".join("".join(parts).split()).strip("\u200e\u200f ")


def first_visible(block: Tag, selector: str) -> Tag | None:
    for el in block.select(selector):
        if not is_hidden(el, block) and inline_text(el):
            return el
    return None


def has_ad_label(tag: Tag) -> bool:
    words = set(re.findall(r"\w+", inline_text(tag)))
    return any(label in words for label in AD_LABELS)


def outermost(tags: list[Tag]) -> list[Tag]:
    ids = {id(t) for t in tags}
    return [t for t in tags if not any(id(p) in ids for p in t.parents)]


def inside(tag: Tag, blocks: list[Tag]) -> bool:
    ids = {id(b) for b in blocks}
    return id(tag) in ids or any(id(p) in ids for p in tag.parents)


def query_from(soup: BeautifulSoup, selectors: str, url: str | None) -> str | None:
    """The query as shown in the search box, else the ``q=`` of the page URL."""
    for el in soup.select(selectors):
        v = el.get("value") if el.name == "input" else el.get_text()
        if isinstance(v, str) and v.strip():
            return v.strip()
    q = parse_qs(urlsplit(url or "").query).get("q")
    return q[0] if q else None


def doc_order(soup: BeautifulSoup) -> dict[int, int]:
    return {id(t): i for i, t in enumerate(soup.find_all(True))}


def ranked_results(found: list[Found], order: dict[int, int], phones_of: Callable[[Tag], tuple[Phone, ...]],
                   hidden_by_class: str = "") -> tuple[SerpResult, ...]:
    """The found blocks as results in page order, ``rank`` counting from 1 within each placement.

    Text and phones are read from a copy without the ``hidden_by_class`` elements when given; with
    none the block itself is read, so that hiding by an ancestor still counts.
    """
    ranks: dict[str, int] = {}
    results = []
    for block, kind, placement, fields in sorted(found, key=lambda f: order.get(id(f[0]), 0)):
        ranks[placement] = ranks.get(placement, 0) + 1
        shown = pruned(block, hidden_by_class) if hidden_by_class else block
        landing, display = fields["landing_url"], fields["display_url"]
        advertiser_domain, advertiser_source = advertiser(landing, display)
        results.append(SerpResult(
            kind=kind, placement=placement, rank=ranks[placement], title=fields["title"],
            display_url=display, landing_url=landing, click_url=fields["click_url"],
            domain=registrable_domain(landing) or registrable_domain(display),
            advertiser_domain=advertiser_domain, advertiser_domain_source=advertiser_source,
            text=visible_text(shown), phones=phones_of(shown),
        ))
    return tuple(results)
