"""What each CLI command does, as plain functions (the CLI only prints).

Known failures become :class:`InputError` (exit 2) or :class:`IncompleteError`
(exit 3) with a message that names the file, line or field at fault.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import phonenumbers

from audits.brands import BrandFileError, default_brands_path, load_brands_csv, read_brands_csv
from audits.lifecycle import apply_night
from audits.rules import audit as audit_run
from audits.rules import not_audited
from audits.store import Store
from crawler import contact
from crawler.engines import ENGINE_NAMES, get_engine
from crawler.errors import BrowserNotFound, CrawlError
from crawler.phones import number_type_name, to_e164
from serpaudit.crawl.politeness import without_budgets
from serpaudit.night.health import incomplete_reasons, unfinished_reason
from serpaudit.night.landing import page_limits
from serpaudit.night.pipeline import (
    EXIT_CLEAN,
    EXIT_INCOMPLETE,
    RunOutcome,
    UnknownBrandError,
    open_store,
    run_pipeline,
    utc_now,
)
from serpaudit.night.reporting import ReportOutcome, deliver, write_run_reports
from serpaudit.ops import schedule as sched
from serpaudit.ops.lock import RunLock, RunLocked
from serpaudit.ops.logs import add_log_file, night_summary
from serpaudit.ops.outputs import LowDiskError, check_free_disk, prune_evidence
from serpaudit.settings import DEFAULT_CONFIG_NAME, Settings, SettingsError, load_settings, settings_toml

log = logging.getLogger(__name__)


class InputError(Exception):
    """Bad input from the user: exit 2."""


class IncompleteError(Exception):
    """The work could not be done: exit 3."""


class LockedError(Exception):
    """Another run holds the database's lock: exit 4."""


def _settings(config: Path | None) -> Settings:
    try:
        return load_settings(config)
    except SettingsError as exc:
        raise InputError(str(exc)) from exc


def _store(config: Path | None) -> tuple[Settings, Store]:
    settings = _settings(config)
    return settings, open_store(settings)


def init(config: Path | None, force: bool) -> list[str]:
    path = config or Path(DEFAULT_CONFIG_NAME)
    lines = []
    if path.exists() and not force:
        lines.append(f"{path} exists; kept (use --force to overwrite)")
    else:
        try:
            path.write_text(settings_toml(), encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{path}: {exc.strerror or exc}") from exc
        lines.append(f"wrote {path}")
    settings, store = _store(path)
    lines.append(f"database ready at {settings.database}")
    if not store.brands():
        n = store.upsert_brands(load_brands_csv(default_brands_path()))
        lines.append(f"loaded {n} default Dutch brands (serpaudit brands import FILE adds your own)")
    return lines


def brands_import(config: Path | None, file: Path) -> int:
    _, store = _store(config)
    try:
        rows = read_brands_csv(file)
    except BrandFileError as exc:
        raise InputError(str(exc)) from exc
    except OSError as exc:
        raise InputError(f"{file}: {exc.strerror or exc}") from exc
    stored = {b.name.casefold(): b.name for b in store.brands()}
    for line, brand in rows:
        other = stored.get(brand.name.casefold())
        if other is not None and other != brand.name:
            raise InputError(f"{file.name}:{line}: field 'name': brand {brand.name!r} differs only in case from "
                             f"the stored brand {other!r}; one brand, one spelling")
    return store.upsert_brands(b for _, b in rows)


def brands_list(config: Path | None) -> list[dict[str, Any]]:
    _, store = _store(config)
    return [{"name": b.name, "domains": list(b.domains), "phone_support": b.phone_support,
             "contact_pages": list(b.contact_pages), "queries": list(b.queries)} for b in store.brands()]


@contextmanager
def _routing(settings: Settings) -> Iterator[str | None]:
    """Where the browser's requests go: the real web (None), or the sandbox web of ``sandbox_world``."""
    if not settings.sandbox_world:
        yield None
        return
    # the sandbox web (and below, the demo, and the worker's Celery) load only for the commands that use them
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
           **hooks: Any) -> tuple[int, RunOutcome]:
    """Run pipeline stages under the database's run lock; returns the exit code and what happened.

    ``distributed``: True insists on the workers (broker_url must be set), False stays on this machine,
    None follows broker_url. ``fresh``: a new run even where an unfinished one could be resumed.
    """
    settings = _settings(config)
    try:
        with RunLock(settings.database, command):
            return _locked_stages(settings, which, brands, command, distributed, fresh, hooks)
    except RunLocked as exc:
        raise LockedError(str(exc)) from exc


def night(config: Path | None, brands: list[str] | None, fresh: bool, distributed: bool | None = None,
          **hooks: Any) -> tuple[int, RunOutcome, dict[str, Any]]:
    """``serpaudit run``: every stage; returns the exit code, the outcome and the night's summary."""
    code, outcome = stages(config, ("harvest", "crawl", "audit", "report"), brands, "run", distributed, fresh,
                           **hooks)
    settings, store = _store(config)
    return code, outcome, night_summary(store, outcome)


def _locked_stages(settings: Settings, which: tuple[str, ...], brands: list[str] | None, command: str,
                   distributed: bool | None, fresh: bool, hooks: dict[str, Any]) -> tuple[int, RunOutcome]:
    add_log_file(settings.log_file)
    store = open_store(settings)
    if not store.brands():
        raise InputError(f"no brands in {settings.database}; run `serpaudit init` or `serpaudit brands import FILE`")
    if distributed and not settings.broker_url:
        raise InputError("--distributed: broker_url is not set (e.g. redis://localhost:6379/0); see README.md")
    if distributed is False:
        settings = replace(settings, broker_url="")
    try:
        check_free_disk([settings.database.parent, settings.evidence_dir, settings.reports_dir],
                        settings.min_free_disk_mb)
    except LowDiskError as exc:
        raise IncompleteError(str(exc)) from exc
    if settings.sandbox_world:
        settings = without_budgets(settings)  # the sandbox web is ours: no politeness budget to keep
    try:
        with _routing(settings) as resolve_all_to:
            outcome = run_pipeline(settings, store, stages=which, command=command, brand_names=brands,
                                   resolve_all_to=resolve_all_to, fresh=fresh, **hooks)
    except UnknownBrandError as exc:
        raise InputError(str(exc)) from exc
    except BrowserNotFound as exc:
        raise IncompleteError(str(exc)) from exc
    except CrawlError as exc:
        raise IncompleteError(f"the run could not complete: {exc}") from exc
    _log_outcome(outcome)
    if "crawl" in which:
        prune_evidence(store, settings.evidence_dir, settings.retention_days)
    if which == ("harvest",):
        failed = [b for b, s in outcome.summary.get("harvest", {}).items() if s == "failed"]
        return (EXIT_INCOMPLETE if failed else EXIT_CLEAN), outcome
    if "audit" not in which:
        return (EXIT_INCOMPLETE if outcome.not_audited else EXIT_CLEAN), outcome
    return outcome.exit_code, outcome


def worker(config: Path | None, queues: list[str], concurrency: int) -> None:
    """Serve capture jobs from the broker until stopped."""
    settings = _settings(config)
    if not settings.broker_url:
        raise InputError("broker_url is not set: a worker needs the broker (e.g. redis://coordinator:6379/0)")
    if concurrency < 1:
        raise InputError(f"--concurrency: {concurrency} is not a positive number")
    bad = [q for q in queues if q.strip().upper() not in phonenumbers.SUPPORTED_REGIONS]
    if bad:
        raise InputError(f"--queues: {', '.join(bad)}: not region codes such as nl, be or de")
    from serpaudit.crawl.distributed.worker import run_worker  # lazy: Celery loads for `serpaudit worker` only

    try:
        run_worker(settings, queues, concurrency)
    except BrowserNotFound as exc:
        raise IncompleteError(str(exc)) from exc


def _log_outcome(outcome: RunOutcome) -> None:
    log.info("run %s: %s", outcome.run_id, outcome.summary)
    for reason in outcome.reasons:
        log.warning("INCOMPLETE: %s", reason)
    for c in outcome.not_audited:
        log.warning("NOT audited: %s %s %r (%s)", c["engine"], c["device"], c["query"], c["status"])
    for p in outcome.reports:
        log.info("report: %s", p)
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
    outcome.reasons = unfinished_reason(run) + incomplete_reasons(
        captures, store.harvested_brands(run_id), outcome.not_audited,
        max_failed_harvest_share=settings.max_failed_harvest_share, max_empty_share=settings.max_empty_share)
    return outcome


def audit(config: Path | None, run: str | None) -> tuple[int, RunOutcome]:
    settings, store = _store(config)
    run_id = _run_id(store, run)
    audit_run(store, run_id)
    apply_night(store, run_id, gone_after_nights=settings.gone_after_nights)
    outcome = _outcome(settings, store, run_id)
    _log_outcome(outcome)
    return outcome.exit_code, outcome


def report(config: Path | None, run: str | None, send: bool = False) -> ReportOutcome:
    """Write the run's report folder; ``send``: mail it (platform zips only once per finding)."""
    settings, store = _store(config)
    run_id = _run_id(store, run)
    bundle = write_run_reports(settings, store, run_id, utc_now())
    if not send:
        return ReportOutcome(bundle)
    outcome = deliver(settings, store, run_id, bundle, utc_now())
    if outcome.mail_failed:
        raise IncompleteError(f"report written to {bundle.dir}, but {outcome.mail_note}")
    return outcome


def demo(config: Path | None, world: Path | None, out: Path, nights: int | None = None) -> dict[str, Any]:
    from sandbox import DEFAULT_WORLD_PATH, WorldError, load_world  # lazy: the sandbox is for the demo only
    from serpaudit.app.demo import run_demo

    settings = _settings(config)
    try:
        load_world(world or DEFAULT_WORLD_PATH)  # a bad world file is refused before anything is created
        with RunLock(out / "serpaudit.db", "demo"):
            result = run_demo(world or DEFAULT_WORLD_PATH, out, settings, progress=lambda s: log.info("%s", s),
                              nights=nights)
    except RunLocked as exc:
        raise LockedError(str(exc)) from exc
    except WorldError as exc:
        raise InputError(str(exc)) from exc
    except BrowserNotFound as exc:
        raise IncompleteError(str(exc)) from exc
    lines = [""]
    for n in result.nights:
        lines += _night_lines(n.night, n.score, n.run)
    if result.lifecycle or result.triage:
        lines += ["", f"lifecycle check over {len(result.nights)} night(s):"]
        lines += [f"  {t}" for t in result.triage]
        lines += [c.line() for c in result.lifecycle]
        lines.append("lifecycle OK: new, recurring, gone, reopened and dismissed findings as the world expects"
                     if result.lifecycle_ok else "lifecycle FAILED: the case file differs from the world's nights")
    lines += ["", f"database: {result.settings.database}", f"evidence: {result.settings.evidence_dir}"]
    lines += [f"report:   {p}" for p in result.run.reports]
    lines.append("demo OK: findings match the world's ground truth" if result.perfect
                 else "demo FAILED: findings differ from the world's ground truth")
    score = result.score
    return {"perfect": result.perfect,
            "incomplete": any(n.score.blocked_unexpected for n in result.nights),
            "precision": score.precision, "recall": score.recall,
            "nights": [{"night": n.night, "precision": n.score.precision, "recall": n.score.recall,
                        "perfect": n.score.perfect, "run_id": n.run.run_id} for n in result.nights],
            "lifecycle": [{"night": c.night, "brand": c.brand, "finding": c.what, "want": c.want, "got": c.got,
                           "ok": c.ok} for c in result.lifecycle],
            "findings": result.run.findings, "not_audited": result.run.not_audited,
            "reports": [str(p) for p in result.run.reports], "out": str(out), "lines": lines}


def _night_lines(night: int, score: Any, run: RunOutcome) -> list[str]:
    lines = [f"night {night}: precision {score.precision:.2f}  recall {score.recall:.2f}  "
             f"({len(run.scams)} finding(s), {len(run.findings) - len(run.scams)} inconclusive or dismissed, "
             f"{len(run.not_audited)} capture(s) not audited)"]
    lines += [f"  MISSED: {b} {n}" for b, n in score.missed]
    lines += [f"  UNEXPECTED: {b} {n}" for b, n in score.unexpected]
    lines += [f"  INCONCLUSIVE MISSED: {b} {n}" for b, n in score.inconclusive_missed]
    lines += [f"  UNEXPECTED INCONCLUSIVE: {b} {n}" for b, n in score.inconclusive_unexpected]
    lines += [f"  BLOCK NOT REPORTED: {e} {q!r}" for e, q in score.blocked_missed]
    lines += [f"  NOT AUDITED, UNEXPECTEDLY: {e} {q!r}" for e, q in score.blocked_unexpected]
    lines += [f"  AD CLICK URL REQUESTED: {u}" for u in score.click_requests]
    lines += [f"  not audited ({c['status']}): {c['engine']} {c['device']} {c['query']!r}"
              + (f": {c['error']}" if c.get("error") else "") for c in run.not_audited]
    return lines


def _read(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise InputError(f"{file}: {exc.strerror or exc}") from exc


def _check_page_options(region: str, url: str | None) -> None:
    if region not in phonenumbers.SUPPORTED_REGIONS:
        hint = (f"region codes are upper case: {region.upper()!r}" if region.upper() in phonenumbers.SUPPORTED_REGIONS
                else "not a region code phonenumbers knows, such as NL, BE or DE")
        raise InputError(f"--region: {region!r}: {hint}")
    if url is not None:
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises ValueError for a port out of range
        except ValueError as exc:
            raise InputError(f"--url: {url!r} is not a valid URL ({exc})") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InputError(f"--url: {url!r} is not an absolute http(s) URL")


def parse_serp(files: list[Path], engine: str, region: str, url: str | None) -> list[dict[str, Any]]:
    if engine not in ENGINE_NAMES:
        raise InputError(f"--engine: {engine!r} is not one of {', '.join(ENGINE_NAMES)}")
    _check_page_options(region, url)
    module = get_engine(engine)
    out = []
    for f in files:
        page = module.parse(_read(f), url, region=region).to_dict()
        out.append({"file": str(f), **page} if len(files) > 1 else page)
    return out


def parse_contact(files: list[Path], url: str | None, region: str) -> list[dict[str, Any]]:
    _check_page_options(region, url)
    limits = page_limits(Settings())  # a saved page is as hostile as a live one: the default cap and budget
    out = []
    for f in files:
        page = contact.parse(_read(f), url, region, limits).to_dict()
        out.append({"file": str(f), **page} if len(files) > 1 else page)
    return out


def official_list(config: Path | None, brand: str | None) -> list[dict[str, Any]]:
    _, store = _store(config)
    return store.official_rows(brand)


def _number(store: Store, settings: Settings, brand: str, number: str) -> dict[str, str]:
    if store.brand(brand) is None:
        raise InputError(f"unknown brand {brand!r} (names are case-sensitive); see `serpaudit brands list`")
    try:
        parsed = phonenumbers.parse(number, settings.region)
    except phonenumbers.NumberParseException as exc:
        raise InputError(f"number {number!r}: {exc}") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise InputError(f"number {number!r} is not a valid phone number in region {settings.region}")
    return {"raw": number, "e164": to_e164(parsed), "number_type": number_type_name(parsed), "channel": "text"}


def official_add(config: Path | None, brand: str, number: str, reason: str) -> str:
    settings, store = _store(config)
    phone = _number(store, settings, brand, number)
    store.record_official(brand, phone, "", "manual", utc_now(), None, manual=True, reason=reason)
    return f"{brand}: {phone['e164']} added as official ({reason})"


def official_remove(config: Path | None, brand: str, number: str, reason: str) -> str:
    settings, store = _store(config)
    phone = _number(store, settings, brand, number)
    store.remove_official(brand, phone["e164"], reason)
    return f"{brand}: {phone['e164']} removed from the official numbers ({reason})"


def schedule(config: Path | None, at: str, action: str) -> list[str]:
    """``schedule print|install|remove``: the lines to show."""
    try:
        plan = sched.make_schedule(_settings(config), config, at)
    except sched.ScheduleError as exc:
        raise InputError(str(exc)) from exc
    try:
        if action == "install":
            return [f"installed in your crontab:\n{sched.install(plan)}"]
        if action == "remove":
            n = sched.remove(plan)
            return [f"removed {n} serpaudit line(s) for {plan.workdir} from your crontab"]
    except sched.ScheduleError as exc:
        raise IncompleteError(str(exc)) from exc
    return ["# crontab line (crontab -e, or `serpaudit schedule install`):", plan.crontab_line(), "",
            "# systemd: ~/.config/systemd/user/serpaudit.service", plan.systemd_service(),
            "# systemd: ~/.config/systemd/user/serpaudit.timer", plan.systemd_timer(),
            "# then: systemctl --user daemon-reload && systemctl --user enable --now serpaudit.timer"]
