"""Writing a run's report folder from the store, and mailing it.

The one place that gathers what a report needs besides the findings (official numbers, the trend
of the last 30 nights, campaigns, takedown times, what was already delivered) and that puts the
night's mail in the outbox, so ``report``, ``report --send`` and ``run`` behave the same.

The night's mail (:func:`deliver`): the analysts get the night's folder; each platform gets a
submission of the ads an analyst confirmed and nobody reported yet (``platform_mail_confirmed_only``,
on by default; off: the night's own platform zip, new and reopened ads looked at or not).  Everything
goes through the outbox (serpaudit.night.outbox), so a mail that fails is sent on a later run.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from audits.answer_trace import answer_states, answer_traces
from audits.campaigns import campaign_summaries
from audits.rules import not_audited
from audits.store import Store
from audits.takedowns import takedown_stats
from audits.triage import AUTO_USER
from reports import Bundle, ReportContext, write_bundle
from reports.bundle import sha256_file
from reports.mail import MailConfig, platform_body
from reports.ordered import OrderedFindings
from reports.platforms import PLATFORMS, read_report_ids
from reports.submission import submission_subject
from reports.summary import night_counts, subject
from serpaudit.night.outbox import OUTBOX_DIR, Flushed, MailTooLarge, enqueue, flush
from serpaudit.night.submissions import build_submission, submittable, taken_ids
from serpaudit.ops.outputs import ReportFolderExists, place_run_reports, run_folder_name
from serpaudit.settings import Settings

log = logging.getLogger(__name__)
TREND_NIGHTS = 30
UNREAD_ANSWERS = ("unfinished", "declined")


@dataclass
class ReportOutcome:
    bundle: Bundle
    sent: list[dict[str, Any]] = field(default_factory=list)  # the outbox mails that went through
    failed: list[str] = field(default_factory=list)  # why the others did not (they stay in the outbox)
    mail_note: str = ""  # what was mailed, or why nothing was
    note: str = ""  # about the folder itself: kept as it was written

    @property
    def paths(self) -> list[Path]:
        return self.bundle.paths

    @property
    def mail_failed(self) -> bool:
        return bool(self.failed)


def report_context(settings: Settings, store: Store, run: Mapping[str, Any], now: str) -> ReportContext:
    night = str(run.get("started_at") or now)[:10]
    try:
        last = date.fromisoformat(night)
    except ValueError:
        last = date.today()
    first = (last - timedelta(days=TREND_NIGHTS - 1)).isoformat()
    run_id = str(run.get("id") or "")
    brands = [b.name for b in store.brands()]
    # the night's AI-answer cases (their sources and states): the few the answers' section needs, not the night
    tonight = list(store.report_findings(run_id, rule="ai_answer_number")) if run_id else []
    return ReportContext(
        region=settings.region, language=settings.language, now=now, brands=brands,
        officials={b: store.official_rows(b) for b in brands},
        trend=store.findings_per_night(first, last.isoformat()),
        # the case file's campaigns (several findings sharing a number, domain or page) and takedown times
        campaigns=[c for c in campaign_summaries(store) if c["findings"] > 1],
        takedowns={t["platform"]: t for t in takedown_stats(store, int(settings.followup_days), night)
                   if t["platform"]},
        sent=store.deliveries(exclude_run_id=run_id),
        gone_tonight=store.gone_in_run(run_id) if run_id else 0,
        sent_tonight=frozenset((d["finding_id"], d["platform"]) for d in store.run_deliveries(run_id)),
        followup_days=int(getattr(settings, "followup_days", 7)),
        # AI answers: where each finding's number was found among the cited pages; answers not read whole
        answer_sources=answer_traces(store, run_id, tonight) if run_id else {},
        answer_states=answer_states(store, run_id, tonight) if run_id else {},
        answers_unread=store.unread_answers(run_id, UNREAD_ANSWERS),
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
        deadline_s=float(settings.smtp_deadline_s), max_bytes=int(settings.max_mail_mb) * 1024 * 1024,
    )  # fmt: skip


def run_is_limited(run: Mapping[str, Any]) -> bool:
    """A run limited with --brand: its reports go to a ``_brands`` folder and never replace ``latest``."""
    return bool((run["summary"].get("scope") or {}).get("brands"))


def write_run_reports(settings: Settings, store: Store, run_id: str, now: str, *,
                      findings: Sequence[Mapping[str, Any]] | None = None,
                      blocked: Sequence[Mapping[str, Any]] | None = None,
                      limited: bool | None = None) -> Bundle:  # fmt: skip
    """Write the run's report folder, ``reports/<date>_<run id>/``, whole (a temporary folder renamed into
    place) and repoint ``latest``; ``limited`` (default: the run's --brand scope) leaves ``latest`` alone.

    A folder in place is never rewritten: it is what that night found and sent (:func:`written_bundle`).
    """
    run = store.run(run_id)
    if limited is None:
        limited = run_is_limited(run)
    final = settings.reports_dir / run_folder_name(run, limited)
    made: list[Bundle] = []

    def write(folder: Path) -> list[Path]:
        made.append(write_report_bundle(settings, store, run_id, folder, now, findings=findings, blocked=blocked))
        return made[0].paths

    try:
        place_run_reports(write, settings.reports_dir, run, limited=limited)
    except ReportFolderExists:
        log.info("report: %s is in place; kept as written (a night's report folder is never rewritten)", final)
        return written_bundle(settings, store, run_id, final)
    log.info("report: %d files in %s", len(made[0].paths), final)  # the folder as it stands, not the temporary one
    return _moved(made[0], final)


def written_folder(settings: Settings, store: Store, run_id: str) -> Path | None:
    """The run's report folder, if it was written."""
    run = store.run(run_id)
    final = settings.reports_dir / run_folder_name(run, run_is_limited(run))
    return final if final.is_dir() else None


def written_bundle(settings: Settings, store: Store, run_id: str, folder: Path) -> Bundle:
    """The report folder of ``run_id`` as it was written, read back without changing a byte: its files, its
    summary, the ads each platform CSV holds, and the mail subject (from the night's counts, which later
    triage does not change)."""
    run = store.run(run_id)
    paths = sorted(p for p in folder.rglob("*") if p.is_file())
    csvs = {p: folder / f"{p}.csv" for p in PLATFORMS if (folder / f"{p}.csv").is_file()}
    zips = {p: folder / f"{p}.zip" for p in PLATFORMS if (folder / f"{p}.zip").is_file()}
    summary_file = folder / "summary.txt"
    summary = summary_file.read_text(encoding="utf-8").rstrip("\n") if summary_file.is_file() else ""
    sent = {p: read_report_ids(path) for p, path in csvs.items()}
    counts = night_counts(store.report_findings(run_id), run=run, blocked=not_audited(store.captures(run_id)),
                          context=ReportContext(brands=[b.name for b in store.brands()]), sent=sent)
    return Bundle(folder, paths, csvs, zips, sent, summary, subject(counts))


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
    """Write the report folder of ``run_id`` into ``out_dir``.

    The findings are streamed from the store in the report's order and read afresh by each output
    (reports.ordered), all in one snapshot: a case an analyst moves to another state meanwhile is in every
    output as it was when the report began, never in the tally of one pass and missing from the next.
    """
    with store.snapshot():
        run = store.run(run_id)
        rows = list(findings) if findings is not None else OrderedFindings(lambda: store.report_findings(run_id))
        skipped = list(blocked) if blocked is not None else not_audited(store.captures(run_id))
        ctx = report_context(settings, store, run, now)
        return write_bundle(rows, out_dir, run=run, blocked=skipped, context=ctx)


def deliver(settings: Settings, store: Store, run_id: str, bundle: Bundle, now: str) -> ReportOutcome:
    """Put the night's mail in the outbox and send everything pending; without SMTP settings, say so."""
    outcome = ReportOutcome(bundle)
    config = mail_config(settings)
    if config is None:
        outcome.mail_note = f"not mailed: no smtp_host in the settings; the files are in {bundle.dir}"
        log.warning("%s", outcome.mail_note)
        return outcome
    queue: dict[str, Any] = {"now": now, "max_bytes": config.max_bytes, "zip_dir": settings.reports_dir / OUTBOX_DIR}
    day = str(store.run(run_id).get("started_at") or now)[:10]  # the platform mails name the night
    if config.analysts:  # each call mails the analysts the night (again: `report --send` asks for it)
        enqueue(store, kind="analysts", recipients=config.analysts, subject=bundle.subject,
                body=bundle.summary + "\n", attachments=bundle.analyst_files, folder=bundle.dir, run_id=run_id,
                **queue)  # fmt: skip
    too_large = []
    for platform in PLATFORMS:
        recipients = tuple(config.platforms.get(platform, ()))
        if recipients:
            try:
                _queue_platform(settings, store, run_id, bundle, platform, recipients, day, queue)
            except MailTooLarge as exc:  # the other mails still go; the night says why this one did not
                log.error("mail: %s", exc)
                too_large.append(str(exc))
    outcome = _flushed(outcome, flush_outbox(store, config))
    outcome.failed += too_large
    outcome.mail_note = "; ".join(filter(None, [outcome.mail_note, *too_large]))
    return outcome


def _queue_platform(settings: Settings, store: Store, run_id: str, bundle: Bundle, platform: str,
                    recipients: tuple[str, ...], day: str, queue: dict[str, Any]) -> None:
    now = queue["now"]
    if settings.platform_mail_confirmed_only:
        ads = submittable(store, platform, states=("confirmed",))
        # an analyst who built a bundle and did not mail it uploads it by the platform's form: not mailed again
        by_hand = {fid: s for s in store.unmailed_submissions(platform, AUTO_USER) for fid in s["finding_ids"]}
        held = [a["id"] for a in ads if a["id"] in by_hand]
        if held:
            log.info("%d confirmed ad(s) not mailed to %s: in a submission built by hand and not mailed (%s); "
                     "mark them reported once uploaded, or send it with `serpaudit submit --send`", len(held),
                     platform, ", ".join(sorted({f"{by_hand[i]['id']} by {by_hand[i]['by']}" for i in held})))
        ads = [a for a in ads if a["id"] not in by_hand]
        if not ads:
            return
        sub = build_submission(settings, store, platform, ads, by=AUTO_USER, now=now, run_id=run_id)
        subject = submission_subject(platform, len(sub.finding_ids), day)
        enqueue(store, kind=platform, recipients=recipients, subject=subject,
                body=platform_body(platform, len(sub.finding_ids)), attachments=[sub.zip_path], folder=sub.folder,
                submission_id=sub.id, finding_ids=sub.finding_ids, zip_sha256=sub.zip_sha256, key=sub.id,
                **queue)  # fmt: skip
        return
    # every new or reopened ad of the night, as its folder's zip holds them, less what went before
    taken = taken_ids(store, platform)
    ids = [i for i in bundle.sent.get(platform, ()) if i not in taken]
    if ids and platform in bundle.platform_zips:
        zip_path = bundle.platform_zips[platform]
        enqueue(store, kind=platform, recipients=recipients, subject=submission_subject(platform, len(ids), day),
                body=platform_body(platform, len(ids), bundle.summary), attachments=[zip_path], folder=bundle.dir,
                run_id=run_id, finding_ids=ids, zip_sha256=sha256_file(zip_path), key=f"{run_id}:{platform}",
                **queue)  # fmt: skip


def retry_outbox(settings: Settings, store: Store) -> Flushed | None:
    """The mails earlier runs could not send, sent now (None: no SMTP settings, or nothing pending)."""
    config = mail_config(settings)
    if config is None or not store.outbox("pending"):
        return None
    return flush_outbox(store, config)


def flush_outbox(store: Store, config: MailConfig) -> Flushed:
    """Send every pending mail of the outbox (tonight's and earlier nights' that failed)."""
    return flush(store, config, lambda: datetime.now(UTC).isoformat(timespec="seconds"))


def _flushed(outcome: ReportOutcome, done: Flushed) -> ReportOutcome:
    outcome.sent = done.sent
    outcome.failed = done.reasons
    to = sorted({r for m in done.sent for r in m["recipients"]})
    outcome.mail_note = "; ".join([*([f"mailed to {', '.join(to)}"] if to else []), *outcome.failed])
    return outcome
