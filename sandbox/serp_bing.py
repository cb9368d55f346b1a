"""Bing result pages (Dutch), modelled on the saved 2019/2021 desktop pages.

``form#sb_form`` with ``input#sb_form_q``; ``ol#b_results`` holds ``li.b_ad`` (top),
``li.b_algo`` organic results (``h2 > a``, ``cite``, ``.b_caption p``) and
``li.b_ad.b_adBottom``; the right rail ``aside > ol#b_context`` holds side ads.  Each ad
is a ``li`` inside the block's ``ul`` with the label "Advertentie" (``span.b_adSlug``);
its links go through ``https://www.bing.com/aclk?ld=...&u=a1<base64url(landing)>``.
"""

from __future__ import annotations

import base64
from typing import Any

from sandbox.markup import ads_at, esc, token, wa_link

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


def render_serp(page: dict[str, Any]) -> str:
    query = page["query"]
    top, bottom, side = (ads_at(page["ads"], p) for p in ("top", "bottom", "side"))
    out = [
        '<!DOCTYPE html><html dir="ltr" lang="nl" xml:lang="nl" xmlns="http://www.w3.org/1999/xhtml">'
        f'<head><meta charset="utf-8"><title>{esc(query)} - Zoeken</title><style>{CSS}</style></head><body>',
        '<header id="b_header"><form action="/search" id="sb_form" class="hassbi"><div'
        ' class="b_searchboxForm">'
        f'<input class="b_searchbox" id="sb_form_q" name="q" type="search" maxlength="1000" '
        f'value="{esc(query)}"><input type="hidden" name="form" value="QBLH"></div></form></header>',
        '<div id="b_content"><main aria-label="Zoekresultaten"><ol id="b_results">',
    ]
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


__all__ = ["click_url", "encode_u", "render_serp", "home"]
