"""Helpers shared by the HTML parsers: visible text and the numbers in a block."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag
from bs4.element import Comment, NavigableString

from crawler.models import Phone
from crawler.phones import extract_phones, phone_from_href

_INVISIBLE_TAGS = {"script", "style", "noscript", "template", "head", "title", "meta", "svg"}
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_SPACE = re.compile(r"\s+")


def soup_of(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "lxml")


def is_hidden(tag: Tag) -> bool:
    """True for elements a reader does not see (hidden attribute, inline display:none)."""
    for el in [tag, *tag.parents]:
        if not isinstance(el, Tag):
            continue
        if el.name in _INVISIBLE_TAGS:
            return True
        if el.has_attr("hidden") or el.get("aria-hidden") == "true" and el.name != "svg":
            return True
        style = el.get("style")
        if isinstance(style, str) and _HIDDEN_STYLE.search(style):
            return True
    return False


def visible_text(tag: Tag | None, sep: str = " ") -> str:
    """The text a reader sees in ``tag``: no scripts, styles or hidden elements."""
    if tag is None:
        return ""
    parts: list[str] = []
    for node in tag.descendants:
        if not isinstance(node, NavigableString) or isinstance(node, Comment):
            continue
        parent = node.parent
        if parent is None or _in_invisible(parent, tag):
            continue
        s = str(node)
        if s.strip():
            parts.append(s.strip())
    return _SPACE.sub(" ", sep.join(parts)).strip()


def _in_invisible(el: Tag, stop: Tag) -> bool:
    cur: Tag | None = el
    while cur is not None:
        if cur.name in _INVISIBLE_TAGS or cur.has_attr("hidden"):
            return True
        style = cur.get("style")
        if isinstance(style, str) and _HIDDEN_STYLE.search(style):
            return True
        if cur is stop:
            return False
        cur = cur.parent
    return False


def phones_in(tag: Tag, region: str = "NL", *, call_button_selector: str | None = None) -> tuple[Phone, ...]:
    """Every number shown in a block: visible text, tel: links and WhatsApp links.

    A number seen both as text and as a link is reported once per channel, so the
    analyst sees that it was both written and dialable.
    """
    found: list[Phone] = []
    seen: set[tuple[str, str]] = set()

    def add(p: Phone | None) -> None:
        if p is not None and (p.e164, p.channel) not in seen:
            seen.add((p.e164, p.channel))
            found.append(p)

    buttons = set(map(id, tag.select(call_button_selector))) if call_button_selector else set()
    for a in tag.find_all("a", href=True):
        if _in_invisible(a, tag):
            continue
        href = str(a["href"])
        channel = "call_button" if id(a) in buttons else None
        add(phone_from_href(href, region, channel=channel))
    for p in extract_phones(visible_text(tag), region):
        add(p)
    return tuple(found)
