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

from typing import Any
from urllib.parse import urlencode, urlsplit

from crawler.engines import _common as c
from crawler.engines.answers import AnswerMarkup, find_answers
from crawler.engines.google_blocks import (
    AD_BLOCKS,
    TITLE_HEADINGS,
    _ad_blocks,
    _group_placement,
    _in_paa,
    _local_entries,
    _organic_container,
    _placement,
    _result_block,
    _snippet_block,
    _title_links,
    first_link_under,
)

# The block selectors live with the block finders; re-exported so that the page's markup reads from here.
from crawler.engines.google_blocks import AD_CARDS_2019 as AD_CARDS_2019
from crawler.engines.google_blocks import LOCAL_DETAILS as LOCAL_DETAILS
from crawler.engines.google_blocks import LOCAL_ENTRIES as LOCAL_ENTRIES
from crawler.engines.google_blocks import ORGANIC_CONTAINERS as ORGANIC_CONTAINERS
from crawler.engines.google_fields import (
    ad_fields,
    organic_fields,
    panel_fields,
    query_of,
    result_phones,
)
from crawler.engines.google_sponsored import group_ads
from crawler.htmltree import Element, is_hidden, parse_html, visible_text
from crawler.labels import SPONSORED_GROUP_LABELS
from crawler.models import SerpPage
from crawler.pageindex import PageIndex

NAME = "google"

# --- where to search -------------------------------------------------------------------------------------

GOOGLE_HOSTS = {
    "NL": "www.google.nl", "BE": "www.google.be", "DE": "www.google.de", "AT": "www.google.at",
    "CH": "www.google.ch", "FR": "www.google.fr", "GB": "www.google.co.uk", "UK": "www.google.co.uk",
    "IE": "www.google.ie", "ES": "www.google.es", "IT": "www.google.it", "US": "www.google.com",
}

# --- consent wall (consent.google.com, "Voordat je verdergaat naar Google") --------------------------------

# What shows the page is there, waited for after the load event: results, or a CAPTCHA or consent wall.
# The JavaScript wall is left out on purpose: its challenge script may still reload to the results within
# the bound, and a wall that stays is read as blocked when the bound runs out.
READY_SELECTOR = (
    "#rso, #search, #center_col, #tads, #topstuff, #captcha-form, #recaptcha, form[action*='consent.google']"
)

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

CAPTCHA_MARKERS = ('id="captcha-form"', "g-recaptcha", "recaptcha/api", 'name="captcha"', "/sorry/image")
# The "unusual traffic" / "automated queries" text.  With a CAPTCHA widget (above) the page is a captcha;
# without one (the older page, "We're sorry... Please try your request again later") it is a plain block.
UNUSUAL_TRAFFIC_MARKERS = (
    "unusual traffic from your computer", "ongebruikelijk verkeer", "ungewöhnlichen datenverkehr",
    "trafic exceptionnel", "sending automated queries", "automatische zoekopdrachten", "automatisierte anfragen",
    "requêtes automatiques", "we can't process your request right now", "we're sorry...",
)
CONSENT_MARKERS = (
    "voordat je verdergaat naar google", "before you continue to google", "bevor sie zu google weitergehen",
    "avant d'accéder à google", 'action="https://consent.google.',
)
BLOCKED_MARKERS = (
    "403. that’s an error", "403. that's an error", "error 403 (forbidden)", "429. that’s an error",
    "429 too many requests", "your client does not have permission",
)
# The page Google sends a client it distrusts (since January 2025): no results, a challenge script and, for a
# client without JavaScript, a <noscript> refresh to /httpservice/retry/enablejs ("Please click here if you are
# not redirected within a few seconds"); the 2026 soft block is only that <noscript> (an iframe) and a title.
JAVASCRIPT_WALL_MARKERS = (
    "/httpservice/retry/enablejs", "if you are not redirected within a few seconds",
    "if you're not redirected within a few seconds", "if you’re not redirected within a few seconds",
)
EMPTY_MARKERS = (
    "did not match any documents", "heeft geen overeenkomstige documenten opgeleverd",
    "heeft geen overeenkomende documenten opgeleverd",
    "ergab keine übereinstimmungen mit dokumenten", "ne correspond à aucun document",
)

# --- result blocks -------------------------------------------------------------------------------------

TOP_AD_CONTAINERS = "#tads, #tvcap"
BOTTOM_AD_CONTAINERS = "#tadsb, #bottomads"
# Grouped sponsored results (October 2025, crawler.engines.google_sponsored): the group's heading.
SPONSORED_GROUP_HEADINGS = "[role=heading], h1, h2, h3"
# The AI Overview (crawler.engines.answers): found by its title, in its flat and sectioned layouts (body
# div.Y3BBE paragraphs, div.otQkpb section headings, ul.KsbFXc lists, the ul.bTFeG sources tray) and in the
# 2024-2025 one (div.rPeykc paragraphs, li.LLtSOc source cards; the real pt-BR page), as gitronald/WebSearcher
# describes them.  It never holds a result title or an ad: its panel grows up to just below those.
AI_OVERVIEW = AnswerMarkup(
    containers="",
    headings="h1, h2, [role=heading]",
    labels=("AI Overview", "AI-overzicht", "Visão geral criada por IA", "Übersicht mit KI", "Aperçu IA",
            "Vista creada con IA", "Panoramica IA"),
    body="div.Y3BBE, div.otQkpb, ul.KsbFXc, ol.KsbFXc, ul.IaGLZe, ol.IaGLZe, div.rPeykc",
    expand="[role=button][aria-expanded], button[aria-expanded]",
    declined=("an ai overview is not available for this search", "can't generate an ai overview right now",
              "can’t generate an ai overview right now", "ai-overzicht is niet beschikbaar",
              "kan op dit moment geen ai-overzicht genereren", "não está disponível para essa pesquisa",
              "não é possível gerar a visão geral criada por ia no momento"),
    engine_hosts=("google", "googleadservices.com", "gstatic.com", "googleusercontent.com"),
)
AI_OVERVIEW_STOP = "a[href] h3, #rso, #tads, #tvcap, #bottomads, [data-text-ad], .related-question-pair"
# What the browser needs to wait for and open the answer (crawler.browser_pages.AnswerSteps): the panel, what
# it never holds, and where its expand button must never be (an ad).
AI_ANSWER, AI_ANSWER_STOP = AI_OVERVIEW, AI_OVERVIEW_STOP
AI_ANSWER_NEVER = "#tads, #tvcap, #tadsb, #bottomads, [data-text-ad], .pla-unit"
SHOPPING_BLOCKS = ".pla-unit"
SIDE_COLUMN = "#rhs"
KNOWLEDGE_PANELS = ".kp-wholepage, #rhs .kp-blk"
FEATURED_SNIPPETS = ".c2xzTb"
SKIP_SECTIONS = ".related-question-pair, [data-initq], g-accordion-expander"  # "People also ask"
CAROUSEL_ITEMS = ["g-inner-card", "g-scrolling-carousel"]  # video / top-stories carousels: kind "other"
DISPLAY_URL = "cite, [data-dtld], span[role=text]"
TITLE_OF_PANEL = ('[data-attrid="title"]', "h2[data-attrid]", "[role=heading][aria-level]", "h3", "h2")
QUERY_INPUTS = 'textarea[name="q"], input[name="q"]:not([type="hidden"])'
CALL_BUTTONS = (
    'a[href^="tel:"][role="button"], a[href^="tel:"][aria-label], a[href^="tel:"][data-phone-number], '
    'a[href^="tel:"]:contains("Call"), a[href^="tel:"]:contains("Bellen"), '
    'a[href^="tel:"]:contains("Anrufen")'
)


def search_url(query: str, *, language: str = "nl", region: str = "NL", device: str = "desktop") -> str:
    """The production result page URL; the device is set by the browser, not the URL."""
    host = GOOGLE_HOSTS.get(region.upper(), "www.google.com")
    params = {"q": query, "hl": language.lower(), "gl": region.lower(), "num": "10", "pws": "0"}
    return f"https://{host}/search?{urlencode(params)}"


# --- status --------------------------------------------------------------------------------------------


def classify(html: str, url: str | None = None) -> str:
    return _classify(html, PageIndex(parse_html(html)), url)


def _classify(html: str, page: PageIndex, url: str | None, ads: list[Element] | None = None) -> str:
    parts = urlsplit(url or "")
    host = (parts.hostname or "").lower()
    # Marker words only count on a page without a result column: a snippet may quote them.
    no_results_column = page.select_one("#rso, #search") is None
    low = html.lower() if no_results_column else ""  # a megabyte lowered only when its words count
    if no_results_column and any(m in low for m in CAPTCHA_MARKERS):
        return "captcha"
    if no_results_column and any(m in low for m in UNUSUAL_TRAFFIC_MARKERS):
        return "blocked"
    if parts.path.startswith("/sorry/"):
        return "captcha"
    if host.startswith("consent.") or (no_results_column and any(m in low for m in CONSENT_MARKERS)):
        return "consent"
    if no_results_column and any(m in low for m in BLOCKED_MARKERS + JAVASCRIPT_WALL_MARKERS):
        return "blocked"
    if ads is None:
        ads = _ad_blocks(page, TOP_AD_CONTAINERS) + _ad_blocks(page, BOTTOM_AD_CONTAINERS)
    if ads or _title_links(_organic_container(page)):
        return "ok"
    low = low or html.lower()
    if any(m in low for m in EMPTY_MARKERS):
        return "empty"
    return "unknown"  # a results page we cannot read: a markup change, never "no ads"


# --- parse ---------------------------------------------------------------------------------------------


def parse(html: str, url: str | None = None, region: str = "NL") -> SerpPage:
    page = PageIndex(parse_html(html))
    top, bottom = _ad_blocks(page, TOP_AD_CONTAINERS), _ad_blocks(page, BOTTOM_AD_CONTAINERS)
    grouped = group_ads(page, SPONSORED_GROUP_HEADINGS, SPONSORED_GROUP_LABELS, AD_BLOCKS, TITLE_HEADINGS,
                        top + bottom)
    status = _classify(html, page, url, top + bottom + [block for _, block in grouped])
    query = query_of(page, QUERY_INPUTS, url)
    if status != "ok":
        return SerpPage(engine=NAME, status=status, query=query)
    base = f"https://{urlsplit(url).hostname}" if url and urlsplit(url).hostname else "https://www.google.com"
    found: list[c.Found] = []
    claimed: set[Element] = set()

    def add(block: Element, kind: str, placement: str, fields: dict[str, Any]) -> None:
        found.append((block, kind, placement, fields))
        claimed.add(block)

    # is_hidden ignores aria-hidden alone: Google sets aria-hidden="true" on div#main while a dialog is open.
    for blocks, placement in ((top, "top"), (bottom, "bottom")):
        for block in blocks:
            add(block, "ad", placement, ad_fields(block, base, DISPLAY_URL, page))
    container = _organic_container(page)
    links = _title_links(container)
    groups = {g for g, _ in grouped}
    first_ungrouped = next((a for a in links if not c.inside(a, groups)), None) if grouped else None
    for group, block in grouped:
        add(block, "ad", _group_placement(group, page, first_ungrouped), ad_fields(block, base, DISPLAY_URL, page))
    for answer in find_answers(page, AI_OVERVIEW, AI_OVERVIEW_STOP):
        if not c.inside(answer.block, claimed):
            first = next((a for a in links if not c.inside(a, [answer.block])), None)
            at_top = first is None or page.position(answer.block) < page.position(first)
            add(answer.block, "ai_answer", "top" if at_top else _placement(answer.block), {
                "title": answer.title, "display_url": None, "landing_url": None, "click_url": None,
                "text": answer.text, "answer_state": answer.state, "sources": answer.sources})
    for block in c.outermost(page.select(SHOPPING_BLOCKS)):
        if is_hidden(block) or c.inside(block, claimed):
            continue
        fields = ad_fields(block, base, DISPLAY_URL, page)
        if fields["click_url"]:  # product cards without an ad click are free listings or "more" cards
            add(block, "shopping_ad", _placement(block), fields)
    for block in c.outermost(page.select(KNOWLEDGE_PANELS)):
        if not is_hidden(block) and not c.inside(block, claimed) and visible_text(block):
            add(block, "knowledge_panel", _placement(block), panel_fields(block, TITLE_OF_PANEL, page))
    for block in _local_entries(page):
        if not c.inside(block, claimed):
            add(block, "local", _placement(block), panel_fields(block, TITLE_OF_PANEL, page))
    paa = set(page.select(SKIP_SECTIONS))
    first_under: dict[Element, Element] | None = None  # built for the first featured snippet
    for answer in c.outermost(page.select(FEATURED_SNIPPETS)):
        if is_hidden(answer) or c.inside(answer, claimed) or _in_paa(answer, paa):
            continue
        if first_under is None:
            first_under = first_link_under(links)
        block, link = _snippet_block(answer, container, first_under)
        add(block, "featured_snippet", _placement(block), organic_fields(block, link, DISPLAY_URL, page))
    title_links = set(links)
    for a in links:
        if c.inside(a, claimed) or is_hidden(a) or _in_paa(a, paa):
            continue
        block = _result_block(a, container, title_links)
        kind = "other" if any(p.tag in CAROUSEL_ITEMS for p in a.iterancestors()) else "organic"
        add(block, kind, "main", organic_fields(block, a, DISPLAY_URL, page))

    results = c.ranked_results(
        found, page, lambda block, _skip, text: result_phones(block, region, CALL_BUTTONS, text, page))
    return SerpPage(engine=NAME, status=status, query=query, results=results)
