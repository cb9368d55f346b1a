"""Campaigns: findings that share a number, a landing domain, a display domain or a landing page.

Every finding belongs to one campaign (alone, until another finding shares one of its keys).  Keys:

* ``number``  the E.164 shown (a 0900 line advertised for several brands);
* ``landing`` the advertiser's registrable domain;
* ``display`` the registrable domain of the ad's display URL;
* ``page``    the fingerprint of its landing page: the visible text with host names and digits taken
  out, so the same scam page under different domains (and numbers) is one key.

Domains of any brand in the list and neutral sites (``audits/data/neutral_sites.txt``) are never keys:
a scam ad printing ``www.telnova.nl`` as its display URL, or two numbers on a directory site, are not one
campaign.  Keys join campaigns across brands and nights; when one finding links two campaigns they merge
into the older one (its id stays; the other records ``merged_into``).
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lxml import etree

from audits.evidence_files import read_page
from audits.lookalike import neutral_sites
from audits.store import Store
from crawler.domains import registrable_domain
from crawler.visible_text import parse_html

MIN_PAGE_TEXT = 40  # a page with less text than this says too little to be told apart
_HOSTISH = re.compile(r"\b(?:[a-z0-9-]+\.)+[a-z]{2,}\b")
_DIGITS = re.compile(r"[0-9]+")
_SPACE = re.compile(r"\s+")
_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
# The page's text as the fingerprint has always read it (BeautifulSoup's get_text): every text node but
# scripts, styles, templates and ruby annotations, hidden ones included.  Fingerprints are kept with the
# findings and join campaigns across nights, so this reading must not change.
_PAGE_TEXT = etree.XPath(
    "//text()[not(ancestor::script or ancestor::style or ancestor::template or ancestor::rt or ancestor::rp)]",
    smart_strings=False,
)


def campaign_id(seed: str) -> str:
    n = int.from_bytes(hashlib.sha1(("campaign\x1f" + seed).encode()).digest()[:8], "big")
    return "c" + "".join(_ALPHABET[(n >> (5 * i)) & 31] for i in range(6))


def page_fingerprint(html: str) -> str | None:
    """The same page under another domain (or number) gives the same fingerprint; tiny pages give None."""
    text = " ".join(_PAGE_TEXT(parse_html(html))).lower()
    text = _SPACE.sub(" ", _DIGITS.sub("#", _HOSTISH.sub("@", text))).strip()
    if len(text) < MIN_PAGE_TEXT:
        return None
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def _fingerprint(store: Store, finding_id: str, run_id: str) -> str | None:
    for s in store.finding_sightings(finding_id, run_id):
        if s.get("capture_kind") != "landing":
            continue
        path = store.capture_html_path(s["capture_id"])
        if path and Path(path).is_file():
            fp = page_fingerprint(read_page(path))  # gzipped since issue 22; an older store's plain
            if fp:
                return fp
    return None


def finding_keys(f: dict[str, Any], excluded: set[str], fingerprint: str | None) -> list[tuple[str, str]]:
    keys = [("number", n) for n in _numbers(f)]
    for kind, domain in (("landing", f.get("advertiser_domain")), ("display", registrable_domain(f.get(
            "display_url")) if f.get("kind") in ("ad", "shopping_ad") else None)):  # fmt: skip
        if domain and domain not in excluded:
            keys.append((kind, domain))
    if fingerprint:
        keys.append(("page", fingerprint))
    return keys


def _numbers(f: dict[str, Any]) -> list[str]:
    """Every number of the case (a row before schema 2, or a bare dict in a test, has only ``e164``)."""
    return list(f.get("numbers") or ()) or ([f["e164"]] if f.get("e164") else [])


def _raw(f: dict[str, Any], e164: str) -> str:
    """The number as the case showed it."""
    return next((r.get("raw") for r in f.get("reasons") or () if r.get("e164") == e164 and r.get("raw")),
                f.get("raw") if f.get("e164") == e164 else None) or ""


def assign_campaigns(store: Store, run_id: str, at: str | None = None) -> int:
    """Put each finding the run saw in its campaign; returns how many findings changed campaign."""
    at = at or datetime.now(UTC).isoformat(timespec="seconds")
    excluded = set(neutral_sites()) | {d.lower() for b in store.brands() for d in b.domains}
    changed = 0
    roots: dict[str, str] = {}  # campaign -> its root, looked up once a night and kept as the night merges

    def root(cid: str) -> str:
        if cid not in roots:
            roots[cid] = store.campaign_root(cid)
        return roots[cid]

    for f in store.findings(run_id=run_id):
        fp = _fingerprint(store, f["id"], run_id) or f.get("fingerprint")
        keys = finding_keys(f, excluded, fp)
        found = {root(c) for c in store.campaigns_for_keys(keys)}
        if f.get("campaign"):
            found.add(root(f["campaign"]))
        if not found:
            target = campaign_id(f["id"])
            store.create_campaign(target, at)
        else:
            target, *others = store.oldest_campaigns(found)
            for other in others:
                changed += store.merge_campaign(other, target)
                if other != target:
                    roots.update({c: target for c, r in roots.items() if r == other})
        store.add_campaign_keys(target, keys)
        if f.get("campaign") != target or (fp and f.get("fingerprint") != fp):
            store.update_finding(f["id"], campaign=target, fingerprint=fp)
            changed += 1
    return changed


def campaign_summary(store: Store, cid: str) -> dict[str, Any] | None:
    """What an analyst reads: numbers, brands and domains of the campaign, since when, and its findings."""
    cid = store.campaign_root(cid)
    findings = store.campaign_findings(cid)
    if not findings:
        return None
    numbers = sorted({n for f in findings for n in _numbers(f)})
    brands = sorted({f["brand"] for f in findings})
    domains = sorted({f["advertiser_domain"] for f in findings if f.get("advertiser_domain")})
    since = min(f.get("first_seen") or "" for f in findings)
    last = max(f.get("last_seen") or "" for f in findings)
    # the headline tells the most shared number: how many brands and domains it was advertised for
    lead = max(numbers, key=lambda n: (len({f["brand"] for f in findings if n in _numbers(f)}), n), default=None)
    if lead is None:
        headline = (f"{', '.join(domains) or cid} imitating {len(brands)} brand{'s' if len(brands) != 1 else ''}"
                    f" since {_day(since)}")  # fmt: skip
    else:
        mine = [f for f in findings if lead in _numbers(f)]
        shown = next((_raw(f, lead) for f in mine if _raw(f, lead)), lead)
        n_brands = len({f["brand"] for f in mine})
        n_domains = len({f["advertiser_domain"] for f in mine if f.get("advertiser_domain")})
        headline = (f"{shown} advertised for {n_brands} brand{'s' if n_brands != 1 else ''} on {n_domains} "
                    f"domain{'s' if n_domains != 1 else ''} since {_day(min(f['first_seen'] or '' for f in mine))}")
    return {"id": cid, "headline": headline, "findings": len(findings), "brands": brands, "numbers": numbers,
            "domains": domains, "engines": sorted({e for f in findings for e in f.get("engines") or ()}),
            "first_seen": since, "last_seen": last,
            "open": sum(1 for f in findings if f.get("state") in ("open", "confirmed", None)),
            "finding_ids": [f["id"] for f in findings], "members": findings}


def campaign_summaries(store: Store) -> list[dict[str, Any]]:
    out = [s for s in (campaign_summary(store, c) for c in store.campaign_ids()) if s is not None]
    for s in out:
        s.pop("members")
    return sorted(out, key=lambda s: (-len(s["brands"]), -s["findings"], s["first_seen"], s["id"]))


def _day(iso: str) -> str:
    try:
        d = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso[:10]
    return f"{d.day} {d.strftime('%b')} {d.year}"
