"""``serpaudit harvest|crawl|audit|report|run``: the night's stages, one by one or all in one go."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from serpaudit.cli.common import FINDING_COLUMNS, BrandOpt, ConfigOpt, JsonOpt, guard, print_rows
from serpaudit.lazy import LazyModule
from serpaudit.ops.logs import NightDisplay, counted

if TYPE_CHECKING:  # mypy checks the CLI's calls against the real use cases
    from serpaudit.app import stages as app_stages
else:  # imported when a command runs, not for --help
    app_stages = LazyModule("serpaudit.app.stages")


def harvest(config: ConfigOpt = None, brand: BrandOpt = None) -> None:
    """Visit each brand's official contact pages and store the numbers found.

    Example: serpaudit harvest --brand KPN
    """
    outcome = guard(app_stages.stages, config, ("harvest",), brand, "harvest")
    print_rows([{"brand": b, "harvest": s} for b, s in outcome.summary.get("harvest", {}).items()], False,
                ["brand", "harvest"])
    raise typer.Exit(outcome.exit_code)


DistributedOpt = Annotated[bool | None, typer.Option(
    "--distributed/--local", help="Crawl on `serpaudit worker`s via broker_url, or on this machine "
    "(default: on the workers when broker_url is set).")]


def crawl(config: ConfigOpt = None, brand: BrandOpt = None, distributed: DistributedOpt = None) -> None:
    """Run the search jobs (brand x engine x query x device) and store each capture with its evidence.

    Example: serpaudit crawl --brand KPN --brand Ziggo
    """
    outcome = guard(app_stages.stages, config, ("crawl",), brand, "crawl", distributed)
    typer.echo(f"run {outcome.run_id}: captures {_counts(outcome.summary.get('captures', {}))}")
    raise typer.Exit(outcome.exit_code)


def audit_cmd(config: ConfigOpt = None, as_json: JsonOpt = False,
              run: Annotated[str | None, typer.Option(help="Run id (default: the latest crawl).")] = None) -> None:
    """Compare the numbers shown with the official ones and store findings.

    Example: serpaudit audit --json
    """
    outcome = guard(app_stages.audit, config, run)
    print_rows(outcome.findings, as_json, FINDING_COLUMNS)
    raise typer.Exit(outcome.exit_code)


def report(config: ConfigOpt = None,
           run: Annotated[str | None, typer.Option(help="Run id (default: the latest crawl).")] = None,
           send: Annotated[bool, typer.Option("--send", help="Mail the reports (SMTP settings; login from the "
                                              "settings file or SERPAUDIT_SMTP_PASSWORD).")] = False) -> None:
    """Write the report folder: platform CSVs and zips, findings.csv/.xlsx, report.html, summary.

    Example: serpaudit report --send
    """
    outcome = guard(app_stages.report, config, run, send)
    for path in outcome.paths:
        typer.echo(str(path))
    if outcome.note:
        typer.echo(outcome.note, err=True)
    if outcome.mail_note:
        typer.echo(outcome.mail_note, err=True)


def run(config: ConfigOpt = None, brand: BrandOpt = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the night's summary as JSON.")] = False,
        fresh: Annotated[bool, typer.Option(help="Start a new run instead of resuming an unfinished one.")] = False,
        distributed: DistributedOpt = None) -> None:
    """Harvest, crawl, audit and report in one go (for cron).

    Exit 0 clean, 1 findings, 2 input error, 3 incomplete, 4 another run holds the lock.

    Example: serpaudit run --brand telnova -q
    """
    with NightDisplay() as display:
        outcome, summary = guard(app_stages.night, config, brand, fresh, distributed, on_jobs=display.jobs,
                                 on_capture=display.capture, on_pause=display.pause)
    if as_json:
        typer.echo(json.dumps({**summary, "findings_list": outcome.findings}, indent=2, ensure_ascii=False,
                              default=str))
    else:
        print_rows(outcome.findings, False, FINDING_COLUMNS)
        _print_summary(summary)
    raise typer.Exit(outcome.exit_code)


def _counts(counts: dict[str, int]) -> str:
    """``{"ok": 8, "failed": 1}`` as a person reads it: ``8 ok, 1 failed``."""
    return ", ".join(f"{n} {what}" for what, n in counts.items()) or "none"


def _print_summary(summary: dict[str, Any]) -> None:
    typer.echo("")
    print_rows(summary["engines"], False, ["engine", "jobs", "ok", "empty", "blocked", "other", "results"])
    typer.echo(f"run {summary['run']}: {summary['status']} (exit {summary['exit_code']}), "
               f"{counted(summary['findings'], 'finding')}, {summary['inconclusive']} inconclusive, "
               + (f"{summary['dismissed']} dismissed, " if summary.get("dismissed") else "") +
               f"{summary['not_audited']} not audited; harvests {_counts(summary['harvests'])}; seed {summary['seed']}"
               + (f"; resumed {summary['resumed']}x" if summary["resumed"] else ""))
    for reason in summary["reasons"]:
        typer.echo(f"INCOMPLETE: {reason}")
    for path in summary["reports"][-1:]:
        typer.echo(f"reports: {Path(path).parent}")
