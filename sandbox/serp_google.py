"""Google result pages (Dutch), modelled on the saved 2023 desktop and mobile pages.

Desktop: ``form#tsf`` with ``input[name=q]``; ads in ``div#tads`` (top) and
``div#bottomads`` (bottom), each a ``div[data-text-ad]`` labelled "Gesponsord";
organic results in ``div#search div#rso`` as ``div.g`` with ``a > h3``, ``cite`` and a
snippet ``div.VwiC3b``.  Mobile: the same containers with the mobile ad card, whose
call button is only a ``tel:`` link labelled "Bellen".  Also (from sandbox.serp_google_walls) the CAPTCHA page
(``/sorry/index``), the consent wall (``consent.google.com/ml``) and the bare 403 page.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from sandbox import serp_answers, serp_google_2019, serp_google_grouped
from sandbox.markup import ads_at, breadcrumb, esc, origin, site_name, token, wa_link
from sandbox.serp_google_walls import (
    render_blocked,
    render_captcha,
    render_consent,
    render_javascript_wall,
    render_soft_block,
)

CSS = (
    ".Uo8X3b{display:none}#appbar{margin-left:150px}"
    "body{font-family:arial,sans-serif;margin:0;color:#202124}"
    "#searchform{padding:16px;border-bottom:1px solid #ddd}"
    ".gLFyf{width:560px;font-size:16px;padding:8px}#center_col{margin-left:150px;width:650px}"
    "[data-text-ad]{margin:12px 0 24px}.U3A9Ac{font-weight:bold;font-size:12px}"
    ".CCgQ5{font-size:20px;color:#1a0dab}a{text-decoration:none;color:#1a0dab}"
    ".x2VHCd,cite{color:#202124;font-size:14px;font-style:normal}.g{margin:0 0 28px}"
    "h3{font-size:20px;font-weight:normal;margin:4px 0}.VwiC3b,.MUxGbd{font-size:14px;color:#4d5156}"
    ".uHkbe{display:inline-block;border:1px solid #dadce0;border-radius:18px;padding:6px 16px;margin:8px"
    " 8px 0 0}"
)


def click_url(landing: str, *, query: str, rank: int, sub: int = 0) -> str:
    """The ad click URL as Google writes it: googleadservices aclk with the landing in adurl."""
    ai = "DChcSEw" + token(landing, query, str(rank), str(sub), length=40)
    sig = "AOD64_" + token("sig", landing, str(sub), length=28)
    return (f"https://www.googleadservices.com/pagead/aclk?sa=L&ai={ai}&ae=2&sig={sig}&q=&nis=4"
            f"&adurl={quote(landing, safe='')}")


MOBILE_CSS = "#center_col,#appbar{margin:0 12px;width:auto}.gLFyf{width:88%}"


def _head(title: str, mobile: bool = False) -> str:
    css = CSS + (MOBILE_CSS if mobile else "")
    return (f'<!DOCTYPE html><html lang="nl" itemscope itemtype="http://schema.org/SearchResultsPage"><head>'
            f'<meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">'
            f"<title>{esc(title)}</title><style>{css}</style></head>")


def _searchform(query: str, mobile: bool) -> str:
    cls = "sbox" if mobile else "CvDJxb"
    return (f'<div id="searchform" class="{cls}"><form class="tsf" id="tsf" action="/search" method="GET" '
            'role="search"><div class="a4bIc"><input class="gLFyf" name="q" type="text"'
            f' value="{esc(query)}" '
            f'aria-label="Zoeken" title="Zoeken" autocomplete="off"></div><input type="hidden" name="hl" '
            f'value="nl"></form></div>')


def _advertiser(ad: dict[str, Any]) -> str:
    return site_name(ad["landing_url"])


def _desktop_ad(ad: dict[str, Any], query: str, rank: int, label: bool = True) -> str:
    landing = ad["landing_url"]
    aclk = click_url(landing, query=query, rank=rank)
    dom = site_name(landing)
    parts = [
        f'<div data-text-ad="1" data-hveid="CA{rank}QAA"><div class="vdQmEd fP1Qef EtOod pkphOe">',
        '<span class="U3A9Ac qV8iec">Gesponsord</span>' if label else "",
        f'<div class="v5yQqb VSfPcc"><a class="sVXRqc" data-ae="1" data-al="1" data-impdclcc="1" '
        f'data-pcu="{esc(origin(landing))}" data-rw="{esc(aclk)}" href="{esc(aclk)}">'
        f'<div aria-level="3" class="CCgQ5 vCa9Yd QfkTvb k6WZR" role="heading"><span>{esc(ad["title"])}'
        '</span></div>'
        f'<div class="d8lRkd lM38hb"><span class="yIn8Od"><span class="wbJOMb"><span class="pKWwCd yUTMj">'
        f'<div class="Aozhyc MUxGbd lyLwlc aLF0Z OSrXXb"><span class="BTu2cd">{esc(_advertiser(ad))}</span>'
        '</div>'
        f'</span><span class="OSrXXb VN4UC"><span class="x2VHCd OSrXXb qzEoUe" data-dtld="{esc(dom)}" '
        f'role="text">{esc(ad["display_url"])}</span></span></span></span></div></a></div>',
        f'<div class="Z6lobc"><div class="MUxGbd yDYNvb lyLwlc"><div><span>{esc(ad["description"])}</span>'
        f"</div></div></div>",
    ]
    if ad["call"]:
        # Call extension: the number as text next to a phone icon (cf. span.PXnpre in 2019 pages).
        parts.append(f'<div class="MUxGbd lyLwlc aLF0Z OSrXXb WZ8Tjf"><span class="ntV4tc">Bellen: </span>'
                     f'<span class="PXnpre">{esc(ad["call"])}</span></div>')
    links = []
    for k, sl in enumerate(ad["sitelinks"], start=1):
        rw = click_url(sl["url"], query=query, rank=rank, sub=k)
        links.append(f'<a data-ae="1" data-al="1" data-impdclcc="1" data-rw="{esc(rw)}" '
                     f'href="{esc(sl["url"])}">{esc(sl["title"])}</a>')
    if ad["whatsapp"]:
        links.append(f'<a class="wa-ext" href="{esc(wa_link(ad["whatsapp_e164"]))}">Chat via WhatsApp</a>')
    if links:
        parts.append('<div class="bOeY0b"><div class="dcuivd MUxGbd lyLwlc aLF0Z OSrXXb">\u200e'
                     + " · \u200e".join(links) + "</div></div>")
    parts.append("</div></div>")
    return "".join(parts)


def _mobile_ad(ad: dict[str, Any], query: str, rank: int, label: bool = True) -> str:
    landing = ad["landing_url"]
    aclk = click_url(landing, query=query, rank=rank)
    dom = site_name(landing)
    parts = [
        f'<div data-text-ad="1" data-hveid="CA{rank}QAA"><div class="Ww4FFb vt6azd EtOod pkphOe">',
        '<div class="v5yQqb jqWpsc"><a class="cz3goc v5yQqb BmP5tf" data-ae="1" data-al="1"'
        ' data-impdclcc="1" '
        f'data-pcu="{esc(origin(landing))}" data-rw="{esc(aclk)}" href="{esc(aclk)}" role="presentation">'
        '<div class="y0NFKc"><div class="eMXfhf">'
        + ('<span class="fwv2Kb U3A9Ac qV8iec">Gesponsord</span>' if label else "") + "</div>"
        f'<div class="QkcpZ RNQ5ae"><div class="d8lRkd OSrXXb MUxGbd lyLwlc aLF0Z"><span class="yIn8Od">'
        '<span class="wbJOMb"><span class="pKWwCd q8U8x zydFU"><div class="Aozhyc MUxGbd lyLwlc aLF0Z'
        ' OSrXXb">'
        f'<span class="BTu2cd">{esc(_advertiser(ad))}</span></div></span><span class="OSrXXb VN4UC">'
        f'<span class="yKd8Hd ob9lvb" data-dtld="{esc(dom)}" role="text">{esc(ad["display_url"])}</span>'
        f"</span></span></span></div></div>"
        f'<div aria-level="3" class="oewGkc LeUQr CCgQ5 MUxGbd v0nnCb lEBKkf" role="heading">'
        f'<div class="A9xod ynAwRc q8U8x MBeuO oewGkc LeUQr" role="link"><span>{esc(ad["title"])}</span>'
        f"</div></div></div></a></div>",
        f'<div class="w1C3Le"><div class="MUxGbd yDYNvb lEBKkf"><div>{esc(ad["description"])}</div></div>'
        '</div>',
    ]
    buttons = []
    if ad["call"]:
        # The call button: a tel: link; the number itself is not written on the card.
        buttons.append(f'<a class="uHkbe nCFUpc" href="tel:{esc(ad["call_e164"])}" role="button" '
                       f'aria-label="Bellen"><span>Bellen</span></a>')
    if ad["whatsapp"]:
        buttons.append(f'<a class="uHkbe wa-ext" href="{esc(wa_link(ad["whatsapp_e164"]))}" role="button" '
                       f'aria-label="WhatsApp"><span>WhatsApp</span></a>')
    if buttons:
        parts.append('<div class="fCBnFe ZrF6bf">' + "".join(buttons) + "</div>")
    if ad["sitelinks"]:
        parts.append('<hr class="BUybKe hcuDkb"><div class="nS9mjd E8hWLe lndKif SVMeif BmP5tf">')
        for k, sl in enumerate(ad["sitelinks"], start=1):
            rw = click_url(sl["url"], query=query, rank=rank, sub=k)
            parts.append(f'<div class="DkX4ue MUxGbd v0nnCb lyLwlc"><a class="ynAwRc nEWj3b" data-ae="1" '
                         f'data-al="1" data-rw="{esc(rw)}" href="{esc(sl["url"])}"><div class="lKeYrd'
                         ' O45XLd">'
                         f'{esc(sl["title"])}</div></a></div>')
        parts.append("</div>")
    parts.append("</div></div>")
    return "".join(parts)


def _organic(res: dict[str, Any]) -> str:
    url = res["url"]
    if res.get("display_url"):
        base, crumbs = res["display_url"], ""
    else:
        base, crumbs = breadcrumb(url)
    return (
        f'<div class="MjjYud"><div class="g Ww4FFb vt6azd tF2Cxc asEBEc" lang="nl">'
        f'<div class="kvH3mc BToiNc UK95Uc"><div class="Z26q7c UK95Uc jGGQ5e"><div class="yuRUbf">'
        f'<a href="{esc(url)}"><br><h3 class="LC20lb MBeuO DKV0Md">{esc(res["title"])}</h3>'
        f'<div class="TbwUpd NJjxre iUh30 ojE3Fb"><div><span class="VuuXrf">{esc(site_name(url))}</span>'
        f'<div class="byrV5b"><cite class="qLRx3b tjvcx GvPZzd cHaqb" role="text">{esc(base)}'
        f'<span class="dyjrff qzEoUe" role="text">{esc(crumbs)}</span></cite></div></div></div></a></div>'
        '</div>'
        f'<div class="Z26q7c UK95Uc"><div class="VwiC3b yXK7lf MUxGbd yDYNvb lyLwlc lEBKkf">'
        f'<span>{esc(res["snippet"])}</span></div></div></div></div></div>'
    )


def _ad_block(ads: list[dict[str, Any]], query: str, mobile: bool, start: int, markup: str = "current") -> str:
    if markup == "2019":
        return serp_google_2019.ad_block(ads, query, mobile, start)
    render = _mobile_ad if mobile else _desktop_ad
    if markup == "grouped":  # since October 2025: one label on the group, none on its ads
        return serp_google_grouped.groups(
            [f'<div class="uEierd">{render(ad, query, start + i, False)}</div>' for i, ad in enumerate(ads)])
    return "".join(f'<div class="uEierd">{render(ad, query, start + i)}</div>' for i, ad in enumerate(ads))


def render_serp(page: dict[str, Any]) -> str:
    """``page``: query, device, ads, organic (see sandbox.web)."""
    query, mobile = page["query"], page["device"] == "mobile"
    top, bottom = ads_at(page["ads"], "top"), ads_at(page["ads"], "bottom")
    out = [_head(f"{query} - Google Zoeken", mobile), '<body id="gsr" class="srp">',
           _searchform(query, mobile),
           '<div id="main" class="main"><div id="cnt" class="e9EfHf"><div id="top_nav" class="gke0pe"></div>',
           f'<div id="appbar" class="appbar"><div id="result-stats">Ongeveer {len(page["organic"]) * 1370} '
           f"resultaten (0,31 seconden)</div></div>",
           '<div id="rcnt" class="GyAeWb"><div id="center_col" class="s6JM6d">']
    if page.get("ai_answer"):  # above the ads
        out.append(serp_answers.google_overview(page["ai_answer"], query))
    out.append('<div id="taw"><div id="tvcap">')
    if top:
        out.append('<div id="tads" class="qGXjvb" aria-label="Advertenties" role="region">'
                   '<h1 class="Uo8X3b OhScic zsYMMe">Advertenties</h1>'
                   + _ad_block(top, query, mobile, 1, page.get("markup", "current")) + "</div>")
    out.append('</div></div><div id="res" class="eqAnXb" role="main">')
    if not page["organic"] and not page["ads"]:
        out.append('<div id="topstuff"><div class="mnr-c"><div class="card-section"><p aria-level="3" '
                   f'role="heading">Je zoekopdracht - <span><em>{esc(query)}</em></span> - heeft geen '
                   "overeenkomende documenten opgeleverd.</p><p>Suggesties:</p><ul><li>Controleer of alle "
                   "woorden goed zijn gespeld.</li><li>Probeer andere zoekwoorden.</li></ul></div></div>"
                   "</div>")
    out.append('<div id="search"><div><div id="rso" class="v7W49e">')
    out.extend(_organic(r) for r in page["organic"])
    grouped = page.get("markup") == "grouped"
    if bottom and grouped:  # the bottom group sits in the organic results container, after the results
        out.append('<div class="MjjYud">' + _ad_block(bottom, query, mobile, len(top) + 1, "grouped") + "</div>")
    out.append('</div></div></div></div><div id="botstuff">')
    if bottom and not grouped:
        out.append('<div id="bottomads"><div class="qGXjvb" aria-label="Advertenties" role="region">'
                   '<h1 class="Uo8X3b OhScic zsYMMe">Advertenties</h1>'
                   + _ad_block(bottom, query, mobile, len(top) + 1, page.get("markup", "current")) + "</div></div>")
    else:
        out.append('<div id="bottomads"></div>')
    out.append("</div></div></div></div></div></body></html>")
    return "".join(out)


def is_google_host(host: str) -> bool:
    return host in ("google.nl", "google.com") or (host.startswith("www.google.") and host.count(".") == 2)


def home(mobile: bool = False) -> str:
    return _head("Google", mobile) + '<body id="gsr">' + _searchform("", mobile) + "</body></html>"


__all__ = ["click_url", "render_serp", "render_captcha", "render_consent", "render_blocked", "is_google_host",
           "home", "render_javascript_wall", "render_soft_block"]
