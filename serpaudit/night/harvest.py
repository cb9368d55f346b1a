"""The harvest stage: read the numbers each brand publishes on its own pages.

Only pages whose final URL (after redirects) lies on one of the brand's
official registrable domains count.  Where the brand gives no contact pages,
they are discovered from the home page's links (contact, klantenservice, ...)
within ``max_contact_pages``, respecting robots.txt.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

from lxml import etree

from crawler import contact
from crawler.browser import Browser
from crawler.domains import is_on_domains
from crawler.errors import FetchError
from crawler.visible_text import parse_html
from serpaudit.crawl.evidence import EvidenceFolder
from serpaudit.ops.logs import counted

log = logging.getLogger(__name__)

# A link's words, hidden or not (a contact link in a collapsed menu still leads to the contact page), as
# BeautifulSoup's get_text read them: every text node but scripts, styles, templates and ruby annotations.
_LINK_TEXT = etree.XPath(
    ".//text()[not(ancestor::script or ancestor::style or ancestor::template or ancestor::rt or ancestor::rp)]",
    smart_strings=False,
)
CONTACT_WORDS = re.compile(
    r"contact|klantenservice|klanten-service|service|help|support|bellen|bel-ons|customer", re.I
)


@dataclass
class HarvestOutcome:
    brand: str
    status: str  # ok | empty | failed
    detail: str
    numbers: set[str] = field(default_factory=set)
    complete: bool = True  # every page loaded: only then may numbers not seen be retired


def harvest_brands(browser: Browser, store, brands, run_id: str, evidence: EvidenceFolder, *,
                   region: str, max_pages: int, now, limits: contact.Limits | None = None) -> list[HarvestOutcome]:
    outcomes = []
    for brand in brands:
        # a page stopped the browser (crawler.browser_guard): the next brand gets a fresh one
        if not getattr(browser, "alive", lambda: True)():
            browser.relaunch()
        outcome = harvest_brand(browser, store, brand, run_id, evidence, region=region, max_pages=max_pages,
                                limits=limits)
        store.record_harvest(run_id, brand.name, outcome.status, outcome.detail, now())
        if outcome.status == "ok" and outcome.complete:
            store.mark_unpublished(brand.name, outcome.numbers, run_id)
        log.info("harvest %s: %s (%s)", brand.name, outcome.status, outcome.detail)
        outcomes.append(outcome)
    return outcomes


def harvest_brand(browser: Browser, store, brand, run_id: str, evidence: EvidenceFolder, *,
                  region: str, max_pages: int, limits: contact.Limits | None = None) -> HarvestOutcome:
    if not brand.phone_support:
        return HarvestOutcome(brand.name, "ok", "brand runs no phone customer service: empty by design")
    robots = RobotsTxt(browser)
    pages = list(brand.contact_pages)
    loaded = 0
    problems: list[str] = []
    seen: set[str] = set()
    if not pages:
        home = f"https://www.{brand.domains[0]}/"
        pages = [home]
    queue = list(dict.fromkeys(pages))
    visited: set[str] = set()
    unread: list[str] = []  # what looks like a phone number on a page where none was read
    while queue and len(visited) < max_pages:
        url = queue.pop(0)
        if url in visited:
            continue
        visited.add(url)
        if not robots.allowed(url):
            problems.append(f"{url}: disallowed by robots.txt")
            continue
        try:
            cap = browser.capture(url, reveal=True)
        except FetchError as exc:
            problems.append(str(exc))
            continue
        if cap.http_status and cap.http_status >= 400:
            problems.append(f"{url}: HTTP {cap.http_status}")
            continue
        if not is_on_domains(cap.final_url, brand.domains):
            problems.append(f"{url}: redirected off the official domains to {cap.final_url}; not trusted")
            continue
        loaded += 1
        html_path, html_sha = evidence.write(evidence.name(f"contact-{brand.name}", url), ".html",
                                             cap.html.encode("utf-8"))
        read_here = False
        for found in contact.harvest(cap.html, cap.final_url, region, limits):
            read_here = True
            seen.add(found.phone.e164)
            store.record_official(brand.name, found.phone.to_dict(), cap.final_url, found.found_by,
                                  cap.captured_at, run_id)
        if not read_here:
            unread.extend(phone_like(cap.html))
        if not brand.contact_pages:
            queue.extend(u for u in contact_links(cap.html, cap.final_url, brand.domains) if u not in visited)
        log.debug("harvested %s (%s)", cap.final_url, html_path)
    if seen:
        detail = f"{counted(len(seen), 'number')} on {counted(loaded, 'page')}" + "".join(f"; {p}" for p in problems)
        return HarvestOutcome(brand.name, "ok", detail, seen, complete=not problems)
    if loaded and unread:
        # the pages show numbers the region's plan does not read: the brand's official numbers are unknown, and
        # the night must not call its ads clean (a wrong `region` looks like this)
        shown = counted(len(unread), "phone number")
        return HarvestOutcome(brand.name, "failed", f"the pages show {shown} that region "
                              f"{region} does not read ({', '.join(repr(u) for u in unread[:3])}): is `region` "
                              "right?" + "".join(f"; {p}" for p in problems))
    if loaded:
        return HarvestOutcome(brand.name, "empty", "pages loaded but showed no number; " + "; ".join(problems))
    return HarvestOutcome(brand.name, "failed", "; ".join(problems) or "no page loaded")


# What a person takes for a phone number whatever the country: a + and a country code or a trunk 0, then 8 to 12
# digits in groups ('0900 1234 567', '+31 (0)20 123 4567', '020-1234567'); no date, price or postcode looks so.
_PHONE_LIKE = re.compile(r"(?<![\w+./-])(?:\+\d{2,3}[ .-]?(?:\(0\)[ .-]?)?|0)\d(?:[ .-]?\d){7,11}(?![\w])")


_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b")


def phone_like(html: str) -> list[str]:
    """Phone-number-looking strings in a page's text (for a page where the region's plan read none)."""
    text = _IBAN.sub(" ", " ".join(t for t in _LINK_TEXT(parse_html(html)) if isinstance(t, str)))
    return list(dict.fromkeys(" ".join(m.group().split()) for m in _PHONE_LIKE.finditer(text)))


def contact_links(html: str, base_url: str, domains) -> list[str]:
    """Links on a page that lead to contact pages on the brand's own domains."""
    out: list[str] = []
    for a in parse_html(html).iter("a"):
        if a.get("href") is None:
            continue
        href = urljoin(base_url, a.get("href"))
        if urlsplit(href).scheme not in ("http", "https") or not is_on_domains(href, domains):
            continue
        label = f"{' '.join(t.strip() for t in _LINK_TEXT(a) if t.strip())} {urlsplit(href).path}"
        if CONTACT_WORDS.search(label):
            out.append(href.split("#")[0])
    return list(dict.fromkeys(out))


class RobotsTxt:
    """robots.txt per host, read through the browser (so the sandbox web answers it too)."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self.cache: dict[str, RobotFileParser | None] = {}

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        root = f"{parts.scheme}://{parts.netloc}"
        if root not in self.cache:
            self.cache[root] = self._load(root + "/robots.txt")
        rp = self.cache[root]
        return True if rp is None else rp.can_fetch("serpaudit", url)

    def _load(self, url: str) -> RobotFileParser | None:
        try:
            status, text = self.browser.fetch_text(url)
        except FetchError:
            return None
        if status != 200:
            return None  # no robots.txt: everything allowed
        rp = RobotFileParser()
        rp.parse(text.splitlines())
        return rp
