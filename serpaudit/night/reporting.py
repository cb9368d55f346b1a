"""Writing a run's report folder from the store, and mailing it.

The one place that gathers what a report needs besides the findings (official numbers, the trend
of the last 30 nights, campaigns, takedown times, what was already delivered) and that records
deliveries, so ``report``, ``report --send`` and ``run`` behave the same.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from audits.answer_trace import answer_states, answer_traces
from audits.campaigns import campaign_summaries
from audits.rules import not_audited
from audits.store import Store
from audits.takedowns import takedown_stats
from audits.triage import AUTO_USER, TriageError, change_state
from reports import Bundle, ReportContext, write_bundle
from reports.bundle import sha256_file
from reports.mail import Delivery, MailConfig, MailError, recipients_of, send
from serpaudit.ops.outputs import place_run_reports, run_folder_name
from serpaudit.settings import Settings

log = logging.getLogger(__name__)
TREND_NIGHTS = 30
UNREAD_ANSWERS = ("unfinished", "declined")


@dataclass
class ReportOutcome:
    bundle: Bundle
    deliveries: list[Delivery] = field(default_factory=list)
    mail_note: str = ""  # why nothing (or not everything) was mailed
    mail_failed: bool = False  # the SMTP server failed us (connection, TLS, login, refusal)

    @property
    def paths(self) -> list[Path]:
        return self.bundle.paths


def report_context(settings: Settings, store: Store, run: Mapping[str, Any], now: str) -> ReportContext:
    night = str(run.get("started_at") or now)[:10]
    try:
        last = date.fromisoformat(night)
    except ValueError:
        last = date.today()
    first = (last - timedelta(days=TREND_NIGHTS - 1)).isoformat()
    run_id = str(run.get("id") or "")
    brands = [b.name for b in store.brands()]
    tonight = store.findings(run_id=run_id) if run_id else []
    return ReportContext(
        region=settings.region, language=settings.language, now=now, brands=brands,
        officials={b: store.official_rows(b) for b in brands},
        trend=store.findings_per_night(first, last.isoformat()),
        # the case file's campaigns (several findings sharing a number, domain or page) and takedown times
        campaigns=[c for c in campaign_summaries(store) if c["findings"] > 1],
        takedowns={t["platform"]: t for t in takedown_stats(store, int(settings.followup_days), night)
                   if t["platform"]},
        sent=store.deliveries(exclude_run_id=run_id),
        gone_tonight=sum(1 for f in store.query_findings(status="gone", include_dismissed=True)
                         if f.get("status_run_id") == run_id),
        sent_tonight=frozenset((d["finding_id"], d["platform"]) for d in store.run_deliveries(run_id)),
        followup_days=int(getattr(settings, "followup_days", 7)),
        # AI answers: where each finding's number was found among the cited pages; answers not read whole
        answer_sources=answer_traces(store, run_id, tonight) if run_id else {},
        answer_states=answer_states(store, run_id, tonight) if run_id else {},
        answers_unread=[r for r in store.results(run_id) if r.get("kind") == "ai_answer"
                        and r.get("capture_kind") == "serp" and r.get("answer_state") in UNREAD_ANSWERS],
    )  # fmt: skip


def mail_config(settings: Settings) -> MailConfig | None:
    if not settings.smtp_host:
        return None
    return MailConfig(
        host=settings.smtp_host, port=settings.smtp_port, security=settings.smtp_security,
        username=settings.smtp_user, password=settings.smtp_password, ca_file=settings.smtp_ca_file,
        sender=settings.mail_from, analysts=settings.analyst_recipients,
        platforms={"google_ads": settings.google_ads_recipients,
                   "microsoft_advertising": settings.microsoft_advertising_recipients},
    )  # fmt: skip


def run_is_limited(run: Mapping[str, Any]) -> bool:
    """A run limited with --brand: its reports go to a ``_brands`` folder and never replace ``latest``."""
    return bool((run["summary"].get("scope") or {}).get("brands"))


def write_run_reports(settings: Settings, store: Store, run_id: str, now: str, *,
                      findings: Sequence[Mapping[str, Any]] | None = None,
                      blocked: Sequence[Mapping[str, Any]] | None = None,
                      limited: bool | None = None) -> Bundle:  # fmt: skip
    """Write the run's report folder, ``reports/<date>_<run id>/``, whole (a temporary folder renamed into
    place) and repoint ``latest``; ``limited`` (default: the run's --brand scope) leaves ``latest`` alone."""
    run = store.run(run_id)
    if limited is None:
        limited = run_is_limited(run)
    made: list[Bundle] = []

    def write(folder: Path) -> list[Path]:
        made.append(write_report_bundle(settings, store, run_id, folder, now, findings=findings, blocked=blocked))
        return made[0].paths

    place_run_reports(write, settings.reports_dir, run, limited=limited)
    final = settings.reports_dir / run_folder_name(run, limited)
    log.info("report: %d files in %s", len(made[0].paths), final)  # the folder as it stands, not the temporary one
    return _moved(made[0], final)


def write_missing_reports(settings: Settings, store: Store, command: str, now: str) -> Bundle | None:
    """The reports of the newest finished ``command`` run when it has none: killed after it finished and
    before its report folder was in place. Written (and mailed, with ``send_reports``) before the next night
    starts, so a kill at that moment costs a late report, never a lost one."""
    run_id = store.latest_finished_run_id((command,))
    if run_id is None:
        return None
    run = store.run(run_id)
    scope = run["summary"].get("scope") or {}
    if "report" not in (scope.get("stages") or ()):
        return None
    if (settings.reports_dir / run_folder_name(run, run_is_limited(run))).is_dir():
        return None
    log.warning("run %s finished without its reports (killed while writing them?): writing them now", run_id)
    bundle = write_run_reports(settings, store, run_id, now)
    if settings.send_reports:
        deliver(settings, store, run_id, bundle, now)
    return bundle


def _moved(bundle: Bundle, final: Path) -> Bundle:
    """The bundle as it stands after its folder was renamed to ``final``."""

    def at(p: Path) -> Path:
        return final / p.relative_to(bundle.dir)

    return replace(bundle, dir=final, paths=[at(p) for p in bundle.paths],
                   platform_csvs={k: at(p) for k, p in bundle.platform_csvs.items()},
                   platform_zips={k: at(p) for k, p in bundle.platform_zips.items()})


def write_report_bundle(settings: Settings, store: Store, run_id: str, out_dir: Path, now: str,
                        findings: Sequence[Mapping[str, Any]] | None = None,
                        blocked: Sequence[Mapping[str, Any]] | None = None) -> Bundle:  # fmt: skip
    """Write the report folder of ``run_id`` into ``out_dir``."""
    run = store.run(run_id)
    rows = list(findings) if findings is not None else store.findings(run_id=run_id)
    skipped = list(blocked) if blocked is not None else not_audited(store.captures(run_id))
    ctx = report_context(settings, store, run, now)
    return write_bundle(rows, out_dir, run=run, blocked=skipped, context=ctx)


def deliver(settings: Settings, store: Store, run_id: str, bundle: Bundle, now: str) -> ReportOutcome:
    """Mail ``bundle`` and record what each platform received; without SMTP settings, say so."""
    outcome = ReportOutcome(bundle)
    config = mail_config(settings)
    if config is None:
        outcome.mail_note = f"not mailed: no smtp_host in the settings; the files are in {bundle.dir}"
        log.warning("%s", outcome.mail_note)
        return outcome
    already = {(d["platform"], d["finding_id"]) for d in store.run_deliveries(run_id)}
    if already:  # this run's platform mails went out before: never twice
        bundle = _without_delivered(bundle, already)
    try:
        outcome.deliveries = send(bundle, config, bundle.subject)
    except MailError as exc:
        outcome.deliveries = exc.delivered
        outcome.mail_note = str(exc)
        outcome.mail_failed = True
        log.error("mail: %s", exc)
    for d in outcome.deliveries:
        if d.kind in bundle.platform_zips:
            store.record_delivery(run_id, d.kind, d.finding_ids, d.recipients, now,
                                  sha256_file(bundle.platform_zips[d.kind]))  # fmt: skip
            _mark_reported(store, d, now)
    if outcome.deliveries and not outcome.mail_note:
        outcome.mail_note = f"mailed to {', '.join(recipients_of(outcome.deliveries))}"
    return outcome


def _mark_reported(store: Store, delivery: Delivery, now: str) -> None:
    """What a platform was mailed is ``reported`` to it from today: takedown times and follow-ups count
    from here, and the finding leaves the open list. The event names the recipients."""
    for fid in delivery.finding_ids:
        try:
            change_state(store, fid, "reported", platform=delivery.kind, on=now[:10], at=now, user=AUTO_USER,
                         reference=f"mailed to {', '.join(delivery.recipients)}")
        except TriageError as exc:  # a finding gone from the store since: the mail still went out
            log.warning("mail: %s", exc)


def _without_delivered(bundle: Bundle, already: set[tuple[str, str]]) -> Bundle:
    sent = {p: [i for i in ids if (p, i) not in already] for p, ids in bundle.sent.items()}
    return replace(bundle, sent=sent)
