"""Bing web search: search URL, cookie wall, page status and result parser.

SearXNG style: the markup the parser relies on is written down as selector constants
here.  Bing's result page is ``ol#b_results`` (main column) and ``ol#b_context`` (right
rail).  Text ads come as ``li.b_ad`` blocks holding one ``li`` per ad (``ul > li``): the
block before the organic results is "top", ``li.b_ad.b_adBottom`` (or any ad block
after an organic result) "bottom", a block in ``#b_context`` "side".  Organic results
are ``li.b_algo``.  Ad links go through ``bing.com/aclk`` (``aclick`` in 2019) with the
landing URL base64-encoded in ``u=``; see :mod:`crawler.engines._common`.

Results are returned in page (document) order; ``rank`` counts from 1 within each
placement, across kinds (organic results and local pack entries share "main").
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

from crawler.engines import _common as c
from crawler.engines.answers import AnswerMarkup, find_answers
from crawler.htmltree import Element, inline_text, is_hidden, links, parse_html, select, sweep
from crawler.models import SerpPage
from crawler.pageindex import PageIndex

NAME = "bing"

# --- cookie wall (#bnp_container banner) --------------------------------------------------------------

# What shows the page is there, waited for after the load event: results, or a CAPTCHA or cookie wall.
READY_SELECTOR = "#b_results, #b_captcha, .b_captcha, #bnp_container, #b_content"

CONSENT_REJECT_SELECTORS = [
    "#bnp_btn_reject",
    'button:has-text("Weigeren")',
    'button:has-text("Alles weigeren")',
    'button:has-text("Reject")',
    'button:has-text("Ablehnen")',
]

# --- page status ---------------------------------------------------------------------------------------

CAPTCHA_MARKERS = (
    "b_captcha", "verify you are human", "verify that you are human", "controleer of je een mens bent",
    "bevestig dat je een mens bent", "one last step", "nog één stap", "solve the challenge",
    "ein letzter schritt", "une dernière étape",
    "challenges.cloudflare.com", "cf-turnstile", "/turing/captcha", 'id="captcha',
)
# A banner over results still leaves the page readable ("ok"); the crawler rejects it all the same.
CONSENT_BANNER_MARKERS = ('id="bnp_container"', 'id="bnp_btn_reject"')
CONSENT_MARKERS = ('id="bnp_container"', 'id="bnp_btn_reject"', 'id="bnp_cookie_banner"', "cookiebanner")
BLOCKED_MARKERS = (
    "access denied", "your request has been blocked", "403 forbidden", "429 too many requests",
    "too many requests", "has been blocked", "toegang geweigerd",
)
EMPTY_MARKERS = (
    "there are no results for", "er zijn geen resultaten voor", "es gibt keine ergebnisse für",
    "no results found for", "geen resultaten gevonden voor", "il n'y a aucun résultat pour",
)

# --- result blocks -------------------------------------------------------------------------------------

RESULTS_LIST = "#b_results"
SIDE_COLUMN = "#b_context"
AD_BLOCKS = "li.b_ad"
AD_ITEMS = ("ul", "li")  # one ad per li of the block's own list (block > ul > li); sitelinks sit in nested lists
AD_ITEM_FALLBACK = ".sb_add"
BOTTOM_AD_CLASS = "b_adBottom"
AD_SLUG = ".b_adSlug"  # the "Advertentie" / "Ad" label: marks an ad outside li.b_ad
ORGANIC_BLOCKS = "li.b_algo"
NO_RESULTS = "li.b_no"
SHOPPING_ITEMS = ".pa_item, .b_pa_item, .pa_carousel .slide"
LOCAL_ENTRIES = ".listCard, .b_localCard"
LOCAL_WEBSITE = 'a:has(.ibsb_web), a[aria-label="website" i], a[aria-label="site" i]'
KNOWLEDGE_PANELS = ".b_entityTP"
TITLE_LINK = "h2 a[href], .b_title a[href], .pa_title a[href], a.pa_title[href]"
TITLE = "h2, .b_entityTitle, .pa_title, .b_title"
DISPLAY_URL = "cite, .b_adurl, .b_attribution, .pa_seller"
# The Copilot answer at the top of the results (crawler.engines.answers; modelled on public descriptions of
# Bing's generative answer: its b_cs_* canvas, text, citations and disclaimer).  Found by its container only.
AI_ANSWER = AnswerMarkup(
    containers="#b_copilot_answer, .b_cs_canvas, li.b_ans[data-tag='copilot.answer']",
    headings="h2, [role=heading]", labels=("Copilot", "Copilot-antwoord", "Copilot answer", "Copilot Search"),
    body=".b_cs_text", expand="button[aria-expanded], [role=button][aria-expanded]",
    declined=("copilot kan deze vraag niet beantwoorden", "copilot can't answer this", "copilot can’t answer this"),
    engine_hosts=("bing.com", "microsoft.com", "msn.com", "microsofttranslator.com"), by_heading=False,
    chrome=".b_cs_disclaimer",
)
AI_ANSWER_STOP = "li.b_algo, li.b_ad"  # what the answer panel never holds (crawler.browser_pages.AnswerSteps)
AI_ANSWER_NEVER = "li.b_ad, .sb_add, .b_adSlug"  # an expand button is never inside an ad
HIDDEN_BY_CLASS = ".b_hide, .b_hidden, .expansionAccessibilityText"  # hidden by Bing's stylesheet
QUERY_INPUTS = '#sb_form_q, textarea[name="q"], input[name="q"]:not([type="hidden"])'
CALL_BUTTONS = (
    'a[href^="tel:"][role="button"], a[href^="tel:"][aria-label], .b_adcall a[href^="tel:"], '
    'a[href^="tel:"]:contains("Bel"), a[href^="tel:"]:contains("Call"), '
    'a[href^="tel:"]:contains("Anrufen")'
)
BING_HOSTS = ("bing.com", "microsoft.com", "msn.com", "microsofttranslator.com")


def search_url(query: str, *, language: str = "nl", region: str = "NL", device: str = "desktop") -> str:
    """The production result page URL; the device is set by the browser, not the URL."""
    return "https://www.bing.com/search?" + urlencode({"q": query, "setlang": language.lower(),
                                                       "cc": region.upper()})


# --- status --------------------------------------------------------------------------------------------


def classify(html: str, url: str | None = None) -> str:
    return _classify(html, PageIndex(parse_html(html)), url)


def _classify(html: str, page: PageIndex, url: str | None) -> str:
    path = urlsplit(url or "").path.lower()
    has_results = bool(_blocks(page, AD_BLOCKS) or _blocks(page, ORGANIC_BLOCKS))
    if not has_results:
        low = html.lower()  # a megabyte lowered only when its words count
        if "captcha" in path or path.startswith("/challenge") or any(m in low for m in CAPTCHA_MARKERS):
            return "captcha"
        if page.select_one(NO_RESULTS) is not None or any(m in low for m in EMPTY_MARKERS):
            return "empty"
        if any(m in low for m in CONSENT_MARKERS):
            return "consent"
        if any(m in low for m in BLOCKED_MARKERS):
            return "blocked"
        return "unknown"  # a page we cannot read: a markup change, never "no ads"
    return "ok"


def _blocks(page: PageIndex, selector: str) -> list[Element]:
    return [b for b in c.outermost(page.select(selector)) if not is_hidden(b)]


# --- parse ---------------------------------------------------------------------------------------------


def parse(html: str, url: str | None = None, region: str = "NL") -> SerpPage:
    page = PageIndex(parse_html(html))
    status = _classify(html, page, url)
    query = c.query_from(page, QUERY_INPUTS, url)
    if status != "ok":
        return SerpPage(engine=NAME, status=status, query=query)
    host = urlsplit(url or "").hostname
    base = f"https://{host}" if host else "https://www.bing.com"
    organic = _blocks(page, ORGANIC_BLOCKS)
    first_organic = organic[0] if organic else None
    found: list[c.Found] = []
    claimed: set[Element] = set()

    def add(block: Element, kind: str, placement: str, fields: dict[str, Any]) -> None:
        found.append((block, kind, placement, fields))
        claimed.add(block)

    ad_blocks = _blocks(page, AD_BLOCKS)
    known_ads = set(ad_blocks)
    # Ads marked only by their label (an unknown ad container inside the result list).
    ad_blocks += [li for li in _blocks(page, f"{RESULTS_LIST} > li, {SIDE_COLUMN} > li")
                  if not c.inside(li, known_ads) and page.select_in(li, AD_SLUG)
                  and not page.select_in(li, ORGANIC_BLOCKS) and "b_algo" not in (li.get("class") or "").split()]
    for block in ad_blocks:
        placement = _ad_placement(block, page, first_organic)
        shopping = [i for i in c.outermost(select(block, SHOPPING_ITEMS)) if not is_hidden(i, block)]
        holds_shopping = {p for s in shopping for p in (s, *s.iterancestors())}  # one walk up from each item
        for item in shopping:
            add(item, "shopping_ad", placement, _ad_fields(item, base, page))
        for item in _ad_items(block):
            if not c.inside(item, claimed) and item not in holds_shopping:
                add(item, "ad", placement, _ad_fields(item, base, page))
    for item in _blocks(page, SHOPPING_ITEMS):
        if not c.inside(item, claimed):
            add(item, "shopping_ad", _placement(item), _ad_fields(item, base, page))
    for block in _blocks(page, KNOWLEDGE_PANELS):
        if not c.inside(block, claimed):
            add(block, "knowledge_panel", _placement(block), _panel_fields(block, base, page))
    for block in _blocks(page, LOCAL_ENTRIES):
        if not c.inside(block, claimed):
            add(block, "local", _placement(block), _local_fields(block, base, page))
    for answer in find_answers(page, AI_ANSWER, ORGANIC_BLOCKS):
        if not c.inside(answer.block, claimed):
            top = first_organic is None or page.position(answer.block) < page.position(first_organic)
            add(answer.block, "ai_answer", "top" if top else _placement(answer.block), {
                "title": answer.title or "Copilot", "display_url": None, "landing_url": None, "click_url": None,
                "text": answer.text, "answer_state": answer.state, "sources": answer.sources})
    for block in organic:
        if not c.inside(block, claimed):
            add(block, "organic", _placement(block), _organic_fields(block, base, page))

    results = c.ranked_results(
        found, page,
        lambda block, skip, text: sweep(block, region, call_buttons=CALL_BUTTONS, skip=skip, text=text, page=page),
        hidden_selector=HIDDEN_BY_CLASS)
    return SerpPage(engine=NAME, status=status, query=query, results=results)


# --- blocks --------------------------------------------------------------------------------------------


def _ad_items(block: Element) -> list[Element]:
    items = [li for ul in block if ul.tag == AD_ITEMS[0] for li in ul
             if li.tag == AD_ITEMS[1] and _has_link(li) and not is_hidden(li, block)]
    if not items:
        items = [el for el in c.outermost(select(block, AD_ITEM_FALLBACK)) if not is_hidden(el, block)]
    if not items and _has_link(block):
        items = [block]
    return items


def _has_link(el: Element) -> bool:
    return any(a is not el for a in links(el))


def _ad_placement(block: Element, page: PageIndex, first_organic: Element | None) -> str:
    if _in_side(block):
        return "side"
    if BOTTOM_AD_CLASS in (block.get("class") or "").split():
        return "bottom"
    if first_organic is not None and page.position(block) > page.position(first_organic):
        return "bottom"
    return "top"


def _in_side(tag: Element) -> bool:
    return any(p.get("id") == SIDE_COLUMN.lstrip("#") for p in tag.iterancestors())


def _placement(tag: Element) -> str:
    return "side" if _in_side(tag) else "main"


# --- fields --------------------------------------------------------------------------------------------


def _title(block: Element, link: Element | None, page: PageIndex) -> str:
    heading = link if link is not None else c.first_visible(block, TITLE, page)
    return inline_text(heading, c.hidden_by_class(heading, HIDDEN_BY_CLASS, page)) if heading is not None else ""


def _display_url(block: Element, page: PageIndex) -> str | None:
    el = c.first_visible(block, DISPLAY_URL, page)
    return inline_text(el, c.hidden_by_class(el, HIDDEN_BY_CLASS, page)) or None if el is not None else None


def _links(block: Element) -> list[Element]:
    return [a for a in links(block) if a is not block and not is_hidden(a, block)]


def _ad_fields(block: Element, base: str, page: PageIndex) -> dict[str, Any]:
    link = c.first_visible(block, TITLE_LINK, page)
    links_ = _links(block)
    main = link if link is not None else next((a for a in links_ if c.absolute(str(a.get("href")), base)), None)
    click = None
    for a in ([main] if main is not None else []) + links_:
        href = c.absolute(str(a.get("href")), base)
        if c.is_click_wrapper(href):
            click = href
            break
    landing = c.landing_of(click, base)
    if landing is None and main is not None:
        href = c.absolute(str(main.get("href")), base)
        if href and not c.is_click_wrapper(href) and not _is_bing(href):
            landing = href
    return {"title": _title(block, main, page), "display_url": _display_url(block, page), "landing_url": landing,
            "click_url": click}


def _organic_fields(block: Element, base: str, page: PageIndex) -> dict[str, Any]:
    link = c.first_visible(block, TITLE_LINK, page)
    href = c.absolute(str(link.get("href")), base) if link is not None else None
    landing = c.landing_of(href, base)
    return {"title": _title(block, link, page), "display_url": _display_url(block, page),
            "landing_url": None if _is_bing(landing) else landing,
            "click_url": href if c.is_click_wrapper(href) else None}


def _external(block: Element, base: str, selector: str | None = None) -> str | None:
    candidates = [a for a in select(block, selector) if not is_hidden(a, block)] if selector else _links(block)
    for a in candidates:
        target = c.landing_of(c.absolute(str(a.get("href")), base), base)
        if target and not _is_bing(target):
            return target
    return None


def _local_fields(block: Element, base: str, page: PageIndex) -> dict[str, Any]:
    return {"title": _title(block, None, page), "display_url": None,
            "landing_url": _external(block, base, LOCAL_WEBSITE), "click_url": None}


def _panel_fields(block: Element, base: str, page: PageIndex) -> dict[str, Any]:
    return {"title": _title(block, None, page), "display_url": _display_url(block, page),
            "landing_url": _external(block, base), "click_url": None}


def _is_bing(url: str | None) -> bool:
    host = (urlsplit(url or "").hostname or "").lower()
    return any(host == h or host.endswith("." + h) for h in BING_HOSTS)
