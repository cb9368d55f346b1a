"""Google web search: search URL, consent wall, page status and result parser.

SearXNG style: the markup the parser relies on is written down as selector
constants here, so that a Google markup change is a one-line fix.  Structural
selectors (ids, data attributes, element nesting) come first; obfuscated class
names only where Google offers nothing else.

Results are returned in page (document) order.  ``rank`` counts from 1 within
each placement, across kinds: top text ads and top shopping ads share "top",
bottom ads "bottom", the right-hand column "side", and the main column ("main")
numbers organic results, local pack entries, featured snippets and mobile
knowledge panels together, in the order a reader meets them.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, unquote, urlencode, urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from crawler.dom import is_hidden, phones_in, soup_of, visible_text
from crawler.domains import registrable_domain
from crawler.models import Phone, SerpPage, SerpResult
from crawler.phones import extract_phones

NAME = "google"

# --- where to search -------------------------------------------------------------------------------------

GOOGLE_HOSTS = {
    "NL": "www.google.nl", "BE": "www.google.be", "DE": "www.google.de", "AT": "www.google.at",
    "CH": "www.google.ch", "FR": "www.google.fr", "GB": "www.google.co.uk", "UK": "www.google.co.uk",
    "IE": "www.google.ie", "ES": "www.google.es", "IT": "www.google.it", "US": "www.google.com",
}

# --- consent wall (consent.google.com, "Voordat je verdergaat naar Google") --------------------------------

CONSENT_REJECT_SELECTORS = [
    'button:has-text("Alles afwijzen")',
    'button:has-text("Reject all")',
    'button:has-text("Alle ablehnen")',
    'button:has-text("Tout refuser")',
    "button#W0wltc",  # Google's "reject all" button id (2022-2024)
    'form[action*="consent.google"]:has(input[name="set_eom"][value="true"]) button',
    'form[action*="consent.google"]:has(input[name="set_eom"][value="true"]) input[type="submit"]',
    'input[type="submit"][value="Alles afwijzen"]',
    'input[type="submit"][value="Reject all"]',
]

# --- page status ---------------------------------------------------------------------------------------

CAPTCHA_MARKERS = (
    'id="captcha-form"', "g-recaptcha", "recaptcha/api", "unusual traffic from your computer",
    "ongebruikelijk verkeer", "ungewöhnlichen datenverkehr", "/sorry/index",
)
CONSENT_MARKERS = (
    "voordat je verdergaat naar google", "before you continue to google", "bevor sie zu google weitergehen",
    "avant d'accéder à google", 'action="https://consent.google.',
)
BLOCKED_MARKERS = (
    "403. that’s an error", "403. that's an error", "error 403 (forbidden)", "429. that’s an error",
    "429 too many requests", "your client does not have permission",
)
EMPTY_MARKERS = (
    "did not match any documents", "heeft geen overeenkomstige documenten opgeleverd",
    "heeft geen overeenkomende documenten opgeleverd",
    "ergab keine übereinstimmungen mit dokumenten", "ne correspond à aucun document",
)

# --- result blocks -------------------------------------------------------------------------------------

TOP_AD_CONTAINERS = "#tads, #tvcap"
BOTTOM_AD_CONTAINERS = "#tadsb, #bottomads"
AD_BLOCKS = "div[data-text-ad], li.ads-ad"
AD_LABELS = ("Gesponsord", "Advertentie", "Sponsored", "Ads", "Ad", "Anzeige", "Annonce", "Sponsorisé")
SHOPPING_BLOCKS = ".pla-unit"
SIDE_COLUMN = "#rhs"
ORGANIC_CONTAINERS = ("#rso", "#search", "#center_col")
TITLE_HEADINGS = "a[href] h3, a[href] [role=heading]"
LOCAL_ENTRIES = ".VkpGBb"
LOCAL_DETAILS = ".rllt__details"
KNOWLEDGE_PANELS = ".kp-wholepage, #rhs .kp-blk"
FEATURED_SNIPPETS = ".c2xzTb"
SKIP_SECTIONS = ".related-question-pair, [data-initq], g-accordion-expander"  # "People also ask"
CAROUSEL_ITEMS = ["g-inner-card", "g-scrolling-carousel"]  # video / top-stories carousels: kind "other"
DISPLAY_URL = "cite, [data-dtld], span[role=text]"
TITLE_OF_PANEL = ('[data-attrid="title"]', "h2[data-attrid]", "[role=heading][aria-level]", "h3", "h2")
QUERY_INPUTS = 'textarea[name="q"], input[name="q"]:not([type="hidden"])'
CALL_BUTTONS = (
    'a[href^="tel:"][role="button"], a[href^="tel:"][aria-label], a[href^="tel:"][data-phone-number], '
    'a[href^="tel:"]:-soup-contains("Call"), a[href^="tel:"]:-soup-contains("Bellen"), '
    'a[href^="tel:"]:-soup-contains("Anrufen")'
)

_CLICK_URL = re.compile(
    r"^(?:https?:)?//(?:www\.)?(?:googleadservices\.com/pagead/aclk|google\.[a-z.]+/aclk)|^/aclk", re.I
)
_DATE_LIKE = re.compile(r"^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b")
# North-American numbers as printed in US snippets ("(877) 465-8473", "1-800-555-0199"), read as US
# numbers even on a Dutch page, where the region-bound matcher cannot see them.
_NANP = re.compile(r"(?<![\d+])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?!\d)")


def search_url(query: str, *, language: str = "nl", region: str = "NL", device: str = "desktop") -> str:
    """The production result page URL; the device is set by the browser, not the URL."""
    host = GOOGLE_HOSTS.get(region.upper(), "www.google.com")
    params = {"q": query, "hl": language.lower(), "gl": region.lower(), "num": "10", "pws": "0"}
    return f"https://{host}/search?{urlencode(params)}"


# --- status --------------------------------------------------------------------------------------------


def classify(html: str, url: str | None = None) -> str:
    return _classify(html, soup_of(html), url)


def _classify(html: str, soup: BeautifulSoup, url: str | None) -> str:
    low = html.lower()
    parts = urlsplit(url or "")
    host = (parts.hostname or "").lower()
    # Marker words only count on a page without a result column: a snippet may quote them.
    no_results_column = soup.select_one("#rso, #search") is None
    if parts.path.startswith("/sorry/") or (no_results_column and any(m in low for m in CAPTCHA_MARKERS)):
        return "captcha"
    if host.startswith("consent.") or (no_results_column and any(m in low for m in CONSENT_MARKERS)):
        return "consent"
    if no_results_column and any(m in low for m in BLOCKED_MARKERS):
        return "blocked"
    has_results = bool(_ad_blocks(soup, TOP_AD_CONTAINERS) or _ad_blocks(soup, BOTTOM_AD_CONTAINERS)
                       or _title_links(_organic_container(soup)))
    if not has_results and any(m in low for m in EMPTY_MARKERS):
        return "empty"
    if has_results:
        return "ok"
    return "unknown"  # a results page we cannot read: a markup change, never "no ads"


# --- parse ---------------------------------------------------------------------------------------------


def parse(html: str, url: str | None = None, region: str = "NL") -> SerpPage:
    soup = soup_of(html)
    status = _classify(html, soup, url)
    query = _query(soup, url)
    if status != "ok":
        return SerpPage(engine=NAME, status=status, query=query)
    base = f"https://{urlsplit(url).hostname}" if url and urlsplit(url).hostname else "https://www.google.com"
    order = {id(t): i for i, t in enumerate(soup.find_all(True))}
    found: list[tuple[Tag, str, str, dict]] = []  # (block, kind, placement, fields)
    claimed: list[Tag] = []

    for containers, placement in ((TOP_AD_CONTAINERS, "top"), (BOTTOM_AD_CONTAINERS, "bottom")):
        for block in _ad_blocks(soup, containers):
            found.append((block, "ad", placement, _ad_fields(block, base)))
            claimed.append(block)
    for block in _outermost(soup.select(SHOPPING_BLOCKS)):
        if _hidden(block) or _inside(block, claimed):
            continue
        fields = _ad_fields(block, base)
        if fields["click_url"]:  # product cards without an ad click are free listings or "more" cards
            found.append((block, "shopping_ad", _placement(block), fields))
            claimed.append(block)
    for block in _outermost(soup.select(KNOWLEDGE_PANELS)):
        if not _hidden(block) and not _inside(block, claimed) and visible_text(block):
            found.append((block, "knowledge_panel", _placement(block), _panel_fields(block)))
            claimed.append(block)
    for block in _local_entries(soup):
        if not _inside(block, claimed):
            found.append((block, "local", _placement(block), _panel_fields(block)))
            claimed.append(block)
    container = _organic_container(soup)
    links = _title_links(container)
    for answer in _outermost(soup.select(FEATURED_SNIPPETS)):
        if _hidden(answer) or _inside(answer, claimed) or _in_paa(answer):
            continue
        block, link = _snippet_block(answer, container, links)
        found.append((block, "featured_snippet", _placement(block), _organic_fields(block, link)))
        claimed.append(block)
    for a in links:
        if _inside(a, claimed) or _hidden(a) or _in_paa(a):
            continue
        block = _result_block(a, container, links)
        kind = "other" if a.find_parent(CAROUSEL_ITEMS) else "organic"
        found.append((block, kind, "main", _organic_fields(block, a)))
        claimed.append(block)

    found.sort(key=lambda f: order.get(id(f[0]), 0))
    ranks: dict[str, int] = {}
    results = []
    for block, kind, placement, fields in found:
        ranks[placement] = ranks.get(placement, 0) + 1
        landing = fields.get("landing_url")
        display = fields.get("display_url")
        results.append(SerpResult(
            kind=kind, placement=placement, rank=ranks[placement], title=fields.get("title") or "",
            display_url=display, landing_url=landing, click_url=fields.get("click_url"),
            domain=registrable_domain(landing) or registrable_domain(display),
            text=visible_text(block), phones=_phones(block, region),
        ))
    return SerpPage(engine=NAME, status=status, query=query, results=tuple(results))


# --- blocks --------------------------------------------------------------------------------------------


def _ad_blocks(soup: BeautifulSoup, containers: str) -> list[Tag]:
    blocks: list[Tag] = []
    for box in _outermost(soup.select(containers)):
        inner = _outermost(box.select(AD_BLOCKS))
        if not inner and _has_ad_label(box):  # unknown ad markup inside a known ad container
            inner = [c for c in box.find_all(True, recursive=False) if _title_links(c)]
        blocks.extend(b for b in inner if not _hidden(b) and b not in blocks)
    return blocks


def _has_ad_label(tag: Tag) -> bool:
    words = set(re.findall(r"\w+", visible_text(tag)))
    return any(label in words for label in AD_LABELS)


def _organic_container(soup: BeautifulSoup) -> Tag | None:
    for sel in ORGANIC_CONTAINERS:
        el = soup.select_one(sel)
        if el is not None:
            return el
    return None


def _title_links(container: Tag | None) -> list[Tag]:
    if container is None:
        return []
    links: list[Tag] = []
    for h in container.select(TITLE_HEADINGS):
        a = h.find_parent("a")
        if a is None or a in links:
            continue
        href = str(a.get("href", ""))
        if href.startswith(("http://", "https://")) and not _is_google(href) or _CLICK_URL.search(href):
            links.append(a)
    return links


def _result_block(a: Tag, container: Tag | None, links: list[Tag]) -> Tag:
    """The largest element around title link ``a`` that holds no other result title."""
    block: Tag = a
    others = {id(x) for x in links if x is not a}
    while block.parent is not None and block.parent is not container and isinstance(block.parent, Tag):
        parent = block.parent
        if any(id(x) in others for x in parent.find_all("a", href=True)):
            break
        block = parent
    return block


def _local_entries(soup: BeautifulSoup) -> list[Tag]:
    entries = list(soup.select(LOCAL_ENTRIES))
    for d in soup.select(LOCAL_DETAILS):
        if not any(d in e.descendants for e in entries):
            entries.append(d.find_parent("a") or d.parent or d)
    return [e for e in _outermost(entries) if not _hidden(e)]


def _snippet_block(answer: Tag, container: Tag | None, links: list[Tag]) -> tuple[Tag, Tag]:
    """A featured snippet: the answer box together with the title link of its source page."""
    for p in answer.parents:
        if p is container or not isinstance(p, Tag) or p.name in ("body", "html"):
            break
        link = next((a for a in links if a in p.descendants), None)
        if link is not None:
            return p, link
    return answer, answer


def _hidden(tag: Tag) -> bool:
    """Hidden the way crawler.dom.visible_text sees it (aria-hidden alone does not hide: Google puts
    aria-hidden="true" on div#main while a dialog is open)."""
    return is_hidden(tag)


def _in_paa(tag: Tag) -> bool:
    """Inside a "People also ask" / "Nutzer fragen auch" question list."""
    return any(isinstance(p, Tag) and p.css.match(SKIP_SECTIONS) for p in tag.parents)


def _outermost(tags: list[Tag]) -> list[Tag]:
    ids = {id(t) for t in tags}
    return [t for t in tags if not any(id(p) in ids for p in t.parents)]


def _inside(tag: Tag, blocks: list[Tag]) -> bool:
    ids = {id(b) for b in blocks}
    return id(tag) in ids or any(id(p) in ids for p in tag.parents)


def _placement(tag: Tag) -> str:
    for p in tag.parents:
        pid = p.get("id") if isinstance(p, Tag) else None
        if pid in ("tads", "tvcap") or "commercial-unit-desktop-top" in (p.get("class") or []):
            return "top"
        if pid in ("tadsb", "bottomads"):
            return "bottom"
        if pid == "rhs":
            return "side"
    return "main"


# --- fields --------------------------------------------------------------------------------------------


def _ad_fields(block: Tag, base: str) -> dict:
    heading = _first_visible(block, "[role=heading], h3")
    main = heading.find_parent("a", href=True) if heading is not None else None
    if main is None and heading is not None:
        main = next((a for a in heading.find_all("a", href=True) if not is_hidden(a, heading)), None)
    if main is None:
        main = next((a for a in block.find_all("a", href=True) if not is_hidden(a, block)), None)
    title = visible_text(heading) if heading is not None else (visible_text(main) if main else "")
    click = None
    candidates = [main] if main is not None else []
    candidates += block.find_all("a")
    for a in candidates:
        for attr in ("href", "data-rw", "data-arwt"):
            v = str(a.get(attr) or "")
            if v and _CLICK_URL.search(v):
                click = urljoin(base, v)
                break
        if click:
            break
    landing = _adurl(click)
    href = str(main.get("href", "")) if main is not None else ""
    if not landing and href.startswith(("http://", "https://")) and not _CLICK_URL.search(href):
        landing = href
    if not landing:
        for a in block.find_all("a"):
            pcu = str(a.get("data-pcu") or a.get("data-preconnect-urls") or "")
            if pcu:
                landing = pcu.split(",")[0].strip() or None
                break
    return {"title": title.rstrip("\u200e "), "display_url": _display_url(block), "landing_url": landing,
            "click_url": click}


def _organic_fields(block: Tag, link: Tag) -> dict:
    heading = link.select_one("h3, [role=heading]") if link.name == "a" else None
    href = str(link.get("href", "")) if link.name == "a" else ""
    if not href:
        a = _first_visible(block, "a[href^=http]")
        href = str(a["href"]) if a is not None else ""
        heading = heading or _first_visible(block, "h3, [role=heading]")
    landing = href if href.startswith(("http://", "https://")) and not _is_google(href) else None
    title = visible_text(heading) if heading is not None else ""
    return {"title": title, "display_url": _display_url(block), "landing_url": landing, "click_url": None}


def _panel_fields(block: Tag) -> dict:
    heading = next((h for sel in TITLE_OF_PANEL if (h := _first_visible(block, sel)) is not None), None)
    landing = None
    for a in block.find_all("a", href=True):
        href = str(a["href"])
        if href.startswith(("http://", "https://")) and not _is_google(href) and not is_hidden(a, block):
            landing = href
            break
    title = visible_text(heading) if heading is not None else visible_text(block)[:80]
    cite = _first_visible(block, "cite")
    display = visible_text(cite) if cite is not None else None
    return {"title": title, "display_url": display or None, "landing_url": landing, "click_url": None}


def _display_url(block: Tag) -> str | None:
    el = _first_visible(block, DISPLAY_URL)
    text = visible_text(el) if el is not None else ""
    return text.strip("\u200e ") or None


def _first_visible(block: Tag, selector: str) -> Tag | None:
    for el in block.select(selector):
        if not is_hidden(el, block) and visible_text(el):
            return el
    return None


def _adurl(click: str | None) -> str | None:
    if not click:
        return None
    vals = parse_qs(urlsplit(click).query).get("adurl") or []
    return unquote(vals[0]) if vals and vals[0].startswith(("http://", "https://")) else None


def _is_google(href: str) -> bool:
    host = (urlsplit(href).hostname or "").lower()
    return bool(re.match(r"^(?:www\.|maps\.|support\.|policies\.|accounts\.)?google\.[a-z.]+$", host))


def _query(soup: BeautifulSoup, url: str | None) -> str | None:
    for el in soup.select(QUERY_INPUTS):
        if el.find_parent("form", id="captcha-form"):
            continue
        v = el.get("value") if el.name == "input" else el.get_text()
        if isinstance(v, str) and v.strip():
            return v.strip()
    candidates = [url or ""]
    cont = soup.select_one('input[name="continue"]')
    if cont is not None:
        candidates.append(str(cont.get("value") or ""))
    for u in candidates:
        qs = parse_qs(urlsplit(u).query)
        if qs.get("q"):
            return qs["q"][0]
        if qs.get("continue"):
            inner = parse_qs(urlsplit(qs["continue"][0]).query).get("q")
            if inner:
                return inner[0]
    return None


# --- phones --------------------------------------------------------------------------------------------


def _phones(block: Tag, region: str) -> tuple[Phone, ...]:
    """Numbers in a block (crawler.dom.phones_in) without dates, plus US-formatted numbers."""
    found = [p for p in phones_in(block, region, call_button_selector=CALL_BUTTONS)
             if not (p.channel == "text" and _DATE_LIKE.match(p.raw))]
    seen = {(p.e164, p.channel) for p in found}
    if region.upper() != "US":
        for m in _NANP.finditer(visible_text(block)):
            for p in extract_phones(m.group(), "US"):
                if (p.e164, "text") in seen:
                    continue
                seen.add((p.e164, "text"))
                found.append(p)
    return tuple(found)
