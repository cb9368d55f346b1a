"""crawler.pageindex answers page-wide selectors exactly as cssselect's XPath does (crawler.htmltree.select)."""

from __future__ import annotations

import pytest
from lxml import etree

from crawler.engines import ENGINE_NAMES, get_engine
from crawler.htmltree import parse_html, select
from crawler.pageindex import PageIndex
from tests.support.fixtures import shared_fixtures_dir


def _engine_selectors() -> list[str]:
    """Every CSS selector constant of the engine modules (str, or tuples/lists of str)."""
    out: set[str] = set()
    for name in ENGINE_NAMES:
        mod = get_engine(name)
        for attr, value in vars(mod).items():
            if not attr.isupper() or "MARKERS" in attr or "HOSTS" in attr or "LABELS" in attr:
                continue
            for sel in value if isinstance(value, (tuple, list)) else [value]:
                if isinstance(sel, str) and ":has" not in sel and "has-text" not in sel:
                    out.add(sel)
    return sorted(out)


TRICKY = """<html class="top"><body>
<div id="a" class="x  y&#9;z x"><p class="x">one</p><!-- a comment --><?pi id="a" class="x"?>
<span id="a">two</span></div>
<div id="A" class="X"><ul><li class="item">1</li><li class=" item ">2</li></ul></div>
<div class="item-more itemx">3</div><div class="">4</div><div class="   ">5</div>
<section data-k="" data-v="tel:123"><a href="tel:+31201234567" role="button">call</a>
<a href="TEL:1">upper</a><a href="https://x">web</a></section>
<input name="q" type="hidden"><input name="q" value="query"><textarea name="q"></textarea>
<g-accordion-expander id="e1"><div class="item">6</div></g-accordion-expander>
</body></html>"""

TRICKY_SELECTORS = [
    "#a", "#A", "#a, #A", ".x", ".X", ".y", ".z", ".item", "li.item", "ul > li", "#A li", "#A > li",
    "div .item", "html div", "html > body > div", ".top .x", "[data-k]", "[data-v]", 'a[href^="tel:"]',
    'a[href^="tel:"][role="button"]', 'input[name="q"]:not([type="hidden"])', 'textarea[name="q"], input[name="q"]',
    "div.item:not(.itemx)", "g-accordion-expander .item, #e1", "html", "*", "div:first-child", "p ~ span",
    "span#a, #a .x, #nothing", "a:contains('call')",
]


@pytest.mark.parametrize("selector", TRICKY_SELECTORS)
def test_index_answers_as_xpath_does_on_tricky_markup(selector):
    root = parse_html(TRICKY)
    assert PageIndex(root).select(selector) == select(root, selector)


def test_position_is_document_order():
    root = parse_html(TRICKY)
    index = PageIndex(root)
    nodes = list(root.iter(etree.Element))
    assert [index.position(n) for n in nodes] == list(range(len(nodes)))


def test_index_answers_every_engine_selector_on_every_real_page():
    base = shared_fixtures_dir()
    if base is None:
        pytest.skip("real SERP fixtures not found: expected ../shared/fixtures or $SERPAUDIT_FIXTURES")
    selectors = _engine_selectors()
    assert len(selectors) > 30
    pages = sorted((base / "serp").glob("*/*.html"))
    assert pages
    for path in pages:
        root = parse_html(path.read_text(encoding="utf-8", errors="replace"))
        index = PageIndex(root)
        for sel in selectors:
            assert index.select(sel) == select(root, sel), (path.name, sel)


def test_page_wide_engine_selectors_are_answered_from_the_index_not_xpath():
    from crawler.engines import bing, duckduckgo, google
    from crawler.pageindex import _plan

    for sel in (google.TOP_AD_CONTAINERS, google.KNOWLEDGE_PANELS, google.LOCAL_ENTRIES, google.SHOPPING_BLOCKS,
                bing.AD_BLOCKS, bing.ORGANIC_BLOCKS, f"{bing.RESULTS_LIST} > li", duckduckgo.AD_BLOCKS,
                duckduckgo.ORGANIC_BLOCKS):
        indexed, rest = _plan(sel)
        assert indexed and not rest, sel


def test_select_gives_what_cssselects_union_gives_on_real_blocks():
    """crawler.htmltree.select walks a subtree once for a group of simple selectors; the elements and
    their order are those of cssselect's union of one XPath per part."""
    from crawler.htmltree import TRANSLATOR

    base = shared_fixtures_dir()
    if base is None:
        pytest.skip("real SERP fixtures not found: expected ../shared/fixtures or $SERPAUDIT_FIXTURES")
    selectors = [*_engine_selectors(), "[role=heading], h1, h2, h3, h4", *TRICKY_SELECTORS]
    for path in sorted((base / "serp").glob("*/*.html")):
        root = parse_html(path.read_text(encoding="utf-8", errors="replace"))
        elements = list(root.iter(etree.Element))
        for el in [root, *elements[:: max(1, len(elements) // 12)]]:
            for sel in selectors:
                union = etree.XPath(TRANSLATOR.css_to_xpath(sel, prefix="descendant-or-self::"))
                assert select(el, sel) == [x for x in union(el) if x is not el], (path.name, sel)


@pytest.mark.parametrize("selector", TRICKY_SELECTORS + ["[role]", "[role=button], .item, li", "section [href]"])
def test_index_answers_inside_each_element_as_xpath_does(selector):
    root = parse_html(TRICKY)
    index = PageIndex(root)
    for el in root.iter(etree.Element):
        assert index.select_in(el, selector) == select(el, selector), etree.tostring(el)[:60]


def test_index_answers_inside_real_blocks_as_xpath_does():
    base = shared_fixtures_dir()
    if base is None:
        pytest.skip("real SERP fixtures not found: expected ../shared/fixtures or $SERPAUDIT_FIXTURES")
    selectors = [*_engine_selectors(), "[role=heading], h1, h2, h3, h4"]
    for path in sorted((base / "serp").glob("*/*.html")):
        root = parse_html(path.read_text(encoding="utf-8", errors="replace"))
        index = PageIndex(root)
        elements = list(root.iter(etree.Element))
        for el in elements[:: max(1, len(elements) // 40)]:
            for sel in selectors:
                assert index.select_in(el, sel) == select(el, sel), (path.name, sel)


def test_page_wide_xpath_found_inside_each_element_as_from_the_element():
    from crawler.htmltree import _CLICK_LINKS, _CLICK_LINKS_ON_PAGE

    root = parse_html('<div><a href="/aclk?x=1">a</a><p><a data-rw="x">b</a><a href="/x">c</a></p>'
                      '<!-- c --><a href="https://www.google.com/aclk?y">d</a></div>')
    index = PageIndex(root)
    for el in root.iter(etree.Element):
        assert index.found_in(el, _CLICK_LINKS_ON_PAGE) == _CLICK_LINKS(el)
    assert index.found_in(parse_html("<p>other page</p>"), _CLICK_LINKS_ON_PAGE) is None
