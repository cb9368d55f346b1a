"""Google's 2019-2020 ad layouts (world markup variant "2019"), in Dutch.

- Mobile and tablet: each ad is a ``div.mnr-c`` card in ``#tads``, labelled "Advertentie" inline before the
  display URL, with no ``data-text-ad`` attribute.  The call extension is a "Bellen" button: a ``tel:`` link
  whose click is tracked through a googleadservices URL in ``data-rw`` (its ``adurl=`` is the tel: URL).
- Desktop: the older ``li.ads-ad`` list in ``#tads``, the call extension written as text after the display
  URL ("Bellen 0900 1234 567"), sitelinks as a list.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from sandbox.markup import esc, token


def _click(landing: str, query: str, rank: int, sub: int = 0) -> str:
    ai = "CnBdG" + token(landing, query, str(rank), str(sub), "2019", length=36)
    return f"/aclk?sa=l&ai={ai}&ae=2&sig=AOD64_{token('s', landing, length=24)}&q=&adurl={quote(landing, safe='')}"


def mobile_card(ad: dict[str, Any], query: str, rank: int) -> str:
    click = _click(ad["landing_url"], query, rank)
    parts = [
        f'<div class="mnr-c"><div class="Qnvrwd" data-hveid="CAE{rank}"><div class="cnVeRc">',
        f'<a class="C8nzq BmP5tf" href="{esc(click)}" data-rw="{esc(click)}">',
        f'<div class="MUxGbd v0nnCb lyLwlc" role="heading" aria-level="3">{esc(ad["title"])}</div>',
        '<div class="zbqXQ"><span class="VqFMTc p8AiDd">Advertentie</span><span class="dyjrff">·</span>'
        f'<span class="qzEoUe">{esc(ad["display_url"])}</span></div></a></div>',
        f'<div class="MUxGbd yDYNvb lyLwlc">{esc(ad["description"])}</div>',
    ]
    if ad["call"]:
        tel = "tel:" + ad["call_e164"]
        rw = "https://www.googleadservices.com/pagead/aclk?sa=L&ctype=79&adurl=" + quote(tel, safe="")
        parts.append(f'<div class="fCBnFe"><a class="s3vgpc" href="{esc(tel)}" data-rw="{esc(rw)}">'
                     '<span class="z1asCe">&#9742;</span><span>Bellen</span></a></div>')
    if ad["whatsapp"]:
        parts.append(f'<div class="fCBnFe"><a href="https://wa.me/{esc(ad["whatsapp_e164"].lstrip("+"))}">'
                     "WhatsApp</a></div>")
    for k, sl in enumerate(ad["sitelinks"], start=1):
        parts.append(f'<div class="MUxGbd v0nnCb"><a href="{esc(_click(sl["url"], query, rank, k))}">'
                     f'{esc(sl["title"])}</a></div>')
    parts.append("</div></div>")
    return "".join(parts)


def desktop_item(ad: dict[str, Any], query: str, rank: int) -> str:
    click = "https://www.googleadservices.com" + _click(ad["landing_url"], query, rank).replace("/aclk", "/pagead/aclk")
    parts = [
        f'<li class="ads-ad" data-hveid="CAE{rank}"><div class="ad_cclk">',
        f'<a class="V0MxL" href="{esc(click)}"><h3 class="sA5rQ">{esc(ad["title"])}</h3></a>',
        '<div class="ads-visurl"><span class="VqFMTc p8AiDd">Advertentie</span>'
        f'<cite class="UdQCqe">{esc(ad["display_url"])}</cite>',
    ]
    if ad["call"]:  # the older call extension: the number as text after the display URL
        parts.append(f'<span class="_r2b">Bellen <span class="_xnd">{esc(ad["call"])}</span></span>')
    parts.append(f'</div></div><div class="ads-creative">{esc(ad["description"])}</div>')
    if ad["whatsapp"]:
        parts.append(f'<div class="ads-creative"><a href="https://wa.me/{esc(ad["whatsapp_e164"].lstrip("+"))}">'
                     "Chat via WhatsApp</a></div>")
    if ad["sitelinks"]:
        parts.append('<ul class="OkkX2d">' + "".join(
            f'<li><a href="{esc(sl["url"])}">{esc(sl["title"])}</a></li>' for sl in ad["sitelinks"]) + "</ul>")
    parts.append("</li>")
    return "".join(parts)


def ad_block(ads: list[dict[str, Any]], query: str, mobile: bool, start: int) -> str:
    if mobile:  # the cards sit in one wrapper, not directly in #tads
        return '<div class="ads-fr">' + "".join(mobile_card(ad, query, start + i) for i, ad in enumerate(ads)) \
            + "</div>"
    return "<ol>" + "".join(desktop_item(ad, query, start + i) for i, ad in enumerate(ads)) + "</ol>"
