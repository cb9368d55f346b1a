"""The landing stage: numbers a scam ad shows only after the click.

For each ad (and each top-3 organic result) of this run on a domain that is not
the brand's, the landing URL resolved from the result page is opened once, in
a fresh isolated browser context.  Ad click URLs are never opened.  The numbers
found are stored as a capture of device ``landing`` whose single result is the
originating result, so the audit judges them like any number shown for it.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from crawler import contact
from crawler.browser import Browser
from crawler.clicks import is_ad_click_url
from crawler.domains import is_on_domains
from crawler.errors import FetchError
from serpaudit.evidence import EvidenceFolder

log = logging.getLogger(__name__)

TOP_ORGANIC = 3


def landing_targets(results: list[dict[str, Any]], brands: dict[str, Any]) -> list[dict[str, Any]]:
    """Results whose landing page is worth a visit, one per (brand, landing URL)."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for r in results:
        url = r.get("landing_url") or ""
        brand = brands.get(r["brand"])
        if brand is None or urlsplit(url).scheme not in ("http", "https") or is_ad_click_url(url):
            continue
        if is_on_domains(url, brand.domains):
            continue
        wanted = r["kind"] in ("ad", "shopping_ad") or (r["kind"] == "organic" and r["rank"] <= TOP_ORGANIC)
        if wanted:
            out.setdefault((r["brand"], url), r)
    return list(out.values())


def visit_landing_pages(browser: Browser, store, run_id: str, brands: dict[str, Any], evidence: EvidenceFolder,
                        *, region: str) -> int:
    visited = 0
    for r in landing_targets(store.results(run_id), brands):
        url = r["landing_url"]
        record = {"run_id": run_id, "brand": r["brand"], "engine": r["engine"], "query": r["query"],
                  "device": f"landing:{r['device']}:{r['placement']}{r['rank']}", "locale": ""}
        try:
            cap = browser.capture(url, isolated=True)
        except FetchError as exc:
            # a number shown only on this page would go unseen: the run is not complete
            log.warning("landing page %s did not load: %s", url, exc)
            now = datetime.now(UTC).isoformat(timespec="seconds")
            store.record_capture({**record, "captured_at": now, "status": "error", "final_url": url,
                                  "error": str(exc)}, None)
            continue
        visited += 1
        page = contact.parse(cap.html, cap.final_url, region)
        name = evidence.name("landing", r["brand"], url)
        html_path, html_sha = evidence.write(name, ".html", cap.html.encode("utf-8"))
        png_path, png_sha = evidence.write(name, ".png", cap.screenshot)
        result = {k: r[k] for k in ("kind", "placement", "rank", "title", "display_url", "landing_url",
                                    "click_url", "domain")}
        result.update(text=f"landing page {cap.final_url}", phones=[p.to_dict() for p in page.phones])
        store.record_capture(
            {**record, "captured_at": cap.captured_at, "status": "ok", "final_url": cap.final_url,
             "user_agent": cap.user_agent, "html_path": html_path, "html_sha256": html_sha,
             "screenshot_path": png_path, "screenshot_sha256": png_sha},
            {"engine": r["engine"], "status": "ok", "query": r["query"], "results": [result]},
        )
        log.info("landing page %s: %d number(s)", cap.final_url, len(page.phones))
    return visited
