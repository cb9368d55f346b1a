"""Numbers a brand publishes on its own contact page (or any landing page).

``harvest`` lists every number with how it was found (a tel: link, a WhatsApp
link, visible text, schema.org JSON-LD or microdata); ``parse`` reduces that to
the unique numbers of a :class:`~crawler.models.ContactPage`.

Only what a visitor can see or dial is read, plus the schema.org ``telephone``
the site declares about itself.  Numbers that are only inside other scripts or
in hidden elements are not shown, so they are not read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from bs4 import BeautifulSoup, Tag

from crawler.dom import is_hidden, soup_of, visible_text
from crawler.models import ContactPage, Phone
from crawler.phones import find_phones, parse_phone, phone_from_href

FOUND_BY = ("tel_link", "whatsapp_link", "text", "json_ld", "microdata")


@dataclass(frozen=True)
class FoundNumber:
    """A number on a page and how it was found there (one of FOUND_BY)."""

    phone: Phone
    found_by: str

    def to_dict(self) -> dict[str, Any]:
        return {"phone": self.phone.to_dict(), "found_by": self.found_by}


_TAG = re.compile(r"<(?:[a-zA-Z][\w:-]*|/[a-zA-Z][\w:-]*|!--|!doctype)[^<>]*>", re.I)


def looks_like_html(content: str) -> bool:
    """HTML when the content has at least one tag; otherwise plain text."""
    return bool(_TAG.search(content))


def parse(content: str, url: str | None = None, region: str = "NL") -> ContactPage:
    """The unique numbers on a page, by (e164, channel), in the order found."""
    phones: list[Phone] = []
    seen: set[tuple[str, str]] = set()
    for f in harvest(content, url, region):
        key = (f.phone.e164, f.phone.channel)
        if key not in seen:
            seen.add(key)
            phones.append(f.phone)
    return ContactPage(url=url, phones=tuple(phones))


def harvest(content: str, url: str | None = None, region: str = "NL") -> list[FoundNumber]:
    """Every number on a page with how it was found: links first, then visible text,
    then JSON-LD, then microdata.  A number found the same way twice is listed once.

    ``content`` is HTML or plain text (plain text when it has no tags).  ``url`` is
    kept for the caller; numbers are interpreted in ``region``.
    """
    found: list[FoundNumber] = []
    seen: set[tuple[str, str, str]] = set()

    def add(phone: Phone | None, found_by: str) -> None:
        if phone is None:
            return
        key = (phone.e164, phone.channel, found_by)
        if key not in seen:
            seen.add(key)
            found.append(FoundNumber(phone, found_by))

    if not content or not content.strip():
        return []
    if not looks_like_html(content):
        for phone, how in _from_text(content, region):
            add(phone, how)
        return found

    soup = soup_of(content)
    for a in soup.find_all(["a", "area"], href=True):
        if isinstance(a, Tag) and not is_hidden(a):
            p = phone_from_href(str(a["href"]), region)
            if p is not None:
                add(p, "whatsapp_link" if p.channel == "whatsapp" else "tel_link")
    for phone, how in _from_text(visible_text(soup.body or soup), region):
        add(phone, how)
    for p in _from_json_ld(soup, region):
        add(p, "json_ld")
    for p in _from_microdata(soup, region):
        add(p, "microdata")
    return found


# --------------------------------------------------------------------------
# Text (visible text of an HTML page, or a plain-text page)
# --------------------------------------------------------------------------

# Links written out as text: "wa.me/31626652583", "tel:+31201234567".
_LINK_IN_TEXT = re.compile(
    r"(?:https?://)?(?:wa\.me/\+?\d[\d%]*|(?:api|web)\.whatsapp\.com/send/?\?[^\s<>\"']+)"
    r"|\btel:\+?[\d()\s.-]*\d",
    re.I,
)
# "WhatsApp: 06 ...", "WhatsApp ons op 06 ...", "WhatsApp (alleen berichten) 06 ..."
_WHATSAPP_BEFORE = re.compile(
    r"whats\s?app\b[^\S\n]*(?:\([^()\n]{0,40}\)[^\S\n]*)?"
    r"(?:(?:ons|us|me|nummer|number|nr\.?|op|on|via|naar|to)\b[^\S\n]*)*[:\-\u2013\u2014]?[^\S\n]*$",
    re.I,
)
# "06 26 65 25 83 (WhatsApp)", "06 26 65 25 83 via WhatsApp"
_WHATSAPP_AFTER = re.compile(r"^[^\S\n]*[(\[]?[^\S\n]*(?:via|op|on|\u2013|-)?[^\S\n]*whats\s?app\b", re.I)


def _from_text(text: str, region: str) -> Iterator[tuple[Phone, str]]:
    # Links written as text are read as links, then blanked out so that their
    # digits are not read a second time as a plain number.
    chars = list(text)
    for m in _LINK_IN_TEXT.finditer(text):
        target = m.group(0)
        href = target if target.lower().startswith(("tel:", "http")) else "https://" + target
        p = phone_from_href(href, region)
        if p is not None:
            yield p, "whatsapp_link" if p.channel == "whatsapp" else "tel_link"
        chars[m.start() : m.end()] = " " * (m.end() - m.start())
    masked = "".join(chars)
    for pm in find_phones(masked, region):
        before = masked[max(0, pm.start - 60) : pm.start]
        after = masked[pm.end : pm.end + 30]
        if _WHATSAPP_BEFORE.search(before) or _WHATSAPP_AFTER.search(after):
            yield Phone(pm.phone.raw, pm.phone.e164, pm.phone.number_type, "whatsapp"), "text"
        else:
            yield pm.phone, "text"


def _phones_in_value(value: str, region: str, channel: str = "text") -> list[Phone]:
    """Numbers in a structured-data value: usually exactly one number, sometimes
    with words around it ("+31 20 123 4567 (ma-vr)")."""
    phones = [pm.phone for pm in find_phones(value, region, channel)]
    if phones:
        return phones
    # A bare number the text matcher refuses (e.g. glued to letters): parse it alone.
    if re.fullmatch(r"[\d\s+().\-/A-Z]+", value.strip()):
        p = parse_phone(value.strip(), region, channel)
        return [p] if p is not None else []
    return []


# --------------------------------------------------------------------------
# schema.org: JSON-LD and microdata
# --------------------------------------------------------------------------

_LD_JSON = re.compile(r"^\s*application/ld\+json\s*(?:;.*)?$", re.I)


def _from_json_ld(soup: BeautifulSoup, region: str) -> Iterator[Phone]:
    for script in soup.find_all("script"):
        if not isinstance(script, Tag) or not _LD_JSON.match(str(script.get("type") or "")):
            continue
        data = _load_json(script.string or script.get_text())
        if data is None:
            continue
        for value, node in _telephones(data):
            # A ContactPoint whose contactType names WhatsApp is a WhatsApp number.
            kind = str(node.get("contactType") or "") + " " + str(node.get("name") or "")
            channel = "whatsapp" if re.search(r"whats\s?app", kind, re.I) else "text"
            yield from _phones_in_value(value, region, channel)


def _load_json(text: str) -> Any:
    # Sites wrap JSON-LD in HTML comments or CDATA markers; strip those first.
    text = re.sub(r"^\s*(?:<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)", "", text or "")
    text = re.sub(r"(?:-->|//\s*\]\]>|\]\]>)\s*$", "", text)
    try:
        return json.loads(text, strict=False)
    except ValueError:
        return None


def _telephones(data: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every ``telephone`` value in a JSON-LD document, with the object holding it.

    Walks the whole tree, so it finds Organization.telephone, a ContactPoint nested
    in ``contactPoint`` (object or array), LocalBusiness in an ``@graph``, etc.
    """
    stack: list[Any] = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(reversed(node))
        elif isinstance(node, dict):
            tel = node.get("telephone")
            for v in tel if isinstance(tel, list) else [tel]:
                if isinstance(v, str) and v.strip():
                    yield v, node
            stack.extend(reversed([v for k, v in node.items() if k != "telephone"]))


_ITEMPROP_TELEPHONE = re.compile(r"(?:^|\s)telephone(?:\s|$)")


def _from_microdata(soup: BeautifulSoup, region: str) -> Iterator[Phone]:
    for el in soup.find_all(itemprop=_ITEMPROP_TELEPHONE):
        if not isinstance(el, Tag):
            continue
        if el.name in ("meta", "link"):
            # <meta itemprop="telephone" content="..."> is invisible by nature; it
            # counts unless an ancestor hides it.
            parent = el.parent
            if isinstance(parent, Tag) and parent.name != "head" and is_hidden(parent):
                continue
            value = str(el.get("content") or el.get("href") or "")
        else:
            if is_hidden(el):
                continue
            href = str(el.get("href") or "")
            if href.lower().startswith("tel:"):
                p = phone_from_href(href, region, channel="text")
                if p is not None:
                    yield p
                    continue
            value = str(el.get("content") or "") or visible_text(el, block_sep=" ")
        if value.lower().startswith("tel:"):
            value = value[4:]
        yield from _phones_in_value(value, region)


__all__ = ["FOUND_BY", "FoundNumber", "harvest", "looks_like_html", "parse"]
