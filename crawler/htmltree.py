"""lxml helpers for reading result pages: CSS selectors, links, the numbers in a block.

What counts as visible text, and the parse itself, are :mod:`crawler.visible_text` (the one set of rules for
result, contact and landing pages); its names are importable from here too.  Nothing here copies a tree.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import cssselect
from cssselect import GenericTranslator
from lxml import etree

from crawler.clicks import is_ad_click_url
from crawler.models import Phone
from crawler.nanp import can_be_nanp
from crawler.phones import extract_phones, might_dial, phone_from_href
from crawler.visible_text import (
    BLOCK_TAGS,
    INVISIBLE_TAGS,
    Element,
    hides,
    is_hidden,
    page_text,
    parse_html,
    text_content,
    visible_text,
)

if TYPE_CHECKING:  # crawler.pageindex builds on this module
    from crawler.pageindex import PageIndex


def links(el: Element) -> Iterator[Element]:
    """``<a href>`` elements in ``el`` (``el`` itself first when it is one)."""
    if el.tag == "a" and el.get("href") is not None:
        yield el
    yield from el.iterdescendants("a")


def phones_in(el: Element, region: str = "NL", *, call_buttons: str | None = None,
              skip: Collection[Element] = (), text: str | None = None) -> tuple[Phone, ...]:
    """Every number shown in a block: tel: and WhatsApp links, then the visible text.

    A link that matches the CSS selector ``call_buttons`` (or sits inside such an element, within the
    block) is channel ``call_button``.  A number seen as text and as a link is reported once per channel.
    """
    found: list[Phone] = []
    seen: set[tuple[str, str]] = set()

    def add(p: Phone | None) -> None:
        if p is not None and (p.e164, p.channel) not in seen:
            seen.add((p.e164, p.channel))
            found.append(p)

    buttons: set[Element] | None = None  # found when the first tel: link asks (most blocks have none)
    for a in links(el):
        href = a.get("href")
        if href is None or not might_dial(href) or is_hidden(a, stop=el) or _skipped(a, el, skip):
            continue
        channel = None  # the channel only names tel: and callto: links (WhatsApp links are "whatsapp")
        if call_buttons and href.strip().lower().startswith(("tel:", "callto:")):
            if buttons is None:
                buttons = set(select(el, call_buttons, skip=skip))
            if buttons and any(x in buttons for x in _up_to(a, el)):
                channel = "call_button"
        add(phone_from_href(href, region, channel=channel))
    for p in extract_phones(visible_text(el, skip=skip) if text is None else text, region):
        add(p)
    return tuple(found)


def _up_to(el: Element, stop: Element) -> Iterator[Element]:
    cur: Element | None = el
    while cur is not None:
        yield cur
        if cur is stop:
            return
        cur = cur.getparent()


def _skipped(el: Element, stop: Element, skip: Collection[Element]) -> bool:
    return bool(skip) and any(x in skip for x in _up_to(el, stop))


_TEXT_NODES = etree.XPath(".//text()")

# --- CSS selectors, compiled once to XPath ---------------------------------------------------------------

TRANSLATOR = GenericTranslator()  # case-sensitive :contains(), as soupsieve's :-soup-contains()


@lru_cache(maxsize=512)
def _xpath(selector: str, prefix: str) -> etree.XPath:
    return etree.XPath(_one_walk(selector, prefix) or TRANSLATOR.css_to_xpath(selector, prefix=prefix))


def _one_walk(selector: str, prefix: str) -> str | None:
    """A group of simple selectors ("cite, [data-dtld], .b_adurl") as one XPath step with the parts'
    tests or-ed, ``prefix*[(self::cite) or (@data-dtld) or (...)]``: one walk over the subtree instead
    of cssselect's union of one walk per part (the same elements, in document order).  None for a
    group with a combinator, a pseudo-element or a positional test (those keep cssselect's union)."""
    parts = cssselect.parse(selector)
    if len(parts) < 2:
        return None
    tests = []
    for part in parts:
        if part.pseudo_element:
            return None
        expr = TRANSLATOR.xpath(part.parsed_tree)
        if expr.path or "position()" in expr.condition or "last()" in expr.condition:
            return None
        test = " and ".join(t for t in (f"self::{expr.element}" if expr.element != "*" else "", expr.condition) if t)
        tests.append(f"({test or 'true()'})")
    return f"{prefix}*[{' or '.join(tests)}]"


def select(el: Element, selector: str, *, skip: Collection[Element] = (), with_self: bool = False) -> list[Element]:
    """Descendants of ``el`` matching the CSS ``selector``, in document order (``el`` itself only with
    ``with_self``); none inside a ``skip`` element."""
    out = [x for x in _xpath(selector, "descendant-or-self::")(el) if with_self or x is not el]
    return [x for x in out if not _skipped(x, el, skip)] if skip else out


def select_one(el: Element, selector: str) -> Element | None:
    return next(iter(select(el, selector)), None)


def matches(el: Element, selector: str) -> bool:
    return bool(_xpath(selector, "self::")(el))


def inline_text(el: Element | None, skip: Collection[Element] = ()) -> str:
    """Visible text of an inline element (title, display URL) joined as written, so that
    ``IT-<b>Services</b>`` reads "IT-Services"; whitespace folded."""
    if el is None:
        return ""
    parts: list[str] = []
    for t in _TEXT_NODES(el):
        parent = t.getparent()
        if not t.is_text and parent is not None:  # a tail: it belongs to the element's parent
            if parent is el:
                continue  # (never: el's own tail is not in .//text())
            parent = parent.getparent()
        if parent is None:
            continue
        if parent is not el and (is_hidden(parent, stop=el) or _skipped(parent, el, skip)):
            continue
        if isinstance(parent.tag, str) and parent.tag in ("script", "style", "template", "noscript"):
            continue
        parts.append(str(t))
    return " ".join("".join(parts).split()).strip("\u200e\u200f ")


# --- the number sweep --------------------------------------------------------------------------------------

# North-American numbers as printed in US ads and snippets ("(860) 391-8302", "1-800-555-0199"), read as US
# numbers even on a Dutch page, where the region-bound matcher cannot see them (Bing location extensions).
NANP = re.compile(r"(?<![\d+])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?!\d)")
# Generic parts of a result block, for saying where a number stood.
_HEADINGS = "[role=heading], h1, h2, h3, h4"
_CLICK_LINKS = etree.XPath(".//a[@data-rw or contains(@href, 'aclk')] | self::a[@data-rw or contains(@href, 'aclk')]")
_CLICK_LINKS_ON_PAGE = etree.XPath("descendant-or-self::a[@data-rw or contains(@href, 'aclk')]")  # from the root
_DISPLAY = "cite, [data-dtld], .b_attribution, .b_adurl, .result__url, .ads-visurl"
_NON_DIGITS = re.compile(r"\D")


def sweep(block: Element, region: str = "NL", *, call_buttons: str | None = None,
          skip: Collection[Element] = (), text: str | None = None, page: PageIndex | None = None
          ) -> tuple[Phone, ...]:
    """Every number in a result block, each marked with where it was found (``Phone.found_in``).

    The block's links and its whole visible text (:func:`phones_in`), so that extension formats no parser
    models (call, location and price extensions) are still caught; US-formatted numbers on a page of
    another region; and the ``tel:`` target of an ad click URL (older Google call extensions track the
    call through ``aclk?...&adurl=tel:...``).  ``page``: the block's page index, which answers the block's
    selectors without walking it once per selector.
    """
    text = visible_text(block, skip=skip) if text is None else text
    found = list(phones_in(block, region, call_buttons=call_buttons, skip=skip, text=text))
    seen = {(p.e164, p.channel) for p in found}
    if region.upper() != "US":
        for m in NANP.finditer(text):
            if not can_be_nanp(m.group()):  # "020 123 4567": a Dutch number, never a valid +1 one
                continue
            for p in extract_phones(m.group(), "US"):
                if (p.e164, "text") not in seen:
                    seen.add((p.e164, "text"))
                    found.append(p)
    click_links = page.found_in(block, _CLICK_LINKS_ON_PAGE) if page is not None else None
    for a in _CLICK_LINKS(block) if click_links is None else click_links:
        for attr in ("href", "data-rw"):
            target = _click_target(a.get(attr) or "")
            dialled = phone_from_href(target, region, channel="call_button") if target else None
            if dialled is not None and not any(q.e164 == dialled.e164 and q.channel != "text" for q in found):
                found.append(replace(dialled, found_in="click_url"))
    return tuple(p if p.found_in else replace(p, found_in=_where(block, p, skip, page)) for p in found)


def _click_target(url: str) -> str | None:
    if not url or not is_ad_click_url(url if "://" in url else "https://www.google.com" + url):
        return None
    target = (parse_qs(urlsplit(url).query).get("adurl") or [""])[0]
    return target if target.lower().startswith("tel:") else None


def _select_in(block: Element, selector: str, skip: Collection[Element], page: PageIndex | None) -> list[Element]:
    """:func:`select` of ``block``, from the page's index where there is one."""
    if page is None:
        return select(block, selector, skip=skip)
    out = page.select_in(block, selector)
    return [x for x in out if not _skipped(x, block, skip)] if skip else out


def _where(block: Element, phone: Phone, skip: Collection[Element], page: PageIndex | None = None) -> str:
    if phone.channel != "text":
        return "href"
    digits = _NON_DIGITS.sub("", phone.raw)

    def holds(el: Element) -> bool:
        # The visible text's digits are some of all the text's (text_content, in C): an element with fewer
        # digits than the number cannot show it, and most titles, display URLs and links have none.
        if len(_NON_DIGITS.sub("", text_content(el))) < len(digits):
            return False
        return digits in _NON_DIGITS.sub("", visible_text(el, skip=skip))

    headings = _select_in(block, _HEADINGS, skip, page)
    if any(holds(h) for h in headings):
        return "title"
    if any(holds(d) for d in _select_in(block, _DISPLAY, skip, page)):
        return "display_url"
    heading_links = {a for h in headings for a in h.iterancestors("a")}
    if any(holds(a) for a in links(block) if a not in heading_links and a is not block):
        return "link"
    return "text"


__all__ = [
    "BLOCK_TAGS", "INVISIBLE_TAGS", "NANP", "TRANSLATOR", "Element", "hides", "inline_text", "is_hidden", "links",
    "matches", "page_text", "parse_html", "phones_in", "select", "select_one", "sweep", "text_content",
    "visible_text",
]
