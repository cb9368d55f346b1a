"""The night's stages as commands: ``run``, ``harvest``, ``crawl``, ``audit`` and ``report``.

``stages`` runs any of them under the database's run lock; ``audit`` and ``report`` work on a stored run.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from audits.lifecycle import apply_night
from audits.rules import audit as audit_run
from audits.rules import not_audited
from audits.store import Store
from crawler.errors import BrowserNotFound, CrawlError
from serpaudit.app.config import open_store_for, settings_for, store_for
from serpaudit.app.errors import IncompleteError, InputError, LockedError
from serpaudit.crawl.distributed.errors import BrokerUnavailable
from serpaudit.crawl.evidence import EvidenceWriteError
from serpaudit.crawl.politeness import sandbox_pacing
from serpaudit.night.outcome import decide
from serpaudit.night.pipeline import RunOutcome, UnknownBrandError, run_pipeline, utc_now
from serpaudit.night.reporting import ReportOutcome, deliver, write_run_reports, written_folder
from serpaudit.ops.lock import RunLock, RunLocked
from serpaudit.ops.logs import add_log_file, night_summary, run_in_words
from serpaudit.ops.outputs import LowDiskError, check_free_disk, prune_evidence
from serpaudit.settings import Settings

log = logging.getLogger(__name__)


@contextmanager
def _routing(settings: Settings) -> Iterator[str | None]:
    """Where the browser's requests go: the real web (None), or the sandbox web of ``sandbox_world``."""
    if not settings.sandbox_world:
        yield None
        return
    # lazy, for start-up time only: the sandbox web loads for sandbox nights (sandbox_world set), not for others
    from sandbox import SandboxWeb, WorldError, load_world
    from sandbox.server import SandboxServer

    try:
        world = load_world(Path(settings.sandbox_world))
    except WorldError as exc:
        raise InputError(f"sandbox_world: {exc}") from exc
    with SandboxServer(SandboxWeb(world)) as server:
        log.warning("sandbox_world is set: running against the sandbox web of %s", settings.sandbox_world)
        yield server.address


def stages(config: Path | None, which: tuple[str, ...], brands: list[str] | None,
           command: str, distributed: bool | None = None, fresh: bool = False,
           **hooks: Any) -> RunOutcome:
    """Run pipeline stages under the database's run lock; returns what happened (``.decision``: its outcome).

    ``distributed``: True insists on the workers (broker_url must be set), False stays on this machine,
    None follows broker_url. ``fresh``: a new run even where an unfinished one could be resumed.
    """
    settings = settings_for(config)
    try:
        with RunLock(settings.database, command):
            return _locked_stages(settings, which, brands, command, distributed, fresh, hooks)
    except RunLocked as exc:
        raise LockedError(str(exc)) from exc


def night(config: Path | None, brands: list[str] | None, fresh: bool, distributed: bool | None = None,
          **hooks: Any) -> tuple[RunOutcome, dict[str, Any]]:
    """``serpaudit run``: every stage; returns what happened and the night's summary."""
    outcome = stages(config, ("harvest", "crawl", "audit", "report"), brands, "run", distributed, fresh, **hooks)
    settings, store = store_for(config)
    return outcome, night_summary(store, outcome)


def _locked_stages(settings: Settings, which: tuple[str, ...], brands: list[str] | None, command: str,
                   distributed: bool | None, fresh: bool, hooks: dict[str, Any]) -> RunOutcome:
    add_log_file(settings.log_file)
    store = open_store_for(settings)
    if not store.brands():
        raise InputError(f"no brands in {settings.database}; run `serpaudit init` or `serpaudit brands import FILE`")
    if distributed and not settings.broker_url:
        raise InputError("--distributed: broker_url is not set (e.g. redis://localhost:6379/0); "
                         "see docs/distributed.md")
    if distributed is False:
        settings = replace(settings, broker_url="")
    try:
        check_free_disk([settings.database.parent, settings.evidence_dir, settings.reports_dir],
                        settings.min_free_disk_mb)
    except LowDiskError as exc:
        raise IncompleteError(str(exc)) from exc
    if settings.sandbox_world and not settings.sandbox_politeness:
        settings = sandbox_pacing(settings)  # the sandbox web is ours: no budgets, short backoffs
    try:
        with _routing(settings) as resolve_all_to:
            outcome = run_pipeline(settings, store, stages=which, command=command, brand_names=brands,
                                   resolve_all_to=resolve_all_to, fresh=fresh, **hooks)
    except UnknownBrandError as exc:
        raise InputError(str(exc)) from exc
    except EvidenceWriteError as exc:
        raise IncompleteError(f"{exc.strerror}. The run is left unfinished: free space (or make the evidence "
                              "folder writable) and run again, and it resumes where it stopped") from exc
    except BrokerUnavailable as exc:  # the run is left "running" (run_pipeline): the next run resumes it
        raise IncompleteError(str(exc)) from exc
    except BrowserNotFound as exc:
        raise IncompleteError(str(exc)) from exc
    except CrawlError as exc:
        raise IncompleteError(f"the run could not complete: {exc}") from exc
    _log_outcome(outcome)
    if "crawl" in which:
        prune_evidence(store, settings.evidence_dir, settings.retention_days)
    return outcome



def _log_outcome(outcome: RunOutcome) -> None:
    log.info("run %s: %s", outcome.run_id, run_in_words(outcome.summary))
    for reason in outcome.reasons:
        log.warning("INCOMPLETE: %s", reason)
    for c in outcome.not_audited:
        log.warning("NOT audited: %s %s%s %r (%s)", c["engine"], c["device"],
                    " landing page" if c.get("kind") == "landing" else "", c["query"], c["status"])
    if outcome.mail_note:
        log.info("mail: %s", outcome.mail_note)


def _run_id(store: Store, run: str | None) -> str:
    if run:
        try:
            store.run(run)
        except KeyError:
            raise InputError(f"--run: no run {run!r} in the database; see `serpaudit findings list`") from None
        return run
    # never a false clean: a killed run (still "running") is not taken by default
    run_id = store.latest_finished_run_id()
    for r in store.unfinished_runs():
        if run_id is None or r["started_at"] >= store.run(run_id)["started_at"]:
            log.warning("run %s (started %s) is not finished: skipped; the next `serpaudit run` resumes it, "
                        "`--run %s` takes it as it is (incomplete)", r["id"], r["started_at"], r["id"])
    if not run_id:
        raise InputError("no crawl has finished in the database yet; run `serpaudit crawl` or `serpaudit run` first")
    return run_id


def _outcome(settings: Settings, store: Store, run_id: str) -> RunOutcome:
    run = store.run(run_id)
    captures = store.captures(run_id)
    outcome = RunOutcome(run_id, findings=store.findings(run_id=run_id), not_audited=not_audited(captures),
                         summary=run["summary"])
    outcome.decision = decide(("audit",), findings=outcome.findings, captures=captures,
                              not_audited=outcome.not_audited, harvests=store.harvested_brands(run_id),
                              settings=settings, run=run)
    return outcome


def audit(config: Path | None, run: str | None) -> RunOutcome:
    settings, store = store_for(config)
    run_id = _run_id(store, run)
    audit_run(store, run_id)
    apply_night(store, run_id, gone_after_nights=settings.gone_after_nights)
    outcome = _outcome(settings, store, run_id)
    _log_outcome(outcome)
    return outcome


def report(config: Path | None, run: str | None, send: bool = False) -> ReportOutcome:
    """Write the run's report folder; ``send``: mail it (platform zips only once per finding).

    A folder in place is kept as it was written, never rendered again with today's states (what that night
    found and sent stays as it was); the note says so and where today's view is.
    """
    settings, store = store_for(config)
    run_id = _run_id(store, run)
    kept = written_folder(settings, store, run_id) is not None
    bundle = write_run_reports(settings, store, run_id, utc_now())
    note = (f"{bundle.dir}: kept as it was written for run {run_id} (a night's report folder is written once and "
            "never rewritten); today's states: `serpaudit findings list`; a platform submission of the ads "
            "still to report: `serpaudit submit --platform P`") if kept else ""
    if not send:
        return ReportOutcome(bundle, note=note)
    outcome = deliver(settings, store, run_id, bundle, utc_now())
    outcome.note = note
    if outcome.mail_failed:
        raise IncompleteError(f"report written to {bundle.dir}, but {outcome.mail_note}")
    return outcome
