"""What a command's run came to: its status, exit code and reasons, decided here and nowhere else.

    decide(stages, ...)   run, crawl, harvest, audit (and each night of the demo): from what the night produced
    decide_demo(...)      demo: from how its findings scored against the world's ground truth
    undelivered(...)      run, report --send, submit --send: a mail that did not go through makes it incomplete
    worker_stopped()      worker: it served jobs until it was stopped
    failed(error)         any command that raised: the error's class says which exit it is (serpaudit.app.errors,
                          audits.store_file for the database file)

The CLI only maps an :class:`Outcome` to ``raise typer.Exit(outcome.exit_code)``. The tables below are README's
section "Exit codes" (scripts/exit_codes_readme.py writes it from them; a test keeps the two equal). This
module imports nothing heavy: the CLI loads it for ``--help``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from serpaudit.night.health import harvest_reasons, incomplete_reasons, inconclusive_reason, unfinished_reason

if TYPE_CHECKING:
    from serpaudit.settings import Settings


@dataclass(frozen=True)
class ExitStatus:
    """One exit code of a command and what it means (a row of README's table)."""

    status: str
    code: int
    meaning: str


CLEAN = ExitStatus("clean", 0, "clean: every capture was audited and no number is a finding")
FINDINGS = ExitStatus("findings", 1, "findings: at least one scam or suspect number")
USAGE = ExitStatus("usage", 2, "usage or input error: bad settings, brand CSV or world file (the message names "
                   "file, line and field), or a database that is missing, not SQLite or not serpaudit's (never "
                   "created anew nor changed); nothing stored is lost")
INCOMPLETE = ExitStatus(
    "incomplete", 3, "incomplete: part of the audit is missing, even where scams were found; the reasons are in "
    "the summary and the report: no browser; captures blocked (CAPTCHA, block page, consent wall, HTTP 4xx/5xx), "
    "failed or unreadable (`unknown`: a markup change?), or `drift` (the drift alarm saw ads the parser missed); "
    "a landing page that did not load; or numbers left inconclusive because a brand's official set is unknown "
    "(its harvest failed). Part of the audit is missing; a blocked page is never \"no ads found\". More than "
    "`max_failed_harvest_share` of the brand harvests failed (for `harvest` alone: any), or an engine showed zero "
    "results for more than `max_empty_share` of its queries (a block or a markup change looks like that), also "
    "make a night incomplete. So does a mail (the analysts' night, a platform's submission) that did not go through: "
    "it stays in the outbox and is sent on the next run. A full disk or a read-only evidence folder stops the run, "
    "left to resume once fixed; a database deleted or replaced while the run was going stops it too, its content "
    "first saved beside it as `<database>.lost-<UTC time>`.")
LOCKED = ExitStatus("locked", 4, "another `run`, `crawl`, `harvest` or `demo` holds the database's lock; the "
                    "message names its pid, command and start time. Nothing was done")

# the demo scores its findings against the world: findings are the point of a demo, not an error
DEMO_MATCH = ExitStatus("match", 0, "its findings match the world's ground truth exactly")
DEMO_MISMATCH = ExitStatus("mismatch", 1, "the findings (or their lifecycle over the nights) differ from the "
                           "world's ground truth otherwise")
DEMO_UNPLANNED = ExitStatus("incomplete", 3, "captures the world did not plan were not audited (a `drift` "
                            "capture, say)")

WORKER_STOPPED = ExitStatus("stopped", 0, "stopped (SIGTERM or Ctrl-C) once the jobs at hand were done")
WORKER_USAGE = ExitStatus("usage", 2, "usage or input error: no broker_url, bad `--queues` or `--concurrency`, "
                          "bad settings")
WORKER_FAILED = ExitStatus("incomplete", 3, "no Chromium, or the worker failed")

# README's tables, command by command
EXIT_TABLES: dict[str, tuple[ExitStatus, ...]] = {
    "run, crawl, harvest, audit": (CLEAN, FINDINGS, USAGE, INCOMPLETE, LOCKED),
    "demo": (DEMO_MATCH, DEMO_MISMATCH, USAGE, DEMO_UNPLANNED, LOCKED),
    "worker": (WORKER_STOPPED, WORKER_USAGE, WORKER_FAILED),
}

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, EXIT_INCOMPLETE, EXIT_LOCKED = (s.code for s in EXIT_TABLES[
    "run, crawl, harvest, audit"])


@dataclass(frozen=True)
class Outcome:
    status: str  # clean | findings | usage | incomplete | locked; demo: match | mismatch; worker: stopped
    exit_code: int
    reasons: tuple[str, ...] = ()  # why the run is incomplete or failed; empty when it is whole

    @classmethod
    def of(cls, exit_status: ExitStatus, reasons: Sequence[str] = ()) -> Outcome:
        return cls(exit_status.status, exit_status.code, tuple(reasons))


def decide(stages: Sequence[str], *, findings: Sequence[dict[str, Any]], captures: Sequence[dict[str, Any]],
           not_audited: Sequence[dict[str, Any]], harvests: dict[str, str], settings: Settings,
           run: dict[str, Any] | None = None) -> Outcome:
    """The outcome of the ``stages`` a command ran (``audit`` of a stored run: ``("audit",)`` and its ``run``).

    Incomplete when part of the audit is missing, whatever was found in the rest; else findings when a
    number is a scam or suspect that no analyst dismissed; else clean. ``captures`` are judged when the run
    crawled or audited them; ``findings`` only when it audited.
    """
    reasons = unfinished_reason(run) if run is not None else []
    if "crawl" in stages or "audit" in stages:
        reasons += incomplete_reasons(list(captures), harvests, list(not_audited),
                                      max_failed_harvest_share=settings.max_failed_harvest_share,
                                      max_empty_share=settings.max_empty_share)
    elif "harvest" in stages:  # a harvest alone is for the official numbers: any brand left without them
        reasons += harvest_reasons(harvests, max_failed_share=0.0)
    scams: list[dict[str, Any]] = []
    if "audit" in stages:
        scams = [f for f in findings if is_scam(f)]
        # numbers that could not be judged (official set unknown), unless dismissed: not clean
        reasons += inconclusive_reason([f for f in findings if not is_scam(f) and f.get("state") != "dismissed"])
    if reasons:
        return Outcome.of(INCOMPLETE, reasons)
    return Outcome.of(FINDINGS if scams else CLEAN)


def undelivered(outcome: Outcome, failures: Sequence[str]) -> Outcome:
    """``outcome`` once the mail went out: a mail that did not go through (``failures``: why, one per mail) makes
    it incomplete, whatever was found; it stays in the outbox for the next run."""
    if not failures:
        return outcome
    return Outcome.of(INCOMPLETE, [*outcome.reasons, *failures])


def is_scam(finding: dict[str, Any]) -> bool:
    """A scam or suspect number an analyst has not dismissed (dismissed ones are still stored and counted)."""
    return finding["verdict"] != "inconclusive" and finding.get("state") != "dismissed"


def decide_demo(*, perfect: bool, unplanned_not_audited: Sequence[str], differences: Sequence[str]) -> Outcome:
    """The demo's outcome: ``perfect`` (every night and the lifecycle as the world says), or why not."""
    if perfect:
        return Outcome.of(DEMO_MATCH)
    if unplanned_not_audited:
        return Outcome.of(DEMO_UNPLANNED, unplanned_not_audited)
    return Outcome.of(DEMO_MISMATCH, differences or ["the findings differ from the world's ground truth"])


def worker_stopped() -> Outcome:
    return Outcome.of(WORKER_STOPPED)


def failed(error: BaseException) -> Outcome:
    """A command that raised: its error class names its exit (``exit_status``); a database that is not there,
    not serpaudit's, or went away under the run (audits.store_file) is exit 2 found at the start and 3 found
    mid-run; anything else is a bug or an unforeseen failure, and cron must see "could not complete", not a
    crash."""
    exit_status = getattr(error, "exit_status", None)
    if isinstance(exit_status, ExitStatus):
        return Outcome.of(exit_status, [str(error)])
    database_exit = _database_exit(error)
    if database_exit is not None:
        return Outcome.of(database_exit, [str(error)])
    return Outcome.of(INCOMPLETE, [f"the run could not complete: {error.__class__.__name__}: {error}"])


def foreseen(error: BaseException) -> bool:
    """Whether ``error`` is one serpaudit foresaw, whose message says all (the log needs no traceback)."""
    return isinstance(getattr(error, "exit_status", None), ExitStatus) or _database_exit(error) is not None


def _database_exit(error: BaseException) -> ExitStatus | None:
    from audits.store_file import DatabaseFileError  # lazy: only a failed command needs it

    if not isinstance(error, DatabaseFileError):
        return None
    return INCOMPLETE if error.while_open else USAGE
