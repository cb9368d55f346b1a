"""What a person sees on a page: one HTML parse and one visible-text walker for result, contact and landing pages.

The rules, the same for every page the crawler reads:

- **Never text:** ``script``, ``style``, ``noscript``, ``template``, ``head``, ``title``, ``meta``, ``link``,
  ``svg`` (icons; an SVG ``<title>`` is a tooltip), ``iframe``, ``object`` and ``datalist`` content; comments
  and processing instructions.
- **Hidden:** an element with the ``hidden`` attribute or an inline ``display:none`` / ``visibility:hidden``
  (or ``collapse``, with or without ``!important``), and everything inside it.
- **Shown:** ``aria-hidden`` content (it hides from screen readers, not from the screen: decorative spans that
  hold fake numbers are still seen), and whatever only a stylesheet could hide (a parser that knows a hiding
  class passes those elements as ``skip``).
- **Lines:** block elements (div, p, li, td, br, ...) start a new line, so that numbers in adjacent blocks never
  run together; pieces of text inside one line are joined with a space.
- **However deep:** libxml2 stops building a tree 256 elements deep and drops the rest of the document; a browser
  shows it, so such a page is read again without that limit (a hostile page can nest its number 1,000 deep).
- **The whole document:** :func:`page_text` reads ``<html>``, not only ``<body>``: what stands after ``</body>`` is
  shown by a browser (inside the body), so it is read.

Nothing here copies a tree.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any, TypeAlias

from lxml import etree

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
_STRING = etree.XPath("string()", smart_strings=False)

Element: TypeAlias = Any  # an lxml element (lxml ships no type information here)


def _parser() -> etree.HTMLParser:
    # lxml.etree's parser, not lxml.html's: the same tree, without a Python class lookup for every element the
    # parsers touch (that lookup was a tenth of the parse time).  Comments kept: "a<!---->b" reads "a b".  One
    # per parse: its error log says whether libxml2 gave up (below), and no two threads share it.
    return etree.HTMLParser(encoding="utf-8")


def parse_html(html: str) -> Element:
    """The document's root element; never raises on odd markup (an empty page gives an empty <html>)."""
    data = html.encode("utf-8", errors="replace")
    parser = _parser()
    try:
        root = etree.fromstring(data, parser=parser)
    except (etree.ParserError, ValueError):
        root = None
    if root is not None and _gave_up(parser):
        root = _parse_without_limits(data)
    return root if root is not None else etree.fromstring(b"<html></html>", parser=_parser())


def _gave_up(parser: etree.HTMLParser) -> bool:
    """True when libxml2 stopped at one of its limits (nesting 256 deep): it drops the rest of the page then,
    and that error is the last one it logs."""
    last = parser.error_log.last_error
    return last is not None and last.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT


def _parse_without_limits(data: bytes) -> Element | None:
    """The same tree, built from the parser's events in Python, where no depth limit applies (slower: only for
    the rare page that needs it)."""
    builder = etree.TreeBuilder(comment_factory=etree.Comment, pi_factory=etree.ProcessingInstruction)
    parser = etree.HTMLParser(encoding="utf-8", target=builder)
    try:
        parser.feed(data)
        return parser.close()
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None


def text_content(el: Element) -> str:
    """All text in ``el``, hidden or not (lxml.html's ``text_content()``)."""
    return str(_STRING(el))


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


def page_text(root: Element) -> str:
    """The visible text of a whole document (see the module's rules), from the root of :func:`parse_html`."""
    return visible_text(root)


def visible_text(el: Element | None, sep: str = " ", *, block_sep: str = "\n",
                 skip: Collection[Element] = ()) -> str:
    """The text a reader sees in ``el``: pieces joined with ``sep``, blocks with ``block_sep``.

    Elements in ``skip`` are left out with their content (hidden by a stylesheet class, say) but not
    their tail, as if they had been removed from a copy of the tree.
    """
    if el is None or hides(el):
        return ""
    lines: list[list[str]] = []
    line: list[str] = []  # the line being filled (lines holds the ones before it)
    stack: list[Any] = [el]
    pop, push = stack.pop, stack.append
    while stack:
        node = pop()
        if node is _BREAK:
            if line:
                lines.append(line)
                line = []
            continue
        if node.__class__ is str:  # a tail
            s = node.strip()
            if s:
                line.append(s)
            continue
        # hides(), inlined: this loop runs for every element of every block of every page
        tag = node.tag
        if node is not el and (tag.__class__ is not str or tag in INVISIBLE_TAGS or (skip and node in skip)):
            continue
        get = node.get
        if node is not el and (get("hidden") is not None or ((style := get("style")) and _HIDDEN_STYLE.search(style))):
            continue
        if tag in BLOCK_TAGS:
            if line:
                lines.append(line)
                line = []
            push(_BREAK)
        for child in reversed(node):
            tail = child.tail
            if tail:
                push(tail)
            push(child)
        text = node.text
        if text:
            s = text.strip()
            if s:
                line.append(s)
    if line:
        lines.append(line)
    out = (_SPACE.sub(" ", sep.join(parts)).strip() for parts in lines)
    return block_sep.join(line for line in out if line)


__all__ = ["BLOCK_TAGS", "INVISIBLE_TAGS", "Element", "hides", "is_hidden", "page_text", "parse_html",
           "text_content", "visible_text"]
