"""Value objects the crawler hands to the rest of serpaudit.

Frozen dataclasses so that tests compare whole results, and ``to_dict`` gives
the JSON shape printed by ``serpaudit parse`` and stored by the audit store.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# Where a number was read: plain visible text, a tel: link, a call button
# (a tel: link styled as a button, mostly on mobile ads), or a WhatsApp link.
CHANNELS = ("text", "tel", "call_button", "whatsapp")

SERP_STATUSES = ("ok", "consent", "captcha", "blocked", "empty", "unknown")
RESULT_KINDS = (
    "ad",
    "organic",
    "local",
    "knowledge_panel",
    "featured_snippet",
    "shopping_ad",
    "ai_answer",  # an answer the engine writes in its own voice: Google's AI Overview, Bing's Copilot
    "other",      # answer, DuckDuckGo's Search Assist
)
PLACEMENTS = ("top", "bottom", "side", "main")
# How far an AI answer got: complete (shown whole), collapsed (behind "Show more"; part of its text unseen),
# expanded (was collapsed, opened), unfinished (still being written when the wait ran out: recorded as such,
# not as "no answer"), declined ("An AI Overview is not available for this search").
ANSWER_STATES = ("complete", "collapsed", "expanded", "unfinished", "declined")


@dataclass(frozen=True)
class Phone:
    """One phone number as shown on a page."""

    raw: str  # as written on the page (or the tel:/wa.me target)
    e164: str  # +31900123456
    number_type: str  # premium_rate, toll_free, mobile, fixed_line, voip, shared_cost, uan, ...
    channel: str  # one of CHANNELS
    # Where in its result block the number stood: title | display_url | link (a sitelink or other link's
    # text) | text (description, extensions) | href (a tel:/WhatsApp link's target) | click_url (the
    # tel: target of an ad click URL, read, never fetched).  None where nobody asked.
    found_in: str | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        if d["found_in"] is None:  # numbers read outside a result block (contact pages) carry no place
            del d["found_in"]
        return d


@dataclass(frozen=True)
class Source:
    """A page an AI answer cites."""

    url: str
    title: str
    domain: str | None  # registrable domain of url

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SerpResult:
    """One result block on a search result page."""

    kind: str
    placement: str
    rank: int  # counts from 1 within its placement
    title: str
    display_url: str | None
    landing_url: str | None  # None where the page does not contain it
    click_url: str | None  # the ad click URL: evidence only, never visited
    domain: str | None  # registrable domain of landing_url (or display_url)
    text: str
    phones: tuple[Phone, ...] = ()
    # Registrable domain of the real destination (click trackers unwrapped) and how it was found:
    # url | unwrapped | landing | claimed (see crawler.trackers).  None where the page names no site.
    advertiser_domain: str | None = None
    advertiser_domain_source: str | None = None
    # Filled by the browser only: pixel box (x, y, width, height) on the
    # rendered page and whether it lay in the first viewport.
    box: tuple[float, float, float, float] | None = field(default=None, compare=False)
    above_fold: bool | None = field(default=None, compare=False)
    # AI answers only (kind "ai_answer"): one of ANSWER_STATES, and the pages the answer cites.
    answer_state: str | None = None
    sources: tuple[Source, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["phones"] = [p.to_dict() for p in self.phones]
        d["box"] = list(self.box) if self.box else None
        if self.answer_state is None and not self.sources:  # every other result keeps its shape
            del d["answer_state"], d["sources"]
        else:
            d["sources"] = [s.to_dict() for s in self.sources]
        return d


@dataclass(frozen=True)
class SerpPage:
    """A parsed search result page."""

    engine: str
    status: str  # one of SERP_STATUSES
    query: str | None
    results: tuple[SerpResult, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "engine": self.engine,
            "status": self.status,
            "query": self.query,
            "results": [r.to_dict() for r in self.results],
        }

    def phones(self) -> list[Phone]:
        return [p for r in self.results for p in r.phones]


@dataclass(frozen=True)
class ContactPage:
    """Numbers read from a brand's (or a landing) page."""

    url: str | None
    phones: tuple[Phone, ...] = ()
    truncated: str = ""  # why the page was not read to the end (size cap, time budget); "" when it was

    def to_dict(self) -> dict[str, Any]:
        return {"url": self.url, "phones": [p.to_dict() for p in self.phones], "truncated": self.truncated}
