"""Page-wide CSS selection from one walk over the tree.

An engine parser asks the whole page a dozen questions ("#tads, #tvcap", ".pla-unit", ...).  Each one
as XPath is a walk over every element of the page that tests attributes as strings: on a result page
that was half of the parse time.  :class:`PageIndex` walks the tree once, noting every element's
position and the elements by tag, id and class, and answers the selectors made of those (with
attribute tests, ``:not()`` and the descendant and child combinators) from the index.  Any other
selector part is still answered by cssselect's XPath, so the result is always the same list that
``crawler.htmltree.select(root, selector)`` gives: the matching elements below the root, in document
order.  The tests for equality follow cssselect's XPath exactly: ids and attribute values compare as
strings, classes are the attribute's words split on XML white space.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import lru_cache

import cssselect
from cssselect import parser as css
from lxml import etree

from crawler.htmltree import TRANSLATOR, Element

_XML_SPACE = re.compile(r"[ \t\r\n]+")  # XPath's normalize-space() splits on these only
_XML_SPACE_BUT_BLANK = re.compile(r"[\t\r\n]")
_CSS_SPACE = re.compile(r"[ \t\r\n\f]")  # a class name holding one never matches (cssselect)
_NAME = re.compile(r"^[A-Za-z_][\w-]*$")  # names cssselect writes as plain XPath name tests

Matcher = Callable[[Element], bool]


def _words(value: str | None) -> frozenset[str]:
    return frozenset(_XML_SPACE.split(value.strip(" \t\r\n"))) if value else frozenset()


class _Unsupported(Exception):
    """A selector part the index does not answer (pseudo-classes, other combinators): XPath does."""


def _compound(tree: css.Tree) -> tuple[Matcher, tuple[str, str] | None]:
    """A test for one compound selector (no combinator), and the index key that finds its candidates."""
    tests: list[Matcher] = []
    key: tuple[str, str] | None = None
    node: css.Tree = tree
    while True:
        if isinstance(node, css.Element):
            if node.namespace is not None:
                raise _Unsupported(node)
            if node.element and node.element != "*":
                if not _NAME.match(node.element):
                    raise _Unsupported(node)
                tests.append(_tag_is(node.element))
                key = key or ("tag", node.element)
            break
        if isinstance(node, css.Hash):
            tests.append(_attribute_is("id", node.id))
            key = ("id", node.id)
        elif isinstance(node, css.Class):
            name = node.class_name
            if not name or _CSS_SPACE.search(name):
                raise _Unsupported(node)
            tests.append(_has_class(name))
            key = key if key and key[0] == "id" else ("class", name)
        elif isinstance(node, css.Attrib):
            tests.append(_attribute_test(node))
        elif isinstance(node, css.Negation):
            tests.append(_negated(_compound(node.subselector)[0]))
        else:
            raise _Unsupported(node)
        node = node.selector
    return (lambda el: all(t(el) for t in tests)), key


def _tag_is(tag: str) -> Matcher:
    return lambda el: el.tag == tag


def _attribute_is(name: str, value: str) -> Matcher:
    return lambda el: el.get(name) == value


def _has_class(name: str) -> Matcher:
    return lambda el: name in _words(el.get("class"))


def _negated(test: Matcher) -> Matcher:
    return lambda el: not test(el)


def _attribute_test(node: css.Attrib) -> Matcher:
    name = node.attrib
    if node.namespace is not None or node.flag or not _NAME.match(name):
        raise _Unsupported(node)
    value = node.value.value if node.value is not None else None
    if node.operator == "exists":
        return lambda el: el.get(name) is not None
    if node.operator == "=" and value is not None:
        return _attribute_is(name, value)
    if node.operator == "^=" and value:
        return lambda el: (v := el.get(name)) is not None and v.startswith(value)
    raise _Unsupported(node)


def _chain(tree: css.Tree) -> tuple[Matcher, tuple[str, str] | None]:
    """A test for a selector with descendant (" ") and child (">") combinators, and the index key of its
    rightmost compound.  The left side may match the root itself (cssselect's descendant-or-self)."""
    if not isinstance(tree, css.CombinedSelector):
        return _compound(tree)
    right, key = _compound(tree.subselector)
    left, _ = _chain(tree.selector)
    if tree.combinator == " ":
        return (lambda el: right(el) and any(left(a) for a in el.iterancestors())), key
    if tree.combinator == ">":
        def child(el: Element) -> bool:
            parent = el.getparent()
            return right(el) and parent is not None and left(parent)
        return child, key
    raise _Unsupported(tree)


@lru_cache(maxsize=256)
def _plan(selector: str) -> tuple[list[tuple[Matcher, tuple[str, str]]], list[etree.XPath]]:
    """The selector's parts the index answers (test, key of the candidates) and, compiled to XPath as
    cssselect writes them, the parts left to XPath (those with no tag, id or class to look up, too)."""
    indexed: list[tuple[Matcher, tuple[str, str]]] = []
    rest: list[etree.XPath] = []
    for part in cssselect.parse(selector):
        try:
            if part.pseudo_element:
                raise _Unsupported(part)
            test, key = _chain(part.parsed_tree)
            if key is None:
                raise _Unsupported(part)
            indexed.append((test, key))
        except _Unsupported:
            xpath = TRANSLATOR.selector_to_xpath(part, "descendant-or-self::", translate_pseudo_elements=True)
            rest.append(etree.XPath(xpath))
    return indexed, rest


class PageIndex:
    """A parsed page's elements by position, id and class (one walk); see the module docstring."""

    def __init__(self, root: Element) -> None:
        self.root = root
        self._has: dict[str, bool] = {}
        elements = list(root.iter(etree.Element))  # not comments or processing instructions
        self._position: dict[Element, int] = {el: i for i, el in enumerate(elements)}
        self._by: dict[str, dict[str, list[Element]]] = {"id": defaultdict(list), "class": defaultdict(list)}
        by_id, by_class = self._by["id"], self._by["class"]
        for el in elements:
            ident = el.get("id")
            if ident is not None:
                by_id[ident].append(el)
            names = el.get("class")
            if names:
                for name in _XML_SPACE.split(names) if _XML_SPACE_BUT_BLANK.search(names) else names.split(" "):
                    listed = by_class[name]
                    if name and (not listed or listed[-1] is not el):  # class="a a" lists it once
                        listed.append(el)

    def _candidates(self, key: tuple[str, str]) -> Iterable[Element]:
        kind, value = key
        return self.root.iter(value) if kind == "tag" else self._by[kind].get(value, ())

    def position(self, el: Element) -> int:
        """``el``'s place in document order (any element of this page)."""
        return self._position[el]

    def select(self, selector: str) -> list[Element]:
        """Elements below the root matching the CSS ``selector``, in document order: the same as
        ``crawler.htmltree.select(root, selector)``."""
        indexed, rest = _plan(selector)
        found: list[Element] = []
        for test, key in indexed:
            found.extend(el for el in self._candidates(key) if el is not self.root and test(el))
        for xpath in rest:
            found.extend(el for el in xpath(self.root) if el is not self.root)
        if len(indexed) + len(rest) > 1:
            found = sorted(set(found), key=self._position.__getitem__)
        return found

    def select_one(self, selector: str) -> Element | None:
        return next(iter(self.select(selector)), None)

    def has(self, selector: str) -> bool:
        """True when some element below the root matches ``selector`` (remembered: the parsers ask it
        once per result, to skip a search inside every block of a page that holds none)."""
        found = self._has.get(selector)
        if found is None:
            found = self._has[selector] = self.select_one(selector) is not None
        return found
