"""The nightly pipeline: harvest -> crawl -> landing pages -> AI answers' sources -> audit -> report.

Each stage is a function over the store; ``run_pipeline`` wires them, and
serpaudit.night.outcome decides what the night came to (status, exit code, reasons).

A run killed halfway stays ``running``; the next run of the same command over the same
brands resumes it (same run id, finished jobs not repeated) unless ``fresh``.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from audits.brand_names import UnknownBrandError, resolve_brand_names  # noqa: F401 (re-exported)
from audits.brands import Brand
from audits.lifecycle import apply_night
from audits.rules import audit, not_audited
from audits.store import Store
from audits.store_file import DatabaseFileError
from serpaudit.crawl.browsers import NightChromium
from serpaudit.crawl.capture import Job
from serpaudit.crawl.distributed.errors import BrokerUnavailable
from serpaudit.crawl.evidence import EvidenceFolder, EvidenceWriteError
from serpaudit.crawl.jobs import crawl, jobs_for, pending_jobs
from serpaudit.night.advertiser import resolve_from_landings
from serpaudit.night.harvest import harvest_brands
from serpaudit.night.landing import page_limits, visit_landing_pages
from serpaudit.night.outcome import Outcome, decide, is_scam, undelivered
from serpaudit.night.reporting import deliver, retry_outbox, write_missing_reports, write_run_reports
from serpaudit.night.sources import visit_sources
from serpaudit.ops.outputs import clean_stale_temp
from serpaudit.settings import Settings

log = logging.getLogger(__name__)

STAGES = ("harvest", "crawl", "audit", "report")


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class RunOutcome:
    run_id: str
    findings: list[dict[str, Any]] = field(default_factory=list)
    not_audited: list[dict[str, Any]] = field(default_factory=list)
    reports: list[Path] = field(default_factory=list)
    mail_note: str = ""  # what happened to the report mail (send_reports)
    summary: dict[str, Any] = field(default_factory=dict)
    # what the night came to (serpaudit.night.outcome.decide); None until the night is decided
    decision: Outcome | None = None

    @property
    def scams(self) -> list[dict[str, Any]]:
        """Findings an analyst has not dismissed (dismissed ones are still stored and counted)."""
        return [f for f in self.findings if is_scam(f)]

    @property
    def inconclusive(self) -> list[dict[str, Any]]:
        """Findings whose verdict is inconclusive (not dismissed): counted by verdict, never as what is left
        of the findings once the scams are taken out, which would count a dismissed scam as inconclusive."""
        return [f for f in self.findings if f["verdict"] == "inconclusive" and f.get("state") != "dismissed"]

    @property
    def dismissed(self) -> list[dict[str, Any]]:
        """Findings an analyst dismissed, whatever their verdict."""
        return [f for f in self.findings if f.get("state") == "dismissed"]

    @property
    def exit_code(self) -> int:
        if self.decision is None:
            raise ValueError(f"run {self.run_id}: its outcome is not decided yet")
        return self.decision.exit_code

    @property
    def reasons(self) -> list[str]:
        """Why the run is incomplete (exit 3); empty when the audit is whole."""
        return list(self.decision.reasons) if self.decision else []


def open_store(settings: Settings) -> Store:
    return Store(settings.database)


def select_brands(store: Store, names: list[str] | None = None) -> list[Brand]:
    """The stored brands, or those ``names`` name (any case); :class:`UnknownBrandError` for a name of none."""
    brands = store.brands()
    if names:
        wanted = set(resolve_brand_names(names, [b.name for b in brands]))
        brands = [b for b in brands if b.name in wanted]
    return brands


def start_or_resume(store: Store, command: str, scope: dict[str, Any], *, fresh: bool) -> tuple[str, dict[str, Any]]:
    """The run to work on: the unfinished one of this command and scope (resumed), or a new one."""
    run_id = None if fresh else store.resumable_run(command, scope)
    if run_id:
        run = store.run(run_id)
        summary = dict(run["summary"])
        summary["resumed"] = int(summary.get("resumed", 0)) + 1
        store.reopen_run(run_id)
        log.warning("resuming unfinished run %s (started %s; resume #%d); `run --fresh` starts a new one",
                    run_id, run["started_at"], summary["resumed"])
    else:
        run_id = store.start_run(command, utc_now())
        summary = {"scope": scope, "seed": secrets.token_hex(4)}
    store.set_run_summary(run_id, summary)
    return run_id, summary


def run_pipeline(settings: Settings, store: Store, *, stages: tuple[str, ...] = STAGES, command: str = "run",
                 brand_names: list[str] | None = None, resolve_all_to: str | None = None,
                 progress: Callable[[str], None] | None = None, run_id: str | None = None, fresh: bool = False,
                 on_capture: Callable[[Job, str], None] | None = None,
                 on_jobs: Callable[[int, int], None] | None = None,
                 on_pause: Callable[[str, float], None] | None = None) -> RunOutcome:
    """Run the given stages as one run (resuming an unfinished one); returns what happened.

    ``on_jobs(total, already_done)`` is called once the search jobs are known; ``on_capture(job, status)``
    per capture stored; ``on_pause(engine, seconds)`` when an engine backs off after a block (local crawls).
    """
    brands = select_brands(store, brand_names)
    scope = {"brands": sorted(b.name for b in brands) if brand_names else None, "stages": list(stages)}
    if run_id:
        summary: dict[str, Any] = dict(store.run(run_id)["summary"])
    else:
        if "report" in stages:
            write_missing_reports(settings, store, command, utc_now())
        run_id, summary = start_or_resume(store, command, scope, fresh=fresh)
    seed = settings.seed or summary.get("seed") or secrets.token_hex(4)
    summary["seed"] = seed
    outcome = RunOutcome(run_id, summary=summary)
    evidence = EvidenceFolder(settings.evidence_dir, run_id)
    clean_stale_temp(settings.reports_dir)
    finished = False
    # one Chromium for the night's browsing stages (harvest, crawl, landing pages, sources), started at the
    # first of them and closed after the last, before the audit
    chromium = NightChromium(settings, resolve_all_to)
    try:
        if "harvest" in stages:
            done = store.harvested_brands(run_id)
            todo = [b for b in brands if done.get(b.name) not in ("ok", "empty")]
            if todo:
                with chromium.view() as browser:
                    harvest_brands(browser, store, todo, run_id, evidence, region=settings.region,
                                   max_pages=settings.max_contact_pages, now=utc_now,
                                   limits=page_limits(settings))
            summary["harvest"] = {b.name: s for b, s in ((b, store.harvest_status(run_id, b.name)) for b in brands)}
        if "crawl" in stages:
            jobs = jobs_for(brands, settings.engines, settings.query_templates, settings.devices)
            log.info("run %s: %d search jobs, order seed %s, %d lane(s) at once", run_id, len(jobs), seed,
                     min(settings.concurrency, len(settings.engines)))
            if on_jobs:
                on_jobs(len(jobs), len(jobs) - len(_pending(store, run_id, jobs)))

            def each(job: Job, status: str) -> None:
                if progress:  # a caller's own display; the crawl logs each job itself
                    progress(f"{job.engine} {job.device} {job.query!r}: {status}")
                if on_capture:
                    on_capture(job, status)

            if settings.broker_url:  # on the workers; this process only stores what comes back
                # imported here for start-up speed, not for a circle: Celery (~0.4 s) loads on distributed nights only
                from serpaudit.crawl.distributed.coordinator import crawl_distributed

                crawled = crawl_distributed(settings, store, jobs, run_id, evidence, resolve_all_to=resolve_all_to,
                                            seed=seed, progress=each)
            else:
                crawled = crawl(settings, store, jobs, run_id, evidence, seed=seed,
                                open_browser=chromium.open,
                                progress=lambda record: each(record.job, record.status), on_pause=on_pause)
            summary["captures"] = _count_statuses(store, run_id)
            if crawled.relaunches:
                summary["browser_relaunches"] = crawled.relaunches
            if settings.visit_landing_pages:
                by_name = {b.name: b for b in brands}
                with chromium.view() as browser:
                    summary["landing_pages"] = visit_landing_pages(browser, store, run_id, by_name, evidence,
                                                                   region=settings.region, limits=page_limits(settings))
                    # the pages AI answers cite, for where their numbers came from (same rules as landing pages)
                    summary["answer_sources"] = visit_sources(browser, store, run_id, by_name, evidence,
                                                              region=settings.region, limits=page_limits(settings))
            resolve_from_landings(store, run_id)  # advertiser_domain where a tracker hid it
        chromium.close()  # the browsing is over: its memory is the audit's
        if "audit" in stages:
            audit(store, run_id)
            apply_night(store, run_id, gone_after_nights=settings.gone_after_nights)
        outcome.findings = store.findings(run_id=run_id)
        captures = store.captures(run_id)
        outcome.not_audited = not_audited(captures)
        outcome.decision = decide(stages, findings=outcome.findings, captures=captures,
                                  not_audited=outcome.not_audited, harvests=store.harvested_brands(run_id),
                                  settings=settings)
        summary.update(findings=len(outcome.scams), inconclusive=len(outcome.inconclusive),
                       dismissed=len(outcome.dismissed),
                       not_audited=len(outcome.not_audited), reasons=outcome.reasons)
        # finished before the report, so the report shows the run's final status and times
        store.finish_run(run_id, "incomplete" if outcome.decision.status == "incomplete" else "complete", summary,
                         utc_now())
        finished = True
        if "report" in stages:
            # the report streams the night's findings from the store; the night's own list is let go meanwhile
            # (at 100,000 findings it alone is about a gigabyte) and read again for what the command prints
            outcome.findings = []
            bundle = write_run_reports(settings, store, run_id, utc_now(), blocked=outcome.not_audited,
                                       limited=bool(brand_names))
            outcome.findings = store.findings(run_id=run_id)
            outcome.reports = bundle.paths
            _mail(settings, store, outcome, bundle)
        return outcome
    except (EvidenceWriteError, BrokerUnavailable):
        raise  # a full disk, a read-only folder, the broker gone: left "running" (below), the next run resumes it
    except DatabaseFileError:
        finished = True  # the database was deleted or replaced: nothing more can be written to it
        raise
    except Exception:
        store.finish_run(run_id, "failed", summary, utc_now())
        finished = True
        raise
    finally:
        chromium.close()
        if not finished:
            # interrupted (SIGTERM, Ctrl-C, a disk fault): left "running", so the next run resumes it
            try:
                store.set_run_summary(run_id, summary)
            except Exception as exc:  # the database's disk may be full too: the summary is rebuilt on resume
                log.warning("run %s: its summary could not be saved: %s", run_id, exc)


def _mail(settings: Settings, store: Store, outcome: RunOutcome, bundle: Any) -> None:
    """The night's mail (``send_reports``), and what earlier runs could not send; a mail that fails leaves
    the night incomplete (exit 3), with why in its summary."""
    failed: list[str] = []
    if settings.send_reports:
        mailed = deliver(settings, store, outcome.run_id, bundle, utc_now())
        outcome.mail_note, failed = mailed.mail_note, mailed.failed
    else:
        retried = retry_outbox(settings, store)
        failed = retried.reasons if retried else []
    if failed and outcome.decision is not None:
        outcome.decision = undelivered(outcome.decision, failed)
        outcome.summary.update(reasons=outcome.reasons, mail_failed=len(failed))
        store.finish_run(outcome.run_id, "incomplete", outcome.summary, utc_now())


def _pending(store: Store, run_id: str, jobs: list[Any]) -> list[Any]:
    return pending_jobs(store, run_id, jobs)


def _count_statuses(store: Store, run_id: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for c in store.captures(run_id, kind="serp"):
        counts[c["status"]] = counts.get(c["status"], 0) + 1
    return counts
