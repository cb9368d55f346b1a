"""Helpers shared by the HTML parsers: visible text and the numbers in a block."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag
from bs4.element import NavigableString, PreformattedString

from crawler.models import Phone
from crawler.phones import extract_phones, phone_from_href

# Elements whose content a reader never sees as text.  <svg> holds icons; its
# <title> is a tooltip, not text on the page.
_INVISIBLE_TAGS = {
    "script",
    "style",
    "noscript",
    "template",
    "head",
    "title",
    "meta",
    "link",
    "svg",
    "iframe",
    "object",
    "datalist",
}
# Only what hides the element visually.  aria-hidden="true" hides it from screen
# readers but it is still shown (fake numbers are often in such decorative spans).
_HIDDEN_STYLE = re.compile(
    r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse))\s*(?:!important\s*)?(?:;|$)",
    re.I,
)
# Elements that start a new line when rendered.  Text in two such blocks is
# joined with a line break, so that "<div>020</div><div>1234567</div>" does not
# read as one number.  Table cells count too: adjacent cells are separate values.
_BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "br", "button", "caption", "dd", "details",
    "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
    "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "li", "main", "nav", "ol",
    "option", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "ul",
}  # fmt: skip
_SPACE = re.compile(r"[^\S\n]+")
_BREAK = object()  # marks the end of a block element during the walk


def soup_of(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "lxml")


def hides(el: Tag) -> bool:
    """True when this element itself hides its content: an invisible element
    (script, style, template, ...), the ``hidden`` attribute or an inline
    ``display:none`` / ``visibility:hidden``.  Not ``aria-hidden``."""
    if el.name in _INVISIBLE_TAGS or el.has_attr("hidden"):
        return True
    style = el.get("style")
    return isinstance(style, str) and bool(_HIDDEN_STYLE.search(style))


def is_hidden(tag: Tag, stop: Tag | None = None) -> bool:
    """True when ``tag`` or one of its ancestors (up to and including ``stop``) hides it."""
    cur: Tag | None = tag
    while cur is not None and not isinstance(cur, BeautifulSoup):
        if hides(cur):
            return True
        if cur is stop:
            return False
        cur = cur.parent
    return False


def visible_text(tag: Tag | None, sep: str = " ", *, block_sep: str = "\n") -> str:
    """The text a reader sees in ``tag``: no scripts, styles or hidden elements.

    Text pieces inside one block are joined with ``sep``; block elements (div, p,
    li, td, br, ...) are separated by ``block_sep`` (a line break by default, which
    keeps numbers in adjacent blocks apart).  Runs of spaces are collapsed.
    """
    if tag is None or (not isinstance(tag, BeautifulSoup) and hides(tag)):
        return ""
    lines: list[list[str]] = [[]]
    # Depth-first walk with an explicit stack: deep pages would overflow recursion.
    stack: list[object] = [tag]
    while stack:
        node = stack.pop()
        if node is _BREAK:
            if lines[-1]:
                lines.append([])
            continue
        if isinstance(node, NavigableString):
            if not isinstance(node, PreformattedString):  # comments, CDATA, doctype
                s = str(node).strip()
                if s:
                    lines[-1].append(s)
            continue
        if not isinstance(node, Tag):
            continue
        if node is not tag and hides(node):
            continue
        block = node.name in _BLOCK_TAGS
        if block:
            stack.append(_BREAK)
        stack.extend(reversed(node.contents))
        if block and lines[-1]:
            lines.append([])
    out = (_SPACE.sub(" ", sep.join(parts)).strip() for parts in lines)
    return block_sep.join(line for line in out if line)


def phones_in(tag: Tag, region: str = "NL", *, call_button_selector: str | None = None) -> tuple[Phone, ...]:
    """Every number shown in a block: tel: links, WhatsApp links, then visible text.

    Links are read whatever their visible text ("Bellen", an icon).  A link that
    matches ``call_button_selector`` (or sits inside such an element) is channel
    ``call_button``.  A number seen both as text and as a link is reported once
    per channel, so the analyst sees that it was both written and dialable.
    """
    found: list[Phone] = []
    seen: set[tuple[str, str]] = set()

    def add(p: Phone | None) -> None:
        if p is not None and (p.e164, p.channel) not in seen:
            seen.add((p.e164, p.channel))
            found.append(p)

    buttons = {id(el) for el in tag.select(call_button_selector)} if call_button_selector else set()
    links = tag.find_all("a", href=True)
    if tag.name == "a" and tag.has_attr("href"):
        links.insert(0, tag)
    for a in links:
        if not isinstance(a, Tag) or is_hidden(a, stop=tag):
            continue
        in_button = any(id(el) in buttons for el in [a, *a.parents])
        add(phone_from_href(str(a["href"]), region, channel="call_button" if in_button else None))
    for p in extract_phones(visible_text(tag), region):
        add(p)
    return tuple(found)
