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

import bisect
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import lru_cache

import cssselect
from cssselect import parser as css
from lxml import etree

from crawler.htmltree import TRANSLATOR, Element, _xpath

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


def _attribute_named(tree: css.Tree) -> str | None:
    """The name of the first attribute test of a compound selector, for one with no tag, id or class."""
    node: css.Tree = tree
    while not isinstance(node, css.Element):
        if isinstance(node, css.Attrib):
            return node.attrib
        node = node.selector
    return None


def _only_its_key(tree: css.Tree) -> bool:
    """True for a compound selector that is one tag, one class or one id and nothing else ("h2", ".b_algo"):
    every element the index lists under its key matches it, so no test is needed."""
    if isinstance(tree, css.Element):
        return tree.namespace is None and bool(tree.element) and tree.element != "*"
    if isinstance(tree, (css.Class, css.Hash)):
        below = tree.selector
        return isinstance(below, css.Element) and below.namespace is None and below.element in (None, "*")
    return False


@lru_cache(maxsize=256)
def _block_plan(selector: str) -> list[tuple[Matcher | None, tuple[str, str]]] | None:
    """For :meth:`PageIndex.select_in`: a test (None where the key alone decides) and an index key for each
    part of a selector made of compound selectors only (no combinator: the same test inside a block as on the
    page), else None."""
    plan: list[tuple[Matcher | None, tuple[str, str]]] = []
    for part in cssselect.parse(selector):
        if part.pseudo_element or isinstance(part.parsed_tree, css.CombinedSelector):
            return None
        try:
            test, key = _compound(part.parsed_tree)
        except _Unsupported:
            return None
        if key is None:
            name = _attribute_named(part.parsed_tree)
            if name is None:
                return None
            key = ("attribute", name)
        plan.append((None if _only_its_key(part.parsed_tree) else test, key))
    return plan


# A selector select_in is asked about more blocks than this is matched once over the whole page (a result-dense
# page asks each result's); below it, only the candidates inside each block are tested (a real page's ten).
_ASKED_BEFORE_PAGE_WIDE = 16


class PageIndex:
    """A parsed page's elements by position, id and class (one walk); see the module docstring."""

    def __init__(self, root: Element) -> None:
        self.root = root
        self._has: dict[str, bool] = {}
        self._last: dict[Element, int] = {}
        self._asked: dict[str, int] = {}  # select_in's selectors, how often asked
        self._matching: dict[str, tuple[list[Element], list[int]]] = {}  # and those answered page-wide
        elements = list(root.iter(etree.Element))  # not comments or processing instructions
        self._keyed: dict[tuple[str, str], tuple[list[Element], list[int]]] = {}
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

    def select_in(self, el: Element, selector: str) -> list[Element]:
        """Descendants of ``el`` (an element of this page, not ``el`` itself) matching the CSS ``selector``,
        in document order: the same as ``crawler.htmltree.select(el, selector)``.  A group of compound
        selectors (tags, ids, classes, attribute tests, :not()) is answered from the index: the candidates
        with the key whose positions fall within ``el``'s, so a block is not walked once per selector.
        Anything else is left to cssselect's XPath, from ``el``."""
        plan = _block_plan(selector)
        start = self._position.get(el)
        if plan is None or start is None:
            return [x for x in _xpath(selector, "descendant-or-self::")(el) if x is not el]
        end = self._last_position(el)
        matching = self._matching.get(selector)
        if matching is None:
            asked = self._asked[selector] = self._asked.get(selector, 0) + 1
            if asked > _ASKED_BEFORE_PAGE_WIDE:
                matching = self._matching[selector] = self._page_wide(plan)
        if matching is not None:
            elements, positions = matching
            return elements[bisect.bisect_right(positions, start):bisect.bisect_right(positions, end)]
        return self._matching_within(plan, start, end)

    def _matching_within(self, plan: list[tuple[Matcher | None, tuple[str, str]]], start: int, end: int
                         ) -> list[Element]:
        """The elements matching a select_in plan at positions after ``start``, up to ``end``, in document order."""
        found: list[Element] = []
        for test, key in plan:
            candidates, positions = self._with_key(key)
            i, j = bisect.bisect_right(positions, start), bisect.bisect_right(positions, end)
            found.extend(candidates[i:j] if test is None else (x for x in candidates[i:j] if test(x)))
        return sorted(set(found), key=self._position.__getitem__) if len(plan) > 1 else found

    def _page_wide(self, plan: list[tuple[Matcher | None, tuple[str, str]]]) -> tuple[list[Element], list[int]]:
        """Every element of the page matching a select_in plan, and their positions: a compound selector's
        test looks at the element alone, so which match is the same for every block, and a block's are those
        whose positions fall within its own."""
        found = self._matching_within(plan, -1, len(self._position))
        return found, [self._position[x] for x in found]

    def found_in(self, el: Element, page_wide: etree.XPath) -> list[Element] | None:
        """The elements ``page_wide`` finds on the whole page (an XPath from the root, run once per page)
        that are ``el`` or inside it, in document order; None when ``el`` is not of this page."""
        start = self._position.get(el)
        if start is None:
            return None
        key = ("xpath", str(id(page_wide)))
        known = self._keyed.get(key)
        if known is None:
            listed = [x for x in page_wide(self.root) if x in self._position]
            known = self._keyed[key] = (listed, [self._position[x] for x in listed])
        candidates, positions = known
        return candidates[bisect.bisect_left(positions, start):bisect.bisect_right(positions, self._last_position(el))]

    def _with_key(self, key: tuple[str, str]) -> tuple[list[Element], list[int]]:
        """The elements with ``key`` in document order, and their positions (found once per page)."""
        known = self._keyed.get(key)
        if known is None:
            kind, value = key
            # (lxml walks the tree for a tag or an attribute: a Python loop over every element of a real
            # page, once per key, cost more than the few blocks' walks it spares)
            if kind == "tag":
                listed = list(self.root.iter(value))
            elif kind == "attribute":
                listed = etree.XPath(f"descendant-or-self::*[@{value}]")(self.root)
            else:
                listed = list(self._by[kind].get(value, ()))
            known = self._keyed[key] = (listed, [self._position[el] for el in listed])
        return known

    def _last_position(self, el: Element) -> int:
        """The position of the last element inside ``el`` (``el``'s own when it holds none; remembered: a
        block is asked several selectors)."""
        found = self._last.get(el)
        if found is None:
            last = el
            while (child := next((c for c in reversed(last) if c.tag.__class__ is str), None)) is not None:
                last = child
            found = self._last[el] = self._position[last]
        return found

    def has(self, selector: str) -> bool:
        """True when some element below the root matches ``selector`` (remembered: the parsers ask it
        once per result, to skip a search inside every block of a page that holds none)."""
        found = self._has.get(selector)
        if found is None:
            found = self._has[selector] = self.select_one(selector) is not None
        return found
