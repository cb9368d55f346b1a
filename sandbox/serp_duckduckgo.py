"""DuckDuckGo result pages (Dutch), modelled on the saved 2019 desktop page (rendered DOM).

``form#search_form`` with ``input#search_form_input``; top ads in ``div#ads.results--ads``,
organic results in ``div#links`` as ``div.result`` (``a.result__a``, ``a.result__url``,
``.result__snippet``), bottom ads in a ``div.results--ads`` at the end of ``#links`` and
side ads in ``div.results--ads--rrail``.  Ads are ``div.result--ad`` labelled "Advertentie";
every ad link goes through ``https://duckduckgo.com/y.js?...&u3=<urlencoded Bing aclk URL>``.

Also the bot check DuckDuckGo serves instead of results (the "anomaly" modal: "Unfortunately,
bots use DuckDuckGo too.", a duck-picking puzzle in ``form#challenge-form`` posting to
``anomaly.js``; HTTP 202, in English whatever ``kl`` says) and its HTTP 403 error page.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from sandbox import serp_answers, serp_bing
from sandbox.markup import ads_at, breadcrumb, esc, host_of, token, wa_link

CSS = (
    "body{font-family:-apple-system,Arial,sans-serif;margin:0}"
    "#header_wrapper{padding:16px;border-bottom:1px solid #ddd}"
    "#search_form_input{width:560px;font-size:16px;padding:8px}"
    "#links_wrapper{display:flex;padding-left:160px}.results--main{width:660px}"
    ".results--sidebar{width:420px;margin-left:40px}.result{margin:0 0 24px}"
    ".result__title{font-size:18px;font-weight:normal;margin:0}a{color:#1a0dab;text-decoration:none}"
    ".result__url{color:#006d21;font-size:14px}.result__snippet{font-size:14px;color:#444}"
    ".badge--ad{border:1px solid #888;font-size:11px;padding:0 3px;margin-left:6px}"
)


def click_url(landing: str, *, query: str, rank: int, sub: int = 0) -> str:
    """y.js wrapping the Bing ad click URL (DuckDuckGo's ads come from Microsoft Advertising)."""
    bing = serp_bing.click_url(landing, query=query, rank=rank, sub=sub)
    dom = host_of(landing)
    return (f"https://duckduckgo.com/y.js?ad_domain={quote(dom)}&ad_provider=bingv7aa&ad_type=txad"
            f"&eddgt={token('eddgt', landing, length=22)}&rut={token('rut', landing, query, length=64)}"
            f"&u3={quote(bing, safe='')}")


def _ad(ad: dict[str, Any], query: str, rank: int, rid: str) -> str:
    y = esc(click_url(ad["landing_url"], query=query, rank=rank))
    dom = esc(host_of(ad["landing_url"]))
    out = [
        f'<div class="result results_links highlight_a result--ad highlight_sponsored sponsored '
        f'result--url-above-snippet" data-adf="1" data-domain="{dom}" data-hostname="duckduckgo.com" '
        f'data-nir="1" id="{rid}"><div class="result__body links_main links_deep">',
        f'<h2 class="result__title"><a class="result__a" href="{y}" rel="noopener">{esc(ad["title"])}</a>'
        '<span class="badge--ad-wrap"><a class="badge--ad js-badge--ad" '
        'href="https://duckduckgo.com/duckduckgo-help-pages/company/ads-by-microsoft-on-duckduckgo-private-search">'
        "Advertentie</a></span></h2>",
        '<div class="result__extras js-result-extras"><div class="result__extras__url"><span'
        ' class="result__icon">'
        f'</span><a class="result__url js-result-extras-url" href="{y}"'
        f' rel="noopener">{esc(ad["display_url"])}'
        f"</a></div></div>",
        f'<div class="result__snippet js-result-snippet"><a href="{y}"'
        f' rel="noopener">{esc(ad["description"])}'
        f"</a><br></div>",
    ]
    if ad["call"]:
        out.append(f'<div class="result__snippet result__phone">Bel {esc(ad["call"])}</div>')
    if ad["whatsapp"]:
        out.append(f'<div class="result__snippet"><a href="{esc(wa_link(ad["whatsapp_e164"]))}">'
                   "WhatsApp ons</a></div>")
    if ad["sitelinks"]:
        out.append('<div class="result__snippet"><span class="result__sitelinks">')
        for k, sl in enumerate(ad["sitelinks"], start=1):
            href = esc(click_url(sl["url"], query=query, rank=rank, sub=k))
            out.append(f'<a class="sponsored__sitelink" href="{href}">{esc(sl["title"])}</a> ')
        out.append("</span></div>")
    out.append("</div></div>")
    return "".join(out)


def _organic(res: dict[str, Any], i: int) -> str:
    url = res["url"]
    host = esc(host_of(url))
    base, crumbs = breadcrumb(url)
    path = url[len(base):] if url.startswith(base) else ""
    return (
        f'<div class="result results_links_deep highlight_d result--url-above-snippet" data-domain="{host}" '
        f'data-hostname="{host}" data-nir="1" id="r1-{i}"><div class="result__body links_main links_deep">'
        f'<h2 class="result__title"><a class="result__a" href="{esc(url)}"'
        f' rel="noopener">{esc(res["title"])}</a>'
        f'</h2><div class="result__extras js-result-extras"><div class="result__extras__url">'
        f'<a class="result__url js-result-extras-url" href="{esc(url)}" rel="noopener">'
        f'<span class="result__url__domain">{esc(res.get("display_url") or base)}</span>'
        f'<span class="result__url__full">{esc(path.rstrip("/"))}</span></a></div></div>'
        f'<div class="result__snippet js-result-snippet">{esc(res["snippet"])}</div></div></div>'
    )


def render_serp(page: dict[str, Any]) -> str:
    query = page["query"]
    top, bottom, side = (ads_at(page["ads"], p) for p in ("top", "bottom", "side"))
    n = 0

    def ads_html(ads: list[dict[str, Any]]) -> str:
        nonlocal n
        parts = []
        for ad in ads:
            parts.append(_ad(ad, query, n + 1, f"ra-{n}"))
            n += 1
        return "".join(parts)

    out = [
        '<!DOCTYPE html><html lang="nl_NL" class="has-zcm js no-touch is-not-mobile-device full-urls'
        ' has-footer">'
        f'<head><meta charset="utf-8"><title>{esc(query)} op DuckDuckGo</title><style>{CSS}</style></head>'
        '<body class="body--serp"><div id="header_wrapper"><div class="header__content header__search">',
        '<form id="search_form" class="search--adv search--header js-search-form has-text" name="x"'
        ' action="/">'
        '<input class="search__input--adv js-search-input" type="text" autocomplete="off"'
        ' id="search_form_input" '
        f'name="q" value="{esc(query)}"><input type="hidden" name="kl" value="nl-nl"></form></div></div>',
        '<div id="links_wrapper" class="serp__results js-serp-results"><div class="results--main">',
        f'<div id="ads" class="results--ads results--ads--main js-results-ads">{ads_html(top)}</div>',
    ]
    if page.get("ai_answer"):
        out.append(serp_answers.ddg_assist(page["ai_answer"], query))
    out += [
        '<div id="links" class="results js-results">',
    ]
    if not page["organic"] and not page["ads"]:
        out.append(f'<div class="result result--no-result"><div class="no-results">Geen resultaten gevonden '
                   f"voor <b>{esc(query)}</b>.</div></div>")
    out.extend(_organic(r, i) for i, r in enumerate(page["organic"]))
    if bottom:
        out.append(f'<div class="results--ads">{ads_html(bottom)}</div>')
    out.append('</div></div><div class="results--sidebar js-results-sidebar"><div class="sidebar-modules '
               'js-sidebar-modules"></div>')
    if side:
        out.append(f'<div class="js-sidebar-ads results--ads results--ads--rrail">{ads_html(side)}</div>')
    out.append("</div></div></body></html>")
    return "".join(out)


ANOMALY_IMAGE_PATH = "/assets/anomaly/images/challenge/"
# A 1x1 grey GIF: what the sandbox serves for every puzzle tile under ANOMALY_IMAGE_PATH.
ANOMALY_IMAGE = bytes.fromhex("47494638396101000100800000c0c0c000000021f90401000000002c000000000100010000020244"
                              "01003b")


def render_anomaly(query: str, url: str) -> str:
    """The anomaly modal: a 3x3 duck puzzle in ``form#challenge-form`` (cf. html.duckduckgo.com, 2024)."""
    action = "//duckduckgo.com/anomaly.js?" + urlencode({
        "sv": "html", "cc": "sre", "ti": "1704074400", "gk": token("gk", url, length=32),
        "p": token("p", url, length=40), "q": query, "o": token("o", url, length=40), "r": "euw"})
    tiles = []
    for i in range(9):
        tid = token("tile", url, str(i), length=32)
        tiles.append(
            f'<div class="anomaly-modal__box" data-index="{i}"><button type="submit" '
            f'class="anomaly-modal__image_btn" name="img_click" value="{tid}" form="img-form" '
            f'data-testid="anomaly-modal-tile-{i}"><label for="image-check_{tid}"><input type="checkbox" '
            f'class="anomaly-modal__check" name="image-check_{tid}" id="image-check_{tid}">'
            f'<img class="anomaly-modal__image" alt=" " id="image-{tid}" '
            f'src="..{ANOMALY_IMAGE_PATH}{tid}.jpg" data-id="{tid}.jpg" '
            f'data-testid="anomaly-modal-image-{i}"></label><div class="anomaly-modal__overlay"></div>'
            "</button></div>")
    return (
        '<!DOCTYPE html><html lang="en-US"><head><meta http-equiv="content-type" content="text/html; '
        'charset=UTF-8"><meta name="viewport" content="width=device-width, initial-scale=1.0">'
        f"<title>{esc(query)} at DuckDuckGo</title><style>{CSS}"
        ".anomaly-modal__mask{position:fixed;inset:0;background:rgba(0,0,0,.4)}.anomaly-modal__modal{"
        "max-width:420px;margin:80px auto;background:#fff;padding:24px;border-radius:8px}"
        ".anomaly-modal__puzzle{display:grid;grid-template-columns:repeat(3,1fr);gap:4px}"
        ".anomaly-modal__image{width:100%;height:96px}</style></head><body>"
        '<div id="header_wrapper"><form id="search_form" action="/html/" method="post">'
        f'<input type="text" id="search_form_input" name="q" value="{esc(query)}" autocomplete="off">'
        "</form></div>"
        f'<form id="challenge-form" action="{esc(action)}" method="POST">'
        '<div class="anomaly-modal__mask"><div class="anomaly-modal__modal" data-testid="anomaly-modal">'
        '<div class="anomaly-modal__title">Unfortunately, bots use DuckDuckGo too.</div>'
        '<div class="anomaly-modal__description">Please complete the following challenge to confirm this '
        "search was made by a human.</div>"
        '<div class="anomaly-modal__instructions">Select all squares containing a duck:</div>'
        f'<div class="anomaly-modal__puzzle">{"".join(tiles)}</div>'
        '<button class="btn btn--primary anomaly-modal__submit" type="submit" disabled '
        'data-testid="anomaly-modal-submit">Submit</button>'
        "</div></div></form>"
        '<form id="img-form" action="//duckduckgo.com/anomaly.js" method="POST"></form>'
        "</body></html>"
    )


def render_anomaly_javascript(query: str, url: str) -> str:
    """The bot check of the JavaScript site: the result page's header and an empty result list, and over it
    the anomaly modal its script draws in place of the results (the same puzzle as the html site's)."""
    puzzle = render_anomaly(query, url)
    modal = puzzle[puzzle.index('<form id="challenge-form"'):puzzle.index("</body>")]
    return (
        '<!DOCTYPE html><html lang="nl-NL" class="js no-touch"><head><meta charset="utf-8">'
        f"<title>{esc(query)} op DuckDuckGo</title><style>{CSS}"
        ".anomaly-modal__mask{position:fixed;inset:0;background:rgba(0,0,0,.4)}.anomaly-modal__modal{"
        "max-width:420px;margin:80px auto;background:#fff;padding:24px;border-radius:8px}</style></head>"
        '<body class="body--serp"><div id="header_wrapper"><form id="search_form" action="/">'
        f'<input id="search_form_input" type="text" name="q" value="{esc(query)}" autocomplete="off"></form>'
        '</div><div id="react-layout"><section data-testid="mainline"><ol class="react-results--main"></ol>'
        f"</section></div>{modal}</body></html>"
    )


def render_blocked() -> str:
    """DuckDuckGo's HTTP 403 page: no results, a request to report a persisting error."""
    return (
        '<!DOCTYPE html><html lang="en-US"><head><meta charset="utf-8"><title>DuckDuckGo</title></head>'
        '<body><div class="error-page"><h1>403 Forbidden</h1>'
        "<p>Sorry, you have been blocked from accessing DuckDuckGo.</p>"
        '<p>If this error persists, please let us know: <a href="mailto:error-lite@duckduckgo.com">'
        "error-lite@duckduckgo.com</a></p></div></body></html>"
    )


def home() -> str:
    return ('<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>DuckDuckGo</title></head>'
            '<body>'
            '<form id="search_form_homepage" action="/"><input id="search_form_input_homepage" name="q">'
            '</form>'
            "</body></html>")
