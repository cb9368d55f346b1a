"""Helpers shared by the engine parsers (lxml trees): click-wrapper decoding, block bookkeeping and
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

import re
from collections.abc import Callable, Collection
from typing import Any
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

from crawler.domains import registrable_domain
from crawler.htmltree import Element, inline_text, is_hidden, select, text_content, visible_text
from crawler.models import Phone, SerpResult
from crawler.pageindex import PageIndex
from crawler.trackers import advertiser, bing_base64

_MAX_DEPTH = 6
_HTTP = ("http://", "https://")

# A result block as a parser finds it: (block, kind, placement, fields), where fields holds
# title, display_url, landing_url and click_url (an AI answer also text, answer_state and sources).
Found = tuple[Element, str, str, dict[str, Any]]


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


def hidden_by_class(block: Element, selectors: str, page: PageIndex | None = None) -> frozenset[Element]:
    """Elements in ``block`` that the engine's stylesheet hides (tooltips, Bing's ``b_hide``): read as if
    they had been removed, without copying the tree.  With the ``page`` the block is on, a page where
    nothing matches (most) is not searched again in every block."""
    if not selectors or (page is not None and not page.has(selectors)):
        return frozenset()
    return frozenset(select(block, selectors))


def first_visible(block: Element, selector: str, page: PageIndex | None = None) -> Element | None:
    """The first element in ``block`` matching ``selector`` that shows text (``page``: the block's page
    index, which answers the selector without walking the block)."""
    for el in select(block, selector) if page is None else page.select_in(block, selector):
        if not is_hidden(el, block) and inline_text(el):
            return el
    return None


def outermost(tags: list[Element]) -> list[Element]:
    members = set(tags)
    return [t for t in tags if not any(p in members for p in t.iterancestors())]


def inside(tag: Element, blocks: Collection[Element]) -> bool:
    members = blocks if isinstance(blocks, (set, frozenset)) else set(blocks)
    return tag in members or any(p in members for p in tag.iterancestors())


def query_from(page: PageIndex, selectors: str, url: str | None) -> str | None:
    """The query as shown in the search box, else the ``q=`` of the page URL."""
    for el in page.select(selectors):
        v = el.get("value") if el.tag == "input" else text_content(el)
        if isinstance(v, str) and v.strip():
            return v.strip()
    q = parse_qs(urlsplit(url or "").query).get("q")
    return q[0] if q else None


def ranked_results(found: list[Found], page: PageIndex,
                   phones_of: Callable[[Element, Collection[Element], str], tuple[Phone, ...]],
                   hidden_selector: str = "") -> tuple[SerpResult, ...]:
    """The found blocks as results in page order, ``rank`` counting from 1 within each placement.

    Text and phones are read without the ``hidden_selector`` elements when given.
    """
    ranks: dict[str, int] = {}
    results = []
    for block, kind, placement, fields in sorted(found, key=lambda f: page.position(f[0])):
        ranks[placement] = ranks.get(placement, 0) + 1
        skip = hidden_by_class(block, hidden_selector, page)
        landing, display = fields["landing_url"], fields["display_url"]
        advertiser_domain, advertiser_source = advertiser(landing, display)
        text = visible_text(block, skip=skip)
        results.append(SerpResult(
            kind=kind, placement=placement, rank=ranks[placement], title=fields["title"],
            display_url=display, landing_url=landing, click_url=fields["click_url"],
            domain=registrable_domain(landing) or registrable_domain(display),
            advertiser_domain=advertiser_domain, advertiser_domain_source=advertiser_source,
            # an AI answer keeps its body as its text; its numbers are read from the whole block all the same
            text=fields.get("text", text), phones=phones_of(block, skip, text),
            answer_state=fields.get("answer_state"), sources=tuple(fields.get("sources", ())),
        ))
    return tuple(results)
