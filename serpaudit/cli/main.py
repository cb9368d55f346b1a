"""The ``serpaudit`` command: a thin Typer layer over the library.

Data goes to stdout (``--json`` where a script reads it); logs and progress go
to stderr.  Exit codes: 0 clean, 1 findings, 2 usage/input error, 3 the run
is incomplete, 4 another run holds the database's lock.
"""

from __future__ import annotations

import json
import logging
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from serpaudit.cli import findings as cli_findings
from serpaudit.lazy import LazyModule
from serpaudit.ops.exit_codes import EXIT_INCOMPLETE, EXIT_LOCKED, EXIT_USAGE
from serpaudit.ops.logs import NightDisplay, setup_logging

commands: Any = LazyModule("serpaudit.app.commands")  # imported when a command runs, not for --help

GLOBAL_FLAGS = ("-v", "-vv", "-vvv", "--verbose", "-q", "--quiet")


class _Root(TyperGroup):
    """``-v`` and ``-q`` work after the subcommand too (``serpaudit run -q``): moved to the front."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if "--" in args:
            cut = args.index("--")
            head, tail = args[:cut], args[cut:]
        else:
            head, tail = args, []
        flags = [a for a in head if a in GLOBAL_FLAGS]
        return super().parse_args(ctx, flags + [a for a in head if a not in GLOBAL_FLAGS] + tail)


# Plain help and errors (rich_markup_mode=None): rich's help renderer imports a Markdown parser, which
# took longer than the rest of start-up together.
PLAIN: dict[str, Any] = {"no_args_is_help": True, "rich_markup_mode": None}
app = typer.Typer(help="Find fake customer-service numbers at the top of search results.", add_completion=False,
                  pretty_exceptions_enable=False, cls=_Root, **PLAIN)
brands_app = typer.Typer(help="Manage the brands to audit.", **PLAIN)
parse_app = typer.Typer(help="Parse saved pages offline and print JSON.", **PLAIN)
findings_app = typer.Typer(help="Findings across nights: list, show and triage them.", **PLAIN)
campaigns_app = typer.Typer(help="Campaigns: findings sharing a number, domain or landing page.", **PLAIN)
official_app = typer.Typer(help="Add, remove or list official numbers by hand.", **PLAIN)
app.add_typer(brands_app, name="brands")
app.add_typer(parse_app, name="parse")
app.add_typer(findings_app, name="findings")
app.add_typer(campaigns_app, name="campaigns")
schedule_app = typer.Typer(help="Run every night: print a crontab line and systemd units, or edit your crontab.",
                           **PLAIN)
app.add_typer(official_app, name="official")
app.add_typer(schedule_app, name="schedule")
AtOpt = Annotated[str, typer.Option("--at", help="Time of night, HH:MM (cron: local time; systemd: local time).")]

ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", help="Settings file (TOML).")]
BrandOpt = Annotated[list[str] | None, typer.Option("--brand", "-b", help="Only this brand (repeatable).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


@app.callback()
def main(verbose: Annotated[int, typer.Option("--verbose", "-v", count=True, help="More log output.")] = 0,
         quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only warnings and errors.")] = False) -> None:
    level = logging.WARNING if quiet else (logging.DEBUG if verbose > 1 else logging.INFO)
    setup_logging(level)


def _fail(message: str, code: int) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def _guard(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Run a command; turn known errors into a message and the documented exit code."""
    try:
        return fn(*args, **kwargs)
    except commands.InputError as exc:
        raise _fail(str(exc), EXIT_USAGE) from exc
    except commands.IncompleteError as exc:
        raise _fail(str(exc), EXIT_INCOMPLETE) from exc
    except commands.LockedError as exc:
        raise _fail(str(exc), EXIT_LOCKED) from exc
    except Exception as exc:  # a bug or an unforeseen failure: cron must see "could not complete", not a crash
        logging.getLogger("serpaudit").exception("unexpected error")
        raise _fail(f"the run could not complete: {exc.__class__.__name__}: {exc}", EXIT_INCOMPLETE) from exc


@app.command()
def init(config: ConfigOpt = None,
         force: Annotated[bool, typer.Option(help="Overwrite an existing settings file.")] = False) -> None:
    """Create the database and a commented settings file (serpaudit.toml)."""
    for line in _guard(commands.init, config, force):
        typer.echo(line)


@brands_app.command("import")
def brands_import(file: Annotated[Path, typer.Argument(help="Brand CSV (see README: The brand CSV).")],
                  config: ConfigOpt = None) -> None:
    """Load brands from a CSV file into the database."""
    n = _guard(commands.brands_import, config, file)
    typer.echo(f"imported {n} brand(s) from {file}")


@brands_app.command("list")
def brands_list(config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """List the brands in the database."""
    rows = _guard(commands.brands_list, config)
    _print_rows(rows, as_json, ["name", "domains", "phone_support", "contact_pages", "queries"])


FINDING_COLUMNS = ["id", "status", "state", "verdict", "rule", "brand", "e164", "number_type", "engines",
                   "advertiser_domain", "reason"]


@app.command()
def harvest(config: ConfigOpt = None, brand: BrandOpt = None) -> None:
    """Visit each brand's official contact pages and store the numbers found."""
    code, outcome = _guard(commands.stages, config, ("harvest",), brand, "harvest")
    _print_rows([{"brand": b, "harvest": s} for b, s in outcome.summary.get("harvest", {}).items()], False,
                ["brand", "harvest"])
    raise typer.Exit(code)


DistributedOpt = Annotated[bool | None, typer.Option(
    "--distributed/--local", help="Crawl on `serpaudit worker`s via broker_url, or on this machine "
    "(default: on the workers when broker_url is set).")]


@app.command()
def crawl(config: ConfigOpt = None, brand: BrandOpt = None, distributed: DistributedOpt = None) -> None:
    """Run the search jobs (brand x engine x query x device) and store each capture with its evidence."""
    code, outcome = _guard(commands.stages, config, ("crawl",), brand, "crawl", distributed)
    typer.echo(f"run {outcome.run_id}: captures {outcome.summary.get('captures', {})}")
    raise typer.Exit(code)


@app.command("audit")
def audit_cmd(config: ConfigOpt = None, as_json: JsonOpt = False,
              run: Annotated[str | None, typer.Option(help="Run id (default: the latest crawl).")] = None) -> None:
    """Compare the numbers shown with the official ones and store findings."""
    code, outcome = _guard(commands.audit, config, run)
    _print_rows(outcome.findings, as_json, FINDING_COLUMNS)
    raise typer.Exit(code)


@app.command()
def report(config: ConfigOpt = None,
           run: Annotated[str | None, typer.Option(help="Run id (default: the latest crawl).")] = None,
           send: Annotated[bool, typer.Option("--send", help="Mail the reports (SMTP settings; login from the "
                                              "settings file or SERPAUDIT_SMTP_PASSWORD).")] = False) -> None:
    """Write the report folder: platform CSVs and zips, findings.csv/.xlsx, report.html, summary."""
    outcome = _guard(commands.report, config, run, send)
    for path in outcome.paths:
        typer.echo(str(path))
    if outcome.mail_note:
        typer.echo(outcome.mail_note, err=True)


@app.command()
def run(config: ConfigOpt = None, brand: BrandOpt = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the night's summary as JSON.")] = False,
        fresh: Annotated[bool, typer.Option(help="Start a new run instead of resuming an unfinished one.")] = False,
        distributed: DistributedOpt = None) -> None:
    """Harvest, crawl, audit and report in one go (for cron).

    Exit 0 clean, 1 findings, 2 input error, 3 incomplete, 4 another run holds the lock.
    """
    with NightDisplay() as display:
        code, outcome, summary = _guard(commands.night, config, brand, fresh, distributed, on_jobs=display.jobs,
                                        on_capture=display.capture)
    if as_json:
        typer.echo(json.dumps({**summary, "findings_list": outcome.findings}, indent=2, ensure_ascii=False,
                              default=str))
    else:
        _print_rows(outcome.findings, False, FINDING_COLUMNS)
        _print_summary(summary)
    raise typer.Exit(code)


def _counts(counts: dict[str, int]) -> str:
    """``{"ok": 8, "failed": 1}`` as a person reads it: ``8 ok, 1 failed``."""
    return ", ".join(f"{n} {what}" for what, n in counts.items()) or "none"


def _print_summary(summary: dict[str, Any]) -> None:
    typer.echo("")
    _print_rows(summary["engines"], False, ["engine", "jobs", "ok", "empty", "blocked", "other", "results"])
    typer.echo(f"run {summary['run']}: {summary['status']} (exit {summary['exit_code']}), "
               f"{summary['findings']} finding(s), {summary['inconclusive']} inconclusive, "
               f"{summary['not_audited']} not audited; harvests {_counts(summary['harvests'])}; seed {summary['seed']}"
               + (f"; resumed {summary['resumed']}x" if summary["resumed"] else ""))
    for reason in summary["reasons"]:
        typer.echo(f"INCOMPLETE: {reason}")
    for path in summary["reports"][-1:]:
        typer.echo(f"reports: {Path(path).parent}")


@app.command()
def worker(config: ConfigOpt = None,
           queues: Annotated[str, typer.Option(help="Region queues to serve, comma-separated (default: the "
                                                    "region setting), e.g. nl,be.")] = "",
           concurrency: Annotated[int, typer.Option(help="Jobs at once, each in its own Chromium.")] = 1) -> None:
    """Take capture jobs from broker_url and run them in this machine's Chromium (distributed crawls)."""
    _guard(commands.worker, config, [q for q in queues.split(",") if q.strip()], concurrency)


@app.command()
def demo(world: Annotated[Path | None, typer.Option(help="World file (default: the built-in world).")] = None,
         out: Annotated[Path | None, typer.Option(help="Output folder (default: a temporary one).")] = None,
         config: ConfigOpt = None, as_json: JsonOpt = False,
         nights: Annotated[int | None, typer.Option(
             help="Nights to play against one database (default: all the world's nights).")] = None) -> None:
    """Play the world's nights against the sandbox web; score each night and check the findings' lifecycle."""
    out = out or Path(tempfile.mkdtemp(prefix="serpaudit-demo-"))
    result = _guard(commands.demo, config, world, out, nights)
    if as_json:
        typer.echo(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        _print_rows(result["findings"], False, FINDING_COLUMNS)
        for line in result["lines"]:
            typer.echo(line)
    # captures the world did not expect to go unaudited (a drifted markup, say): the run is incomplete
    raise typer.Exit(0 if result["perfect"] else EXIT_INCOMPLETE if result["incomplete"] else 1)


@parse_app.command("serp")
def parse_serp(files: Annotated[list[Path], typer.Argument(help="Saved result pages (HTML).")],
               engine: Annotated[str, typer.Option(help="google, bing or duckduckgo.")],
               region: Annotated[str, typer.Option(help="Region for national numbers.")] = "NL",
               url: Annotated[str | None, typer.Option(help="The page's URL, if known.")] = None) -> None:
    """Parse saved result pages; one JSON object for one file, JSON Lines for several."""
    _print_parsed(_guard(commands.parse_serp, files, engine, region, url), len(files))


@parse_app.command("contact")
def parse_contact(files: Annotated[list[Path], typer.Argument(help="Saved contact pages (HTML or text).")],
                  url: Annotated[str | None, typer.Option(help="The page's URL, if known.")] = None,
                  region: Annotated[str, typer.Option(help="Region for national numbers.")] = "NL") -> None:
    """Parse saved contact pages; one JSON object for one file, JSON Lines for several."""
    _print_parsed(_guard(commands.parse_contact, files, url, region), len(files))


@official_app.command("list")
def official_list(config: ConfigOpt = None, as_json: JsonOpt = False,
                  brand: Annotated[str | None, typer.Option(help="Only this brand.")] = None) -> None:
    """List the official numbers known per brand."""
    rows = _guard(commands.official_list, config, brand)
    _print_rows(rows, as_json, ["brand", "e164", "number_type", "published", "manual", "found_by", "source_url",
                                "last_seen"])


@official_app.command("add")
def official_add(brand: str, number: str,
                 reason: Annotated[str, typer.Option(help="Why this number is official.")],
                 config: ConfigOpt = None) -> None:
    """Add an official number by hand; it survives harvests."""
    typer.echo(_guard(commands.official_add, config, brand, number, reason))


@official_app.command("remove")
def official_remove(brand: str, number: str,
                    reason: Annotated[str, typer.Option(help="Why this number is not official.")],
                    config: ConfigOpt = None) -> None:
    """Remove an official number by hand, with a reason."""
    typer.echo(_guard(commands.official_remove, config, brand, number, reason))


@schedule_app.command("print")
def schedule_print(config: ConfigOpt = None, at: AtOpt = "02:30") -> None:
    """Print a crontab line and a systemd service and timer for `serpaudit run` in this directory."""
    for line in _guard(commands.schedule, config, at, "print"):
        typer.echo(line)


@schedule_app.command("install")
def schedule_install(config: ConfigOpt = None, at: AtOpt = "02:30") -> None:
    """Add the nightly line to your crontab (your other lines are kept)."""
    for line in _guard(commands.schedule, config, at, "install"):
        typer.echo(line)


@schedule_app.command("remove")
def schedule_remove(config: ConfigOpt = None) -> None:
    """Remove this directory's nightly line from your crontab (your other lines are kept)."""
    for line in _guard(commands.schedule, config, "02:30", "remove"):
        typer.echo(line)


def _print_parsed(objects: list[dict[str, Any]], nfiles: int) -> None:
    if nfiles == 1:
        typer.echo(json.dumps(objects[0], indent=2, ensure_ascii=False))
    else:
        for obj in objects:
            typer.echo(json.dumps(obj, ensure_ascii=False))


def _print_rows(rows: list[dict[str, Any]], as_json: bool, columns: list[str]) -> None:
    if as_json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False, default=str))
        return
    if not rows:
        typer.echo("(none)")
        return
    cells = [[_cell(r.get(c)) for c in columns] for r in rows]
    widths = [min(max(len(c), *(len(row[i]) for row in cells)), 48) for i, c in enumerate(columns)]
    typer.echo("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    for row in cells:
        typer.echo("  ".join(v[:w].ljust(w) for v, w in zip(row, widths, strict=True)))


def _cell(v: Any) -> str:
    if isinstance(v, list | tuple):
        return ";".join(map(str, v))
    return "" if v is None else str(v)


cli_findings.register(findings_app, campaigns_app, _guard, _print_rows)
