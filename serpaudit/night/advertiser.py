"""Step 2 of ``advertiser_domain``: where a click tracker hid the destination, the landing visit tells it.

The parsers set ``advertiser_domain`` from the result page alone (:mod:`crawler.trackers`): the landing
URL with its trackers unwrapped, else the display URL's domain marked ``claimed``.  After the landing
stage has opened a result's landing URL in an isolated context (following every redirect), the final URL
of that visit is the real destination: results still ``claimed`` (or with none) take its domain, marked
``landing``.  Results whose destination was read from the URL itself keep it, with one exception: a landing
URL on the brand's own domain whose visit ended elsewhere (an open redirect, ``https://www.<brand>.nl/go``
302-ing to a scam site) takes the domain it ended on, marked ``redirect``; the audit then judges the result
by that domain, not by the brand's (:func:`audits.verdicts.judge`).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from crawler.domains import registrable_domain
from crawler.trackers import advertiser, is_tracker, unwrap

log = logging.getLogger(__name__)

SETTLED = ("url", "unwrapped")


def landing_destinations(captures: list[dict[str, Any]], results: list[dict[str, Any]]) -> dict[tuple[str, str], str]:
    """``(brand, landing_url) -> registrable domain of the landing visit's final URL`` for loaded visits."""
    final_urls = {c["id"]: c.get("final_url") for c in captures
                  if c.get("kind") == "landing" and c.get("status") == "ok"}
    out: dict[tuple[str, str], str] = {}
    for r in results:
        final = final_urls.get(r.get("capture_id"))
        if not final or not r.get("landing_url"):
            continue
        dest, _ = unwrap(final)  # a redirect chain that stops on a tracker page names no advertiser
        domain = registrable_domain(dest) if dest and not is_tracker(dest) else None
        if domain:
            out[(r["brand"], r["landing_url"])] = domain
    return out


def resolve_from_landings(store, run_id: str) -> int:
    """Set ``advertiser_domain`` from the landing visits of ``run_id``; returns how many results changed."""
    results = store.results(run_id)
    visited = landing_destinations(store.captures(run_id), results)
    brands = {b.name: b for b in store.brands()}
    updates = []
    for r in results:
        key = (r["brand"], r.get("landing_url") or "")
        if key in visited and _redirected_away(brands.get(r["brand"]), key[1], visited[key]):
            new: tuple[str | None, str | None] = (visited[key], "redirect")
        elif r.get("advertiser_domain_source") in SETTLED:
            continue
        elif key in visited:
            new = (visited[key], "landing")
        else:
            new = advertiser(r.get("landing_url"), r.get("display_url"))
        if new != (r.get("advertiser_domain"), r.get("advertiser_domain_source")):
            updates.append((r["id"], *new))
    if updates:
        log.info("advertiser domain of %d result(s) set from landing visits", len(updates))
    return store.set_advertiser_domains(updates)


def _redirected_away(brand: Any, landing_url: str, destination: str) -> bool:
    """The brand's own landing URL led off the brand's domains (an open redirect on its site)."""
    try:
        host = urlsplit(landing_url).hostname or ""
    except ValueError:
        return False
    return brand is not None and brand.owns(host) and not brand.owns(destination)
