"""The crawl stage: brand x engine x query x device, each page kept as evidence.

Backing off: a CAPTCHA or block page is recorded as such; after
``BLOCKS_BEFORE_BACKOFF`` blocked pages in a row an engine is left alone for
the rest of the run and its remaining jobs are recorded as ``blocked``, never
as "no ads".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from crawler.browser import Browser
from crawler.engines import get_engine
from crawler.errors import FetchError
from crawler.models import SerpPage
from serpaudit.evidence import EvidenceFolder

log = logging.getLogger(__name__)

BLOCKS_BEFORE_BACKOFF = 3


@dataclass(frozen=True)
class Job:
    brand: str
    engine: str
    query: str
    device: str


@dataclass
class CrawlSummary:
    by_status: dict[str, int] = field(default_factory=dict)

    def count(self, status: str) -> None:
        self.by_status[status] = self.by_status.get(status, 0) + 1


def jobs_for(brands, engines, templates, devices) -> list[Job]:
    jobs = []
    for brand in brands:
        queries = [t.format(brand=brand.name) for t in templates] + list(brand.queries)
        for engine in engines:
            for query in dict.fromkeys(queries):
                for device in devices:
                    jobs.append(Job(brand.name, engine, query, device))
    return jobs


def crawl(browser: Browser, store, jobs: list[Job], run_id: str, evidence: EvidenceFolder, *,
          region: str, language: str, retries: int, now, progress=None) -> CrawlSummary:
    summary = CrawlSummary()
    blocked_in_row: dict[str, int] = {}
    for job in jobs:
        status = capture_job(browser, store, job, run_id, evidence, region=region, language=language,
                             retries=retries, backed_off=blocked_in_row.get(job.engine, 0) >= BLOCKS_BEFORE_BACKOFF,
                             now=now)
        summary.count(status)
        if status in ("captcha", "blocked"):
            blocked_in_row[job.engine] = blocked_in_row.get(job.engine, 0) + 1
        elif status != "error":
            blocked_in_row[job.engine] = 0
        if progress:
            progress(job, status)
    return summary


def _status(parsed: str, http_status: int | None) -> str:
    """An engine that answers 4xx/5xx did not show its results, whatever the page says ("no results")."""
    if http_status and http_status >= 400 and parsed not in ("captcha", "consent", "blocked"):
        return "blocked"
    return parsed


def _asks_consent(engine: Any, html: str, url: str) -> bool:
    """A consent wall, or a cookie banner laid over readable results (Bing): reject it either way."""
    if engine.classify(html, url) == "consent":
        return True
    return any(marker in html for marker in getattr(engine, "CONSENT_BANNER_MARKERS", ()))


def capture_job(browser: Browser, store, job: Job, run_id: str, evidence: EvidenceFolder, *, region: str,
                language: str, retries: int, backed_off: bool, now) -> str:
    engine = get_engine(job.engine)
    url = engine.search_url(job.query, language=language, region=region, device=job.device)
    record: dict[str, Any] = {
        "run_id": run_id, "brand": job.brand, "engine": job.engine, "query": job.query, "device": job.device,
        "locale": f"{language}-{region}", "captured_at": now(), "final_url": None, "user_agent": None,
        "html_path": None, "html_sha256": None, "screenshot_path": None, "screenshot_sha256": None,
    }
    if backed_off:
        log.warning("%s: backing off after repeated blocks; %r not searched", job.engine, job.query)
        store.record_capture({**record, "status": "blocked", "error": "engine backed off after repeated blocks"},
                             None)
        return "blocked"
    cap = None
    error = ""
    parsed: dict[str, SerpPage] = {}

    def analyse(html: str, final_url: str) -> list[tuple[str, list[str]]]:
        # parsed while the page is still open, so the browser can measure and crop each result
        parsed["page"] = engine.parse(html, final_url, region=region)
        return [(r.title, [p.raw for p in r.phones]) for r in parsed["page"].results]

    for attempt in range(retries + 1):
        try:
            cap = browser.capture(url, device=job.device, consent_selectors=tuple(engine.CONSENT_REJECT_SELECTORS),
                                  is_consent=lambda h, u: _asks_consent(engine, h, u), analyse=analyse)
            break
        except FetchError as exc:
            error = str(exc)
            log.warning("%s (attempt %d of %d)", error, attempt + 1, retries + 1)
    if cap is None:
        store.record_capture({**record, "status": "error", "error": error}, None)
        return "error"
    page = parsed.get("page") or engine.parse(cap.html, cap.final_url, region=region)
    name = evidence.name(f"{job.engine}-{job.device}-{job.brand}", job.brand, job.engine, job.query, job.device)
    html_path, html_sha = evidence.write(name, ".html", cap.html.encode("utf-8"))
    png_path, png_sha = evidence.write(name, ".png", cap.screenshot)
    page_dict = page.to_dict()
    for result, shot in zip(page_dict["results"], cap.blocks, strict=False):
        result["box"] = list(shot.box) if shot.box else None
        result["above_fold"] = shot.above_fold
        if shot.png:
            crop = f"{name}-{result['placement']}{result['rank']}"
            result["evidence_path"], result["evidence_sha256"] = evidence.write(crop, ".png", shot.png)
    record.update(captured_at=cap.captured_at, final_url=cap.final_url, user_agent=cap.user_agent,
                  html_path=html_path, html_sha256=html_sha, screenshot_path=png_path, screenshot_sha256=png_sha,
                  status=_status(page.status, cap.http_status))
    store.record_capture(record, page_dict)
    log.info("%s %s %r: %s, %d results", job.engine, job.device, job.query, page.status, len(page.results))
    return page.status
