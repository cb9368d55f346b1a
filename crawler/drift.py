"""The drift alarm: a second, layout-agnostic look at every result page.

Search engines change their markup without warning; when the engine parser's selectors stop matching it
would report "no ads" and a nightly monitor would call the night clean.  This detector knows no engine's
classes or ids.  It finds ads the way a reader does:

- by their visible **ad label** ("Gesponsord", "Advertentie", "Sponsored", "Ad", "Anzeige", ... in the
  languages of the engines' EU markets: :mod:`crawler.labels`), and
- by **ad-click links** (googleadservices, ``/aclk``, Bing ``aclk``, DuckDuckGo ``y.js``: the URLs that
  would charge an advertiser; :func:`crawler.clicks.is_ad_click_url`).

Around each label or click link it takes the largest block that still points at one advertiser (one
destination domain, one label), and sweeps that block's visible text and links for phone numbers.  When it
sees an ad, or a number in an ad, that the engine parser did not return, the page has **drifted**: the
capture gets status ``drift`` and is not audited, and the analyst reads why, e.g. "Google markup changed?
3 ad labels found, 0 ads parsed".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from crawler.clicks import is_ad_click_url
from crawler.domains import registrable_domain
from crawler.htmltree import Element, is_hidden, parse_html, phones_in, text_content, visible_text
from crawler.labels import is_ad_label
from crawler.models import SerpPage
from crawler.trackers import unwrap

_LABEL_PUNCT = " \u00a0\t\n·•:|-–—()[]"
# Headings such as an off-screen "Ads" <h1> name a section, not one ad.
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_MAX_CLIMB = 14
_MAX_LABEL_CHARS = 24
_AD_KINDS = ("ad", "shopping_ad")


@dataclass(frozen=True)
class Drift:
    """What the detector saw, next to what the parser returned."""

    engine: str
    ad_labels: int  # visible ad labels
    ad_links: int  # distinct ad-click links
    ads_seen: int  # ad blocks found by label or click link
    ads_parsed: int
    ads_missed: tuple[str, ...] = ()  # advertiser domains of ad blocks the parser did not return
    numbers_seen: tuple[str, ...] = ()  # E.164 of numbers inside ad blocks
    numbers_missed: tuple[str, ...] = ()  # of those, the ones in no ad the parser returned
    evidence: tuple[str, ...] = field(default=(), compare=False)  # visible text of the missed blocks

    @property
    def drifted(self) -> bool:
        nothing_parsed = self.ads_parsed == 0 and (self.ad_labels > 0 or self.ad_links > 0) and self.ads_seen > 0
        return nothing_parsed or bool(self.ads_missed) or bool(self.numbers_missed)

    @property
    def message(self) -> str:
        """One line for the analyst; empty when the page did not drift."""
        if not self.drifted:
            return ""
        msg = (f"{self.engine.capitalize() if self.engine != 'duckduckgo' else 'DuckDuckGo'} markup changed? "
               f"{self.ad_labels} ad label{'s' * (self.ad_labels != 1)} found, "
               f"{self.ads_parsed} ad{'s' * (self.ads_parsed != 1)} parsed")
        if self.ad_links:
            msg += f", {self.ad_links} ad click link{'s' * (self.ad_links != 1)}"
        if self.ads_missed:
            msg += f"; ads not parsed: {', '.join(self.ads_missed)}"
        if self.numbers_missed:
            msg += f"; numbers in ads not parsed: {', '.join(self.numbers_missed)}"
        return msg


def check(engine: str, html: str, page: SerpPage, region: str = "NL", root: Element | None = None) -> Drift:
    """Compare the parse ``page`` of ``html`` with what the layout-agnostic detector sees."""
    root = parse_html(html) if root is None else root
    labels = _labels(root)
    # element -> ad labels inside it; keyed by the element itself, which keeps its lxml proxy alive: an id()
    # of a proxy that was let go can come back as the id of another element's proxy
    under: dict[Element, int] = {}
    for el in labels:
        for anc in (el, *el.iterancestors()):
            under[anc] = under.get(anc, 0) + 1
    clicks: dict[str, Element] = {}
    for a in root.iter("a"):
        for attr in ("href", "data-rw", "data-arwt"):
            v = a.get(attr)
            if v and is_ad_click_url(_absolute(v)) and not is_hidden(a):
                clicks.setdefault(_absolute(v), a)
                break
    blocks = _outermost([_block(el, under) for el in [*labels, *clicks.values()]])
    parsed = [r for r in page.results if r.kind in _AD_KINDS]
    parsed_domains = {d for r in parsed for d in (r.advertiser_domain, r.domain, registrable_domain(r.landing_url),
                                                   registrable_domain(r.display_url)) if d}
    parsed_numbers = {p.e164 for r in page.results for p in r.phones}
    seen_numbers: dict[str, None] = {}
    missed_domains: dict[str, None] = {}
    evidence = []
    ads_seen = 0
    for block in blocks:
        domains = _destinations(block)
        if not domains:
            continue  # a label without an ad around it (a section heading, a tooltip)
        ads_seen += 1
        numbers = [p.e164 for p in phones_in(block, region)]
        seen_numbers.update(dict.fromkeys(numbers))
        if not domains & parsed_domains:
            missed_domains.update(dict.fromkeys(sorted(domains)))
            evidence.append(visible_text(block, block_sep=" | ")[:300])
    missed_numbers = tuple(n for n in seen_numbers if n not in parsed_numbers)
    return Drift(engine=engine, ad_labels=len(labels), ad_links=len(clicks), ads_seen=ads_seen,
                 ads_parsed=len(parsed), ads_missed=tuple(missed_domains), numbers_seen=tuple(seen_numbers),
                 numbers_missed=missed_numbers, evidence=tuple(evidence))


def _absolute(url: str) -> str:
    return "https://www.google.com" + url if url.startswith("/aclk") else url


def _labels(root: Element) -> list[Element]:
    """Visible elements whose whole text is an ad label (the innermost such element)."""
    out: list[Element] = []
    seen: set[int] = set()
    for t in root.xpath("//text()"):
        word = str(t).strip(_LABEL_PUNCT)
        if not word or len(word) > _MAX_LABEL_CHARS or not is_ad_label(word):
            continue
        el = t.getparent()
        if not t.is_text:  # the tail of a child: the label is the text of that child's parent
            el = el.getparent() if el is not None else None
        if el is None or id(el) in seen or not isinstance(el.tag, str) or el.tag in _HEADINGS:
            continue
        if el.tag in ("script", "style", "title", "option", "textarea"):
            continue
        if len(text_content(el)) > 2 * _MAX_LABEL_CHARS:
            continue
        if not is_ad_label(visible_text(el).strip(_LABEL_PUNCT)) or is_hidden(el):
            continue
        seen.add(id(el))
        out.append(el)
    return out


def _destinations(el: Element) -> set[str]:
    """Registrable domains the links in ``el`` lead to (trackers unwrapped; the engines' own links left out)."""
    out: set[str] = set()
    for a in el.iter("a"):
        href = a.get("href") or ""
        url = _absolute(href)
        if not url.startswith(("http://", "https://")):
            continue
        dest, _ = unwrap(url)
        if is_ad_click_url(url) and dest == url:
            dest = None
        domain = registrable_domain(dest) if dest else None
        if domain and domain not in _ENGINE_DOMAINS and not domain.startswith("google."):
            out.add(domain)
            if len(out) > 1:
                break
    return out


# The engines' own links (menus, "why this ad?", maps) lead to no advertiser.
_ENGINE_DOMAINS = frozenset({"bing.com", "duckduckgo.com", "googleadservices.com", "gstatic.com",
                             "googleusercontent.com", "yahoo.com", "doubleclick.net"})


def _block(start: Element, labels_under: dict[Element, int]) -> Element:
    """The largest ancestor of ``start`` that still holds a single ad: one destination, one label."""
    block = start
    for _ in range(_MAX_CLIMB):
        parent = block.getparent()
        if parent is None or parent.tag in ("body", "html"):
            break
        if labels_under.get(parent, 0) > 1 or len(_destinations(parent)) > 1:
            break
        block = parent
    return block


def _outermost(blocks: list[Element]) -> list[Element]:
    ids = {id(b) for b in blocks}
    out, seen = [], set()
    for b in blocks:
        if id(b) in seen or any(id(p) in ids for p in b.iterancestors()):
            continue
        seen.add(id(b))
        out.append(b)
    return out


def alarm(engine: str, html: str, page: SerpPage, region: str = "NL") -> str:
    """The analyst's line when ``page`` drifted, else "".  CAPTCHA, block and consent pages are what they
    say (their status keeps them from the audit already); a page read as results, as empty or as unknown
    is checked."""
    if page.status not in ("ok", "empty", "unknown"):
        return ""
    return check(engine, html, page, region).message
