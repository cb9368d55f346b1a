"""Google: what a result block says (title, display, landing and click URLs, phone numbers) and
the query a page was searched for.

:mod:`crawler.engines.google` finds the blocks and keeps the selectors; it passes in the ones a
reader here needs, so that the markup is written down in one place.  Ad click URLs are evidence
only: the landing URL is read from their ``adurl=``, never fetched.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

from crawler.htmltree import Element, is_hidden, links, select, select_one, sweep, text_content, visible_text
from crawler.models import Phone
from crawler.pageindex import PageIndex

# Google's ad click wrapper (googleadservices.com/pagead/aclk, google.<tld>/aclk, relative /aclk).
CLICK_URL = re.compile(
    r"^(?:https?:)?//(?:www\.)?(?:googleadservices\.com/pagead/aclk|google\.[a-z.]+/aclk)|^/aclk", re.I
)
_DATE_LIKE = re.compile(r"^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b")
# A page without a search box (the JavaScript wall, the soft block) still names its query in its title.
_TITLE_QUERY = re.compile(
    r"^(.*\S)\s+-\s+(?:Google (?:Search|Zoeken|Suche|Pesquisa|Buscar|Søg|Sök)|Recherche Google)$", re.I)
# The JavaScript wall's "If you're having trouble accessing Google Search, please click here" link.
_RETRY_LINK = 'a[href*="emsg=SG_REL"]'


# --- fields --------------------------------------------------------------------------------------------


def ad_fields(block: Element, base: str, display_selector: str, page: PageIndex | None = None) -> dict[str, Any]:
    """Fields of a text or shopping ad; the click URL is the first ad click wrapper in the block."""
    heading = first_visible(block, "[role=heading], h3", page)
    main = _parent_link(heading) if heading is not None else None
    if main is None and heading is not None:
        main = next((a for a in _links_in(heading) if not is_hidden(a, heading)), None)
    if main is None:
        main = next((a for a in _links_in(block) if not is_hidden(a, block)), None)
    title = visible_text(heading) if heading is not None else (visible_text(main) if main is not None else "")
    click = None
    candidates = [main] if main is not None else []
    candidates += list(block.iterdescendants("a"))
    for a in candidates:
        for attr in ("href", "data-rw", "data-arwt"):
            v = str(a.get(attr) or "")
            if v and CLICK_URL.search(v):
                click = urljoin(base, v)
                break
        if click:
            break
    landing = ad_landing(click)
    href = str(main.get("href", "")) if main is not None else ""
    if not landing and href.startswith(("http://", "https://")) and not CLICK_URL.search(href):
        landing = href
    if not landing:  # the preconnect hint names the advertiser's host when the click URL hides it
        for a in block.iterdescendants("a"):
            pcu = str(a.get("data-pcu") or a.get("data-preconnect-urls") or "")
            if pcu:
                landing = pcu.split(",")[0].strip() or None
                break
    return {"title": title.rstrip("\u200e "), "display_url": display_url(block, display_selector, page),
            "landing_url": landing, "click_url": click}


def organic_fields(block: Element, link: Element, display_selector: str, page: PageIndex | None = None
                   ) -> dict[str, Any]:
    """Fields of an organic result or featured snippet whose title link is ``link`` (for a
    snippet without a source link, ``link`` is the answer box itself)."""
    heading = select_one(link, "h3, [role=heading]") if link.tag == "a" else None
    href = str(link.get("href", "")) if link.tag == "a" else ""
    if not href:
        a = first_visible(block, "a[href^=http]", page)
        href = str(a.get("href")) if a is not None else ""
        heading = heading if heading is not None else first_visible(block, "h3, [role=heading]", page)
    landing = href if href.startswith(("http://", "https://")) and not is_google(href) else None
    title = visible_text(heading) if heading is not None else ""
    return {"title": title, "display_url": display_url(block, display_selector, page), "landing_url": landing,
            "click_url": None}


def panel_fields(block: Element, title_selectors: tuple[str, ...], page: PageIndex | None = None) -> dict[str, Any]:
    """Fields of a knowledge panel or local pack entry: the first of ``title_selectors`` found
    is the title, the first link off Google the landing URL."""
    heading = next((h for sel in title_selectors if (h := first_visible(block, sel, page)) is not None), None)
    landing = None
    for a in _links_in(block):
        href = str(a.get("href"))
        if href.startswith(("http://", "https://")) and not is_google(href) and not is_hidden(a, block):
            landing = href
            break
    title = visible_text(heading) if heading is not None else visible_text(block)[:80]
    cite = first_visible(block, "cite", page)
    display = visible_text(cite) if cite is not None else None
    return {"title": title, "display_url": display or None, "landing_url": landing, "click_url": None}


def display_url(block: Element, selector: str, page: PageIndex | None = None) -> str | None:
    el = first_visible(block, selector, page)
    text = visible_text(el) if el is not None else ""
    return text.strip("\u200e ") or None


def first_visible(block: Element, selector: str, page: PageIndex | None = None) -> Element | None:
    """The first element in ``block`` matching ``selector`` that shows text (``page``: the block's page
    index, which answers the selector without walking the block)."""
    for el in select(block, selector) if page is None else page.select_in(block, selector):
        if not is_hidden(el, block) and visible_text(el):
            return el
    return None


def ad_landing(click: str | None) -> str | None:
    """The advertiser's URL in an ad click URL's ``adurl=``, if it is there."""
    if not click:
        return None
    vals = parse_qs(urlsplit(click).query).get("adurl") or []
    return unquote(vals[0]) if vals and vals[0].startswith(("http://", "https://")) else None


def is_google(href: str) -> bool:
    host = (urlsplit(href).hostname or "").lower()
    return bool(re.match(r"^(?:www\.|maps\.|support\.|policies\.|accounts\.)?google\.[a-z.]+$", host))


# --- page query ----------------------------------------------------------------------------------------


def query_of(page: PageIndex, selectors: str, url: str | None) -> str | None:
    """The query in the search box, else the ``q=`` of the page URL; on a captcha or consent page
    the query sits in the ``continue=`` URL of the page or of its form."""
    for el in page.select(selectors):
        if any(f.get("id") == "captcha-form" for f in el.iterancestors("form")):
            continue
        v = el.get("value") if el.tag == "input" else text_content(el)
        if isinstance(v, str) and v.strip():
            return v.strip()
    candidates = [url or ""]
    cont = page.select_one('input[name="continue"]')
    if cont is not None:
        candidates.append(str(cont.get("value") or ""))
    retry = page.select_one(_RETRY_LINK)
    if retry is not None:
        candidates.append(urljoin("https://www.google.com/", str(retry.get("href") or "")))
    for u in candidates:
        qs = parse_qs(urlsplit(u).query)
        if qs.get("q"):
            return qs["q"][0]
        if qs.get("continue"):
            inner = parse_qs(urlsplit(qs["continue"][0]).query).get("q")
            if inner:
                return inner[0]
    title = page.select_one("title")
    m = _TITLE_QUERY.match(text_content(title).strip()) if title is not None else None
    return m.group(1) if m else None


# --- phones --------------------------------------------------------------------------------------------


def result_phones(block: Element, region: str, call_buttons: str, text: str | None = None,
                  page: PageIndex | None = None) -> tuple[Phone, ...]:
    """Every number in a block (crawler.htmltree.sweep; ``text``: its visible text, if known; ``page``: the
    block's page index) without dates."""
    return tuple(p for p in sweep(block, region, call_buttons=call_buttons, text=text, page=page)
                 if not (p.channel == "text" and _DATE_LIKE.match(p.raw)))


def _parent_link(el: Element) -> Element | None:
    """The nearest ``<a href>`` around ``el`` (BeautifulSoup's find_parent("a", href=True))."""
    return next((a for a in el.iterancestors("a") if a.get("href") is not None), None)


def _links_in(el: Element) -> list[Element]:
    """``<a href>`` descendants of ``el`` (not ``el`` itself)."""
    return [a for a in links(el) if a is not el]
