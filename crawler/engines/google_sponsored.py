"""Google's grouped sponsored results (since October 2025): the text ads of a placement under one
"Sponsored results" / "Gesponsorde resultaten" heading, at most four to a group, with a "Hide sponsored
results" button below them and often no label on the ads themselves.

A group is found by its heading, wherever it stands: a top group in ``#tads``, a bottom group even inside the
organic results container (``#rso``), where its ads would otherwise pass for organic results.  Its ads are its
``div[data-text-ad]`` blocks; where a group holds none, each block around an ad-click title link (one
advertiser each).  The heading and the hide button are never results.  :mod:`crawler.engines.google` keeps
the selectors and places the groups (top or bottom); this module only finds them.
"""

from __future__ import annotations

from collections.abc import Collection

from crawler.engines import _common as c
from crawler.engines.google_fields import CLICK_URL
from crawler.htmltree import Element, is_hidden, select, text_content, visible_text
from crawler.pageindex import PageIndex

# How far above its heading a group's element may stand (heading > wrapper > group).
_MAX_CLIMB = 4


def group_ads(page: PageIndex, headings: str, labels: Collection[str], ad_blocks: str,
              title_headings: str, known: Collection[Element]) -> list[tuple[Element, Element]]:
    """(group, ad block) for every ad in a sponsored group that is not in ``known`` already, in page order.

    ``headings`` selects the candidate heading elements, ``labels`` the group titles they must read
    (case-insensitive), ``ad_blocks`` Google's ad markup, ``title_headings`` an ad's title heading."""
    wanted = {label.casefold() for label in labels}
    out: list[tuple[Element, Element]] = []
    seen: set[Element] = set()
    known = known if isinstance(known, (set, frozenset)) else set(known)
    found: set[Element] = set()  # the ad blocks in ``out``
    longest = max(map(len, wanted), default=0)
    for heading in page.select(headings):
        # every result title is a heading: the short ones only are read as a reader sees them
        if len(text_content(heading)) > 2 * longest or visible_text(heading).strip().casefold() not in wanted:
            continue
        if is_hidden(heading):
            continue
        group = _group_of(heading)
        if group is None or group in seen:
            continue
        seen.add(group)
        blocks = [b for b in c.outermost(select(group, ad_blocks)) if not is_hidden(b, group)]
        if not blocks:
            blocks = _blocks_by_click(group, title_headings)
        for b in blocks:
            if b not in found and not c.inside(b, known):
                found.add(b)
                out.append((group, b))
    return out


def _group_of(heading: Element) -> Element | None:
    """The nearest element around ``heading`` that holds an ad click link: the group."""
    el = heading
    for _ in range(_MAX_CLIMB):
        el = el.getparent()
        if el is None or el.tag in ("body", "html"):
            return None
        if _ad_links(el):
            return el
    return None


def _ad_links(el: Element) -> list[Element]:
    return [a for a in el.iter("a") if any(CLICK_URL.search(str(a.get(k) or "")) for k in ("href", "data-rw"))]


def _blocks_by_click(group: Element, title_headings: str) -> list[Element]:
    """Ads without Google's ad markup: the largest block around each ad-click title link holding no other."""
    titles: list[Element] = []
    titles_seen: set[Element] = set()
    for h in select(group, title_headings):
        a = next(h.iterancestors("a"), None)
        if a is not None and a not in titles_seen and _ad_links(a) == [a] and not is_hidden(a, group):
            titles.append(a)
            titles_seen.add(a)
    # how many titles each element holds (one walk up from each title, not one per title and element)
    held: dict[Element, int] = {}
    for t in titles:
        for p in (t, *t.iterancestors()):
            held[p] = held.get(p, 0) + 1
    blocks = []
    for a in titles:
        block = a
        while True:
            parent = block.getparent()
            if parent is None or parent is group or held[parent] > 1:  # a title other than a inside parent
                break
            block = parent
        blocks.append(block)
    return blocks
