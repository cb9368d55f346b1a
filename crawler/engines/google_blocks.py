"""Google: where the result blocks are and where each stands (top, bottom, side, main).

:mod:`crawler.engines.google` classifies and parses the page; the selectors of the blocks found
here are written down here, and re-exported there.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from crawler.engines import _common as c
from crawler.engines.google_fields import CLICK_URL, is_google
from crawler.htmltree import Element, is_hidden, select, visible_text
from crawler.labels import AD_LABELS
from crawler.pageindex import PageIndex

AD_BLOCKS = "div[data-text-ad], li.ads-ad"
AD_CARDS_2019 = "div.mnr-c"
ORGANIC_CONTAINERS = ("#rso", "#search", "#center_col")
TITLE_HEADINGS = "a[href] h3, a[href] [role=heading]"
LOCAL_ENTRIES = ".VkpGBb"
LOCAL_DETAILS = ".rllt__details"


def _ad_blocks(page: PageIndex, containers: str) -> list[Element]:
    blocks: list[Element] = []
    taken: set[Element] = set()  # blocks, as a set: a page of thousands of ads is asked once per ad
    for box in c.outermost(page.select(containers)):
        inner = c.outermost(select(box, AD_BLOCKS))
        if not inner:  # 2019-2020 mobile and tablet cards: div.mnr-c labelled "Advertentie", no data-text-ad
            inner = [card for card in c.outermost(select(box, AD_CARDS_2019)) if _has_ad_label(card)]
        if not inner and _has_ad_label(box):  # unknown ad markup inside a known ad container
            inner = [child for child in box if isinstance(child.tag, str) and _title_links(child)]
        for b in inner:
            if b not in taken and not is_hidden(b):
                taken.add(b)
                blocks.append(b)
    return blocks


def _has_ad_label(tag: Element) -> bool:
    words = set(re.findall(r"\w+", visible_text(tag)))
    return any(label in words for label in AD_LABELS)


def _organic_container(page: PageIndex) -> Element | None:
    for sel in ORGANIC_CONTAINERS:
        el = page.select_one(sel)
        if el is not None:
            return el
    return None


def _title_links(container: Element | None) -> list[Element]:
    if container is None:
        return []
    links: list[Element] = []
    seen: set[Element] = set()
    for h in select(container, TITLE_HEADINGS):
        a = next(h.iterancestors("a"), None)
        if a is None or a in seen:
            continue
        href = str(a.get("href", ""))
        if href.startswith(("http://", "https://")) and not is_google(href) or CLICK_URL.search(href):
            links.append(a)
            seen.add(a)
    return links


def _result_block(a: Element, container: Element | None, links: Collection[Element]) -> Element:
    """The largest element around title link ``a`` that holds no other result title (``links``: every
    title link of the page, as a set: it is asked once per result, never rebuilt per result)."""
    block: Element = a
    while True:
        parent = block.getparent()
        if parent is None or parent is container:
            break
        if any(x is not a and x in links for x in parent.iterdescendants("a")):
            break
        block = parent
    return block


def _local_entries(page: PageIndex) -> list[Element]:
    entries = list(page.select(LOCAL_ENTRIES))
    known = set(entries)
    for d in page.select(LOCAL_DETAILS):
        if not any(p in known for p in d.iterancestors()):
            around = next(d.iterancestors("a"), None)
            if around is None:
                around = d.getparent() if d.getparent() is not None else d
            entries.append(around)
            known.add(around)
    return [e for e in c.outermost(entries) if not is_hidden(e)]


def first_link_under(links: list[Element]) -> dict[Element, Element]:
    """For every element holding one of ``links``, the first of them it holds (one walk up from each link)."""
    first: dict[Element, Element] = {}
    for a in links:
        for p in a.iterancestors():
            first.setdefault(p, a)
    return first


def _snippet_block(answer: Element, container: Element | None,
                   first_under: dict[Element, Element]) -> tuple[Element, Element]:
    """A featured snippet: the answer box together with the title link of its source page
    (``first_under``: :func:`first_link_under` of the page's title links)."""
    for p in answer.iterancestors():
        if p is container or p.tag in ("body", "html"):
            break
        link = first_under.get(p)
        if link is not None:
            return p, link
    return answer, answer


def _in_paa(tag: Element, paa: set[Element]) -> bool:
    """Inside a "People also ask" / "Nutzer fragen auch" question list."""
    return any(p in paa for p in tag.iterancestors())


def _group_placement(group: Element, page: PageIndex, first: Element | None) -> str:
    """A sponsored group in an ad container stands where the container does; one elsewhere (a bottom group
    inside the organic results) is "top" before the first organic result (``first``: the first title link
    in no group) and "bottom" after it."""
    for el in (group, *group.iterancestors()):
        if el.get("id") in ("tads", "tvcap"):
            return "top"
        if el.get("id") in ("tadsb", "bottomads"):
            return "bottom"
    return "top" if first is None or page.position(group) < page.position(first) else "bottom"


def _placement(tag: Element) -> str:
    for p in tag.iterancestors():
        pid = p.get("id")
        if pid in ("tads", "tvcap") or "commercial-unit-desktop-top" in (p.get("class") or "").split():
            return "top"
        if pid in ("tadsb", "bottomads"):
            return "bottom"
        if pid == "rhs":
            return "side"
    return "main"
