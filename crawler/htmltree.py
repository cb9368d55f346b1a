"""lxml helpers for reading result pages: parse once, visible text, hidden elements, numbers in a block.

The same rules as :mod:`crawler.dom` (which works on BeautifulSoup trees): scripts, styles, templates and
elements hidden by the ``hidden`` attribute or an inline ``display:none`` / ``visibility:hidden`` are never
text; ``aria-hidden`` is (decorative spans that hold fake numbers are still shown); block elements start a
new line, so that numbers in adjacent blocks never run together.  Nothing here copies a tree.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, TypeAlias

import lxml.html
from lxml import etree

from crawler.models import Phone
from crawler.phones import extract_phones, phone_from_href

INVISIBLE_TAGS = frozenset({
    "script", "style", "noscript", "template", "head", "title", "meta", "link", "svg", "iframe", "object",
    "datalist",
})  # fmt: skip
BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "br", "button", "caption", "dd", "details", "dialog", "div",
    "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hgroup", "hr", "li", "main", "nav", "ol", "option", "p", "pre", "section", "summary", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})  # fmt: skip
_HIDDEN_STYLE = re.compile(
    r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse))\s*(?:!important\s*)?(?:;|$)", re.I
)
_SPACE = re.compile(r"[^\S\n]+")
_BREAK = object()
_PARSER = lxml.html.HTMLParser(encoding="utf-8")  # comments kept: "a<!---->b" reads "a b" as before

Element: TypeAlias = Any  # an lxml element (lxml ships no type information here)


def parse_html(html: str) -> Element:
    """The document's root element; never raises on odd markup (an empty page gives an empty <html>)."""
    data = html.encode("utf-8", errors="replace")
    try:
        root = lxml.html.document_fromstring(data, parser=_PARSER)
    except (etree.ParserError, ValueError):
        root = lxml.html.document_fromstring(b"<html></html>", parser=_PARSER)
    return root


def hides(el: Element) -> bool:
    """True when this element itself hides its content (not ``aria-hidden``)."""
    tag = el.tag
    if not isinstance(tag, str) or tag in INVISIBLE_TAGS or el.get("hidden") is not None:
        return True
    style = el.get("style")
    return bool(style) and bool(_HIDDEN_STYLE.search(style))


def is_hidden(el: Element, stop: Element | None = None) -> bool:
    """True when ``el`` or an ancestor (up to and including ``stop``) hides it."""
    cur: Element | None = el
    while cur is not None:
        if hides(cur):
            return True
        if cur is stop:
            return False
        cur = cur.getparent()
    return False


def visible_text(el: Element | None, sep: str = " ", *, block_sep: str = "\n") -> str:
    """The text a reader sees in ``el``: pieces joined with ``sep``, blocks with ``block_sep``."""
    if el is None or hides(el):
        return ""
    lines: list[list[str]] = [[]]
    stack: list[object] = [el]
    while stack:
        node = stack.pop()
        if node is _BREAK:
            if lines[-1]:
                lines.append([])
            continue
        if isinstance(node, str):
            s = node.strip()
            if s:
                lines[-1].append(s)
            continue
        assert isinstance(node, etree._Element)
        if node is not el and hides(node):
            continue
        block = node.tag in BLOCK_TAGS
        if block and lines[-1]:
            lines.append([])
        if block:
            stack.append(_BREAK)
        for child in reversed(node):
            if child.tail:
                stack.append(child.tail)
            stack.append(child)
        if node.text and isinstance(node.tag, str):
            s = node.text.strip()
            if s:
                lines[-1].append(s)
    out = (_SPACE.sub(" ", sep.join(parts)).strip() for parts in lines)
    return block_sep.join(line for line in out if line)


def links(el: Element) -> Iterator[Element]:
    """``<a href>`` elements in ``el`` (``el`` itself first when it is one)."""
    if el.tag == "a" and el.get("href") is not None:
        yield el
    yield from el.iterdescendants("a")


def phones_in(el: Element, region: str = "NL", *, call_buttons: frozenset[int] = frozenset()) -> tuple[Phone, ...]:
    """Every number shown in a block: tel: and WhatsApp links, then the visible text.

    ``call_buttons`` holds ``id()`` of elements styled as call buttons: a link in one is channel
    ``call_button``.  A number seen as text and as a link is reported once per channel.
    """
    found: list[Phone] = []
    seen: set[tuple[str, str]] = set()

    def add(p: Phone | None) -> None:
        if p is not None and (p.e164, p.channel) not in seen:
            seen.add((p.e164, p.channel))
            found.append(p)

    for a in links(el):
        href = a.get("href")
        if href is None or is_hidden(a, stop=el):
            continue
        in_button = bool(call_buttons) and any(id(x) in call_buttons for x in (a, *a.iterancestors()))
        add(phone_from_href(href, region, channel="call_button" if in_button else None))
    for p in extract_phones(visible_text(el), region):
        add(p)
    return tuple(found)
