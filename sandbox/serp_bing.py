"""Bing result pages (Dutch), modelled on the saved 2019/2021 desktop pages.

``form#sb_form`` with ``input#sb_form_q``; ``ol#b_results`` holds ``li.b_ad`` (top),
``li.b_algo`` organic results (``h2 > a``, ``cite``, ``.b_caption p``) and
``li.b_ad.b_adBottom``; the right rail ``aside > ol#b_context`` holds side ads.  Each ad
is a ``li`` inside the block's ``ul`` with the label "Advertentie" (``span.b_adSlug``);
its links go through ``https://www.bing.com/aclk?ld=...&u=a1<base64url(landing)>``.

Also the pages Bing shows instead of (or over) the results: the cookie banner
``div#bnp_container`` ("Accepteren" / "Weigeren"), the "Nog één stap" challenge page with its
Turnstile frame (``/turing/captcha/challenge``) and a bare HTTP 403 "Access Denied" page.
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlencode, urlsplit

from sandbox import serp_answers
from sandbox.markup import ads_at, esc, token, wa_link

CONSENT_PATH = "/bnp/consent"  # the sandbox's GET endpoint behind the banner buttons (sets BCP)
BCP_REJECT = "AD=0&AL=0&SM=0"  # Bing's consent cookie: ads / analytics / social media refused
BCP_ACCEPT = "AD=1&AL=1&SM=1"

CSS = (
    "body{font-family:Segoe UI,Arial,sans-serif;margin:0}"
    "#b_header{padding:16px;border-bottom:1px solid #ddd}"
    ".b_searchbox{width:540px;font-size:16px;padding:8px}"
    "#b_content{display:flex;padding:0 0 0 160px}main{width:640px}"
    "aside{width:440px;margin-left:40px}ol{list-style:none;padding:0}"
    ".b_ad ul{list-style:none;padding:0}.b_ad li,.b_algo{margin:0 0 22px}"
    "h2{font-size:20px;font-weight:normal;margin:0}a{color:#1a0dab;text-decoration:none}"
    "cite{color:#006d21;font-style:normal;font-size:14px}"
    ".b_adSlug{background:#fff;border:1px solid #555;font-size:11px;padding:0 3px;margin-right:4px}"
    "p{font-size:14px;color:#444;margin:4px 0}"
)
BANNER_CSS = (  # sent with the banner only, so a page without it never names #bnp_container
    "#bnp_container{position:sticky;top:0;z-index:10;background:#fff;border-bottom:1px solid #ccc;"
    "box-shadow:0 2px 6px rgba(0,0,0,.2)}.bnp_cookie_banner{padding:16px 160px;font-size:14px}"
    ".bnp_btn_container form{display:inline}.bnp_btn_accept,.bnp_btn_reject{min-width:120px;"
    "margin:8px 8px 0 0;padding:6px 12px;font-size:14px;border:1px solid #767676;background:#fff}"
)


def encode_u(landing: str) -> str:
    """Bing's u= value: "a1" + base64url of the landing URL, padding stripped."""
    return "a1" + base64.urlsafe_b64encode(landing.encode()).decode().rstrip("=")


def click_url(landing: str, *, query: str, rank: int, sub: int = 0) -> str:
    ld = "e8" + token("bing", landing, query, str(rank), str(sub), length=60)
    rlid = token("rlid", landing, str(rank), length=32)
    return f"https://www.bing.com/aclk?ld={ld}&u={encode_u(landing)}&rlid={rlid}&ntb=1"


def _ad(ad: dict[str, Any], query: str, rank: int, last: bool) -> str:
    aclk = esc(click_url(ad["landing_url"], query=query, rank=rank))
    out = [
        f'<li class="{"b_adLastChild" if last else ""}" data-bm="{40 + rank}"><div class="sb_add sb_adTA">',
        f'<h2><a class="" h="ID=SERP,{5400 + rank * 3}.1,Ads" href="{aclk}">{esc(ad["title"])}</a></h2>',
        '<div class="b_caption"><div class="b_attribution"><div class="b_adurl"><cite>'
        f'{esc(ad["display_url"])}</cite></div><a class="b_adcaret" href="javascript:void(0)" '
        'title="Over onze advertenties"></a></div>',
        f'<p class=""><span class="b_adSlug b_opttxt b_divdef">Advertentie</span>{esc(ad["description"])}'
        '</p>',
    ]
    if ad["call"]:
        out.append(f'<div class="b_secondaryText b_adPhone" data-partnertag="Ads.Call">'
                   f'<span class="b_adcall">Bel</span> {esc(ad["call"])}</div>')
    if ad["whatsapp"]:
        out.append(f'<div class="b_secondaryText"><a href="{esc(wa_link(ad["whatsapp_e164"]))}">'
                   f"WhatsApp: stuur ons een bericht</a></div>")
    out.append("</div>")
    if ad["sitelinks"]:
        out.append('<div class="b_vlist2col b_deep"><ul>')
        for k, sl in enumerate(ad["sitelinks"], start=1):
            href = esc(click_url(sl["url"], query=query, rank=rank, sub=k))
            out.append(f'<li><a h="ID=SERP,{5468 + k}.1,Ads" href="{href}">{esc(sl["title"])}</a></li>')
        out.append("</ul></div>")
    out.append("</div></li>")
    return "".join(out)


def _ad_block(ads: list[dict[str, Any]], query: str, start: int, cls: str) -> str:
    items = "".join(_ad(a, query, start + i, i == len(ads) - 1) for i, a in enumerate(ads))
    return f'<li class="{cls}" data-bm="8"><ul>{items}</ul></li>'


def _organic(res: dict[str, Any], rank: int) -> str:
    display = res.get("display_url") or res["url"].split("://", 1)[-1]
    return (
        f'<li class="b_algo" data-bm="{10 + rank}"><div class="b_title"><h2><a h="ID=SERP,{5185 + rank}.1" '
        f'href="{esc(res["url"])}">{esc(res["title"])}</a></h2></div><div class="b_caption">'
        f'<div class="b_attribution" u="0|5071|{rank}"><cite>{esc(display)}</cite></div>'
        f'<p>{esc(res["snippet"])}</p></div></li>'
    )


def _head(title: str) -> str:
    return ('<!DOCTYPE html><html dir="ltr" lang="nl" xml:lang="nl" xmlns="http://www.w3.org/1999/xhtml">'
            f'<head><meta charset="utf-8"><title>{esc(title)}</title><style>{CSS}</style></head><body>')


def _searchbox(query: str) -> str:
    return ('<header id="b_header"><form action="/search" id="sb_form" class="hassbi"><div'
            ' class="b_searchboxForm">'
            f'<input class="b_searchbox" id="sb_form_q" name="q" type="search" maxlength="1000" '
            f'value="{esc(query)}"><input type="hidden" name="form" value="QBLH"></div></form></header>')


def consent_banner(continue_url: str) -> str:
    """The EU cookie banner (``#bnp_container``) Bing puts above the page until BCP is set.

    Each button submits a GET form to :data:`CONSENT_PATH`, which sets the BCP cookie on
    ``.bing.com`` and answers 302 back to ``continue_url``.
    """
    c = esc(continue_url)

    def button(choice: str, label: str) -> str:
        return (f'<form action="https://www.bing.com{CONSENT_PATH}" method="GET">'
                f'<input type="hidden" name="choice" value="{choice}">'
                f'<input type="hidden" name="continue" value="{c}">'
                f'<button id="bnp_btn_{choice}" class="bnp_btn_{choice}" type="submit" '
                f'aria-label="{label}" data-tag="bnp.consent.{choice}"><a>{label}</a></button></form>')

    return (
        f'<style>{BANNER_CSS}</style>'
        '<div id="bnp_container" class="bnp_container" role="region" aria-label="Cookiebanner">'
        '<div id="bnp_cookie_banner" class="bnp_cookie_banner" data-tag="bnp.cookiebanner">'
        '<div class="bnp_cookie_banner_inner"><div class="bnp_cookie_banner_text" id="bnp_ttc_div">'
        "Wij en onze partners gebruiken cookies en vergelijkbare technologieën om onze services te leveren "
        "en te verbeteren, om advertenties te tonen en te personaliseren en om het gebruik te analyseren. "
        "Kies Accepteren om daarmee in te stemmen, of Weigeren om niet-essentiële cookies te weigeren. "
        '<a href="https://go.microsoft.com/fwlink/?LinkId=521839" class="bnp_link">Privacyverklaring</a>'
        '</div><div class="bnp_btn_container">'
        f'{button("accept", "Accepteren")}{button("reject", "Weigeren")}'
        '<a id="bnp_btn_preference" class="bnp_btn_preference" href="javascript:void(0)">Meer opties</a>'
        "</div></div></div></div>"
    )


def render_consent(query: str, continue_url: str) -> str:
    """A search that stays on the cookie banner: the banner and the search box, no results."""
    return (_head(f"{query} - Zoeken") + consent_banner(continue_url) + _searchbox(query)
            + '<div id="b_content"><main aria-label="Zoekresultaten"><ol id="b_results"></ol></main></div>'
            "</body></html>")


def render_captcha(query: str, continue_url: str) -> str:
    """The bot check Bing serves instead of results: "Nog één stap" with a Turnstile frame."""
    frame = "/turing/captcha/challenge?" + urlencode({"q": "", "iag": "0", "ig": token("ig", continue_url,
                                                                                       length=32).upper()})
    return (
        _head("Bing")
        + '<div id="b_content"><div id="b_captcha" class="b_captcha" role="main">'
        '<h1 class="b_captcha_title">Nog één stap</h1>'
        "<p>Los de onderstaande uitdaging op om verder te gaan.</p>"
        f'<iframe id="b_turing_iframe" class="b_captcha_iframe" title="Uitdaging" src="{esc(frame)}" '
        'width="320" height="90" frameborder="0"></iframe>'
        f'<form id="b_captcha_form" action="/search" method="GET"><input type="hidden" name="q" '
        f'value="{esc(query)}"></form>'
        "</div></div></body></html>"
    )


def render_one_last_step(query: str, continue_url: str) -> str:
    """The "One last step" challenge as Bing serves it at the search URL since 2024: the result page's own
    title ("<query> - Search") and search box, and in place of the results a Turnstile frame."""
    frame = "/turing/captcha/challenge?" + urlencode({"q": "", "iag": "0", "ig": token("ig", continue_url,
                                                                                       length=32).upper()})
    return (
        _head(f"{query} - Search") + _searchbox(query)
        + '<div id="b_content"><main aria-label="Search Results"><ol id="b_results">'
        '<li class="b_ans"><div class="captcha" id="turingcaptcha">'
        '<div class="captcha_header">One last step</div>'
        '<div class="captcha_text">Please solve the challenge below to continue</div>'
        f'<iframe title="Challenge" src="{esc(frame)}" width="320" height="90" frameborder="0"></iframe>'
        "</div></li></ol></main></div></body></html>"
    )


def render_turing_challenge() -> str:
    """``/turing/captcha/challenge``: the Cloudflare Turnstile checkbox inside the challenge frame."""
    return (
        '<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>Uitdaging</title></head><body>'
        '<div id="turnstile-widget" class="cf-turnstile" data-sitekey="0x4AAAAAAAA-sandbox" '
        'data-theme="light"><label class="cb-lb"><input type="checkbox"><span class="cb-i"></span>'
        '<span class="cb-lb-t">Controleer of je een mens bent</span></label></div></body></html>'
    )


def render_blocked(url: str) -> str:
    """The bare HTTP 403 page of Bing's edge ("Access Denied", with an edge reference)."""
    shown = "".join(ch if ch.isalnum() else f"&#{ord(ch)};" for ch in url.split("?", 1)[0] + "?")
    ref = token("edge", url, length=8)
    return (
        "<HTML><HEAD>\n<TITLE>Access Denied</TITLE>\n</HEAD><BODY>\n<H1>Access Denied</H1>\n \n"
        f'You don\'t have permission to access "{shown}" on this server.<P>\n'
        f"Reference&#32;&#35;18&#46;{ref}\n</BODY>\n</HTML>\n"
    )


def consent_cookie(choice: str) -> str:
    """The Set-Cookie header the banner's buttons lead to."""
    value = BCP_REJECT if choice == "reject" else BCP_ACCEPT
    return f"BCP={value}; Domain=.bing.com; Path=/; Max-Age=15552000; Secure; SameSite=None"


def continue_of(url: str) -> str:
    """Only bing.com URLs are followed back after the banner (as a real consent endpoint would)."""
    host = (urlsplit(url).hostname or "").lower()
    return url if host in ("www.bing.com", "bing.com") else "https://www.bing.com/"


def render_serp(page: dict[str, Any], banner: str = "") -> str:
    """The result page; ``banner`` (e.g. :func:`consent_banner`) goes above the header."""
    query = page["query"]
    top, bottom, side = (ads_at(page["ads"], p) for p in ("top", "bottom", "side"))
    out = [
        _head(f"{query} - Zoeken") + banner + _searchbox(query),
        '<div id="b_content"><main aria-label="Zoekresultaten"><ol id="b_results">',
    ]
    if page.get("ai_answer"):
        out.append(serp_answers.bing_copilot(page["ai_answer"], query))
    if top:
        out.append(_ad_block(top, query, 1, "b_ad"))
    if not page["organic"] and not page["ads"]:
        out.append(f'<li class="b_no"><h1>Er zijn geen resultaten voor <strong>{esc(query)}</strong></h1>'
                   "<ul><li><span>Controleer de spelling of probeer andere trefwoorden</span></li></ul></li>")
    out.extend(_organic(r, i) for i, r in enumerate(page["organic"], start=1))
    if bottom:
        out.append(_ad_block(bottom, query, len(top) + 1, "b_ad b_adBottom"))
    out.append('</ol></main><aside aria-label="Aanvullende resultaten"><ol id="b_context">')
    if side:
        out.append(_ad_block(side, query, len(top) + len(bottom) + 1, "b_ad"))
    out.append("</ol></aside></div></body></html>")
    return "".join(out)


def home() -> str:
    return ('<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>Bing</title></head><body>'
            '<form action="/search" id="sb_form"><input id="sb_form_q" name="q" type="search"></form>'
            '</body></html>')


__all__ = ["click_url", "consent_banner", "consent_cookie", "continue_of", "encode_u", "home",
           "render_blocked", "render_captcha", "render_consent", "render_one_last_step", "render_serp",
           "render_turing_challenge"]
