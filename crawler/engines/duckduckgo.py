"""DuckDuckGo web search: search URL, page status and result parser.

SearXNG style: the markup the parser relies on is written down as selector constants
here.  Two generations of markup are read:

- the rendered page of 2019-2022 (and html.duckduckgo.com): ``div.result`` blocks with
  ``a.result__a`` titles, ``a.result__url`` display URLs and ``.result__snippet``; ads are
  ``div.result--ad`` in ``#ads`` (top), in a ``.results--ads`` block after the organic
  results (bottom) and in ``.results--ads--rrail`` (right rail);
- the React page of 2023+: ``article[data-testid=result]`` / ``article[data-testid=ad]``
  in ``li[data-layout]`` items, the side column ``[data-area=sidebar]``.

An ad outside the side column is "top" before the first organic result, else "bottom".
Ad links go through ``duckduckgo.com/y.js?...&u3=<click URL>`` (mostly a Bing click URL
with the landing URL base64-encoded in ``u=``); see :mod:`crawler.engines._common`.
DuckDuckGo shows no cookie wall.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from crawler.engines import _common as c
from crawler.engines.answers import AnswerMarkup, find_answers
from crawler.htmltree import (
    Element,
    inline_text,
    is_hidden,
    links,
    matches,
    parse_html,
    select,
    select_one,
    sweep,
    visible_text,
)
from crawler.models import SerpPage
from crawler.pageindex import PageIndex

NAME = "duckduckgo"

# What shows the page is there, waited for after the load event: results (rendered by script on the real
# site, so not the empty #links), "no results", or the anomaly (bot check) modal.
READY_SELECTOR = (
    "#links .result, #ads .result, article[data-testid], li[data-layout], .no-results, .result--no-result, "
    "[data-testid='no-results-message'], #challenge-form, .anomaly-modal__modal"
)

CONSENT_REJECT_SELECTORS: list[str] = []

# --- page status ---------------------------------------------------------------------------------------

CAPTCHA_MARKERS = (
    "anomaly-modal", "bots use duckduckgo too", "/anomaly.js", "anomaly.js", "challenge-form",
    "select all squares containing", "please complete the following challenge",
)
BLOCKED_MARKERS = (
    "if this error persists", "error-lite@duckduckgo.com", "403 forbidden", "access denied",
    "429 too many requests", "too many requests",
)
EMPTY_MARKERS = (
    "no results.", "no results found for", "geen resultaten", "keine ergebnisse", "aucun résultat",
)

# --- result blocks -------------------------------------------------------------------------------------

AD_BLOCKS = 'div.result--ad, article[data-testid="ad"], li[data-layout="ad"]'
ORGANIC_BLOCKS = 'div.result:not(.result--ad), article[data-testid="result"]'
DDG_HOSTS_FOR_ANSWERS = ("duckduckgo.com", "duck.com", "duck.ai")
NO_RESULTS = '.no-results, .result--no-result, [data-testid="no-results-message"]'
SIDE_COLUMN = '.results--sidebar, .js-results-sidebar, [data-area="sidebar"]'
KNOWLEDGE_PANELS = '.module--about, .js-about-module, [data-testid="about-module"]'
# The Search Assist answer (crawler.engines.answers; modelled on public descriptions of DuckDuckGo's assist
# module: a title, the answer, its sources).  Found by its container only.
AI_ANSWER = AnswerMarkup(
    containers='.module--assist, [data-testid="assist-answer"], [data-area="assist"]',
    headings="h2, .module__title, [role=heading]",
    labels=("Search Assist", "Zoekassistent", "Assist", "Duck.ai"),
    body=".assist__body, [data-testid='assist-answer-text']", expand="button[aria-expanded]",
    declined=("search assist is not available", "zoekassistent is niet beschikbaar"),
    engine_hosts=DDG_HOSTS_FOR_ANSWERS, by_heading=False,
)
AI_ANSWER_STOP = 'div.result, article[data-testid="result"], article[data-testid="ad"]'
AI_ANSWER_NEVER = AD_BLOCKS
TITLE_LINK = 'a.result__a[href], a[data-testid="result-title-a"][href], h2 a[href]'
TITLE = ".module__title, h2"
DISPLAY_URL = 'a.result__url, .result__url, [data-testid="result-extras-url-link"]'
# Tooltips and elements DuckDuckGo's stylesheet hides (never seen as text).
HIDDEN_BY_CLASS = ".result__check, .result__check__tt, .is-hidden, .module__toggle, .hide"
QUERY_INPUTS = '#search_form_input, input[name="q"]:not([type="hidden"]), textarea[name="q"]'
CHALLENGE_FORM = "form#challenge-form[action]"  # the bot check posts the query back in its action's q=
CALL_BUTTONS = 'a[href^="tel:"][role="button"], a[href^="tel:"][aria-label]'
DDG_HOSTS = ("duckduckgo.com", "duck.com", "duckduckgo.onion")


def search_url(query: str, *, language: str = "nl", region: str = "NL", device: str = "desktop") -> str:
    """The production result page URL (kl = region-language); the device is set by the browser."""
    return "https://duckduckgo.com/?" + urlencode({"q": query, "kl": f"{region.lower()}-{language.lower()}",
                                                   "ia": "web"})


# --- status --------------------------------------------------------------------------------------------


def classify(html: str, url: str | None = None) -> str:
    return _classify(html, PageIndex(parse_html(html)), url)


def _classify(html: str, page: PageIndex, url: str | None) -> str:
    if _ads(page) or _organic(page):
        return "ok"
    low = html.lower()  # a megabyte lowered only when its words count
    if any(m in low for m in CAPTCHA_MARKERS):
        return "captcha"
    if page.select_one(NO_RESULTS) is not None or any(m in low for m in EMPTY_MARKERS):
        return "empty"
    if any(m in low for m in BLOCKED_MARKERS):
        return "blocked"
    return "unknown"  # e.g. the JavaScript shell before results load, or new markup: never "no ads"


def _ads(page: PageIndex) -> list[Element]:
    return [b for b in c.outermost(page.select(AD_BLOCKS)) if not is_hidden(b) and _title_link(b) is not None]


def _organic(page: PageIndex, ads: list[Element] | None = None) -> list[Element]:
    ads = _ads(page) if ads is None else ads
    ad_set = set(ads)
    blocks = [b for b in c.outermost(page.select(ORGANIC_BLOCKS)) if not is_hidden(b)]
    return [b for b in blocks if _title_link(b) is not None and select_one(b, AD_BLOCKS) is None
            and not c.inside(b, ad_set)]


# --- parse ---------------------------------------------------------------------------------------------


def parse(html: str, url: str | None = None, region: str = "NL") -> SerpPage:
    page = PageIndex(parse_html(html))
    status = _classify(html, page, url)
    query = c.query_from(page, QUERY_INPUTS, url)
    if status != "ok":
        form = page.select_one(CHALLENGE_FORM) if query is None else None
        if form is not None:  # the html site's challenge answers a POSTed search: no q= in the page URL
            query = next(iter(parse_qs(urlsplit(str(form.get("action"))).query).get("q", [])), None)
        return SerpPage(engine=NAME, status=status, query=query)
    base = "https://duckduckgo.com"
    ads = _ads(page)
    organic = _organic(page, ads)
    first_organic = page.position(organic[0]) if organic else None
    found: list[c.Found] = []

    for block in ads:
        if _in_side(block):
            placement = "side"
        elif first_organic is not None and page.position(block) > first_organic:
            placement = "bottom"
        else:
            placement = "top"
        found.append((block, "ad", placement, _fields(block, base, page)))
    ad_set = set(ads)
    for block in c.outermost(page.select(KNOWLEDGE_PANELS)):
        if not is_hidden(block) and not c.inside(block, ad_set) and visible_text(block):
            found.append((block, "knowledge_panel", "side" if _in_side(block) else "main",
                          _panel_fields(block, base, page)))
    for answer in find_answers(page, AI_ANSWER, ORGANIC_BLOCKS):
        if not c.inside(answer.block, ad_set):
            top = first_organic is None or page.position(answer.block) < first_organic
            found.append((answer.block, "ai_answer", "top" if top else "main", {
                "title": answer.title or "Search Assist", "display_url": None, "landing_url": None,
                "click_url": None, "text": answer.text, "answer_state": answer.state, "sources": answer.sources}))
    for block in organic:
        found.append((block, "organic", "main", _fields(block, base, page)))

    results = c.ranked_results(
        found, page,
        lambda block, skip, text: sweep(block, region, call_buttons=CALL_BUTTONS, skip=skip, text=text, page=page),
        hidden_selector=HIDDEN_BY_CLASS)
    return SerpPage(engine=NAME, status=status, query=query, results=results)


# --- fields --------------------------------------------------------------------------------------------


def _in_side(tag: Element) -> bool:
    return any(matches(p, SIDE_COLUMN) for p in tag.iterancestors())


def _title_link(block: Element) -> Element | None:
    for a in select(block, TITLE_LINK):
        href = str(a.get("href"))
        if not is_hidden(a, block) and not href.startswith(("javascript:", "#")) and inline_text(a):
            return a
    return None


def _fields(block: Element, base: str, page: PageIndex) -> dict[str, Any]:
    link = _title_link(block)
    href = c.absolute(str(link.get("href")), base) if link is not None else None
    click = href if c.is_click_wrapper(href) else None
    landing = c.landing_of(href, base)
    if landing is not None and _is_ddg(landing):
        landing = None
    title = inline_text(link, c.hidden_by_class(link, HIDDEN_BY_CLASS, page)) if link is not None else ""
    el = c.first_visible(block, DISPLAY_URL, page)
    display = inline_text(el, c.hidden_by_class(el, HIDDEN_BY_CLASS, page)) if el is not None else ""
    return {"title": title, "display_url": display or None, "landing_url": landing, "click_url": click}


def _panel_fields(block: Element, base: str, page: PageIndex) -> dict[str, Any]:
    heading = c.first_visible(block, TITLE, page)
    landing = None
    for a in links(block):
        if a is block:
            continue
        target = c.landing_of(c.absolute(str(a.get("href")), base), base)
        if target and not _is_ddg(target) and not is_hidden(a, block):
            landing = target
            break
    title = inline_text(heading) if heading is not None else ""
    return {"title": title, "display_url": None, "landing_url": landing, "click_url": None}


def _is_ddg(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return any(host == h or host.endswith("." + h) for h in DDG_HOSTS)
