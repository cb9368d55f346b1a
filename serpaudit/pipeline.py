"""The nightly pipeline: harvest -> crawl -> landing pages -> audit -> report.

Each stage is a function over the store; ``run_pipeline`` wires them and
decides the exit code.  Exit codes (also in README.md):

- 0: every capture was audited and no finding
- 1: findings (scam or suspect numbers)
- 2: usage or input error (bad settings, brand file, world file)
- 3: the run could not complete (no browser, captures blocked or failed, so
  part of the audit is missing)
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from audits.brands import Brand
from audits.lifecycle import apply_night
from audits.rules import audit, not_audited
from audits.store import Store
from crawler.browser import Browser, BrowserConfig
from reports import write_reports
from serpaudit.advertiser import resolve_from_landings
from serpaudit.crawl import crawl, jobs_for
from serpaudit.evidence import EvidenceFolder
from serpaudit.harvest import harvest_brands
from serpaudit.landing import page_limits, visit_landing_pages
from serpaudit.settings import Settings

log = logging.getLogger(__name__)

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, EXIT_INCOMPLETE = 0, 1, 2, 3
STAGES = ("harvest", "crawl", "audit", "report")


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class RunOutcome:
    run_id: str
    findings: list[dict[str, Any]] = field(default_factory=list)
    not_audited: list[dict[str, Any]] = field(default_factory=list)
    reports: list[Path] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def scams(self) -> list[dict[str, Any]]:
        """Findings an analyst has not dismissed (dismissed ones are still stored and counted)."""
        return [f for f in self.findings if f["verdict"] != "inconclusive" and f.get("state") != "dismissed"]

    @property
    def exit_code(self) -> int:
        if self.scams:
            return EXIT_FINDINGS
        # captures not audited, or numbers that could not be judged (official set unknown): not clean
        if self.not_audited or any(f.get("state") != "dismissed" for f in self.findings):
            return EXIT_INCOMPLETE
        return EXIT_CLEAN


def open_store(settings: Settings) -> Store:
    return Store(settings.database)


def browser_config(settings: Settings, resolve_all_to: str | None = None) -> BrowserConfig:
    return BrowserConfig(executable=settings.browser_path or None, headless=settings.headless,
                         timeout_ms=settings.timeout_ms, resolve_all_to=resolve_all_to,
                         max_screenshot_height=settings.max_screenshot_height)


class UnknownBrandError(ValueError):
    """A --brand that is not in the brand list."""


def select_brands(store: Store, names: list[str] | None = None) -> list[Brand]:
    brands = store.brands()
    if names:
        wanted = {n.lower() for n in names}
        brands = [b for b in brands if b.name.lower() in wanted]
        missing = wanted - {b.name.lower() for b in brands}
        if missing:
            raise UnknownBrandError(f"unknown brand(s): {', '.join(sorted(missing))}; see `serpaudit brands list`")
    return brands


def run_pipeline(settings: Settings, store: Store, *, stages: tuple[str, ...] = STAGES, command: str = "run",
                 brand_names: list[str] | None = None, resolve_all_to: str | None = None,
                 progress: Callable[[str], None] | None = None, run_id: str | None = None) -> RunOutcome:
    """Run the given stages as one run; returns what happened."""
    brands = select_brands(store, brand_names)
    run_id = run_id or store.start_run(command, utc_now())
    outcome = RunOutcome(run_id)
    evidence = EvidenceFolder(settings.evidence_dir, run_id)
    finished = False
    try:
        if "harvest" in stages or "crawl" in stages:
            with Browser(browser_config(settings, resolve_all_to)) as browser:
                if "harvest" in stages:
                    harvests = harvest_brands(browser, store, brands, run_id, evidence, region=settings.region,
                                              max_pages=settings.max_contact_pages, now=utc_now,
                                              limits=page_limits(settings))
                    outcome.summary["harvest"] = {h.brand: h.status for h in harvests}
                if "crawl" in stages:
                    jobs = jobs_for(brands, settings.engines, settings.query_templates, settings.devices)
                    on_job = (lambda j, s: progress(f"{j.engine} {j.device} {j.query!r}: {s}")) if progress else None
                    if settings.broker_url:  # on the workers; this process only stores what comes back
                        from serpaudit.distributed.coordinator import crawl_distributed

                        summary = crawl_distributed(settings, store, jobs, run_id, evidence,
                                                    resolve_all_to=resolve_all_to, progress=on_job)
                    else:
                        summary = crawl(browser, store, jobs, run_id, evidence, region=settings.region,
                                        language=settings.language, retries=settings.retries, now=utc_now,
                                        progress=on_job)
                    outcome.summary["captures"] = summary.by_status
                    if settings.visit_landing_pages:
                        by_name = {b.name: b for b in brands}
                        outcome.summary["landing_pages"] = visit_landing_pages(
                            browser, store, run_id, by_name, evidence, region=settings.region,
                            limits=page_limits(settings))
                    resolve_from_landings(store, run_id)  # advertiser_domain where a tracker hid it
        if "audit" in stages:
            audit(store, run_id)
            apply_night(store, run_id, gone_after_nights=settings.gone_after_nights)
        outcome.findings = store.findings(run_id=run_id)
        outcome.not_audited = not_audited(store.captures(run_id))
        outcome.summary["findings"] = len(outcome.scams)
        outcome.summary["inconclusive"] = len(outcome.findings) - len(outcome.scams)
        outcome.summary["not_audited"] = len(outcome.not_audited)
        # finished before the report, so the report shows the run's final status and times
        store.finish_run(run_id, "incomplete" if outcome.not_audited else "complete", outcome.summary, utc_now())
        finished = True
        if "report" in stages:
            outcome.reports = write_reports(outcome.findings, settings.reports_dir, run=store.run(run_id),
                                            blocked=outcome.not_audited)
        return outcome
    finally:
        if not finished:
            store.finish_run(run_id, "failed", outcome.summary, utc_now())
