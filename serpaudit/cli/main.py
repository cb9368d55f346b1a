"""The ``serpaudit`` command tree: the root command, its groups, and the commands in the order --help lists them.

A thin Typer layer over the use cases in :mod:`serpaudit.app`, one module per command group. Data goes to
stdout (``--json`` where a script reads it); logs and progress go to stderr.  Exit codes: 0 clean,
1 findings, 2 usage/input error, 3 the run is incomplete, 4 another run holds the database's lock.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from serpaudit import __version__
from serpaudit.cli import demo, serve, stages, submit, worker
from serpaudit.cli import findings as cli_findings
from serpaudit.cli.brands import brands_app
from serpaudit.cli.common import PLAIN, ConfigOpt, guard, print_rows
from serpaudit.cli.official import official_app
from serpaudit.cli.parse import parse_app
from serpaudit.cli.schedule import schedule_app
from serpaudit.lazy import LazyModule
from serpaudit.ops.logs import setup_logging

if TYPE_CHECKING:  # mypy checks the CLI's calls against the real use cases
    from serpaudit.app import config as app_config
else:  # imported when a command runs, not for --help
    app_config = LazyModule("serpaudit.app.config")

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


app = typer.Typer(help="Find fake customer-service numbers at the top of search results.", add_completion=False,
                  pretty_exceptions_enable=False, cls=_Root, **PLAIN)
findings_app = typer.Typer(help="Findings across nights: list, show and triage them.", **PLAIN)
campaigns_app = typer.Typer(help="Campaigns: findings sharing a number, domain or landing page.", **PLAIN)


def _version(shown: bool) -> None:
    if shown:
        typer.echo(f"serpaudit {__version__}")
        raise typer.Exit(0)


@app.callback(epilog="Example: serpaudit demo   (then: serpaudit init, serpaudit run; see README.md)")
def main(verbose: Annotated[int, typer.Option("--verbose", "-v", count=True, help="More log output.")] = 0,
         quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only warnings and errors.")] = False,
         version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                               help="Print serpaudit's version and exit.")] = False) -> None:
    level = logging.WARNING if quiet else (logging.DEBUG if verbose > 1 else logging.INFO)
    setup_logging(level)


@app.command()
def init(config: ConfigOpt = None,
         force: Annotated[bool, typer.Option(help="Overwrite an existing settings file.")] = False,
         defaults: Annotated[bool, typer.Option(
             "--defaults/--no-defaults", help="Load the default Dutch brands into an empty database "
             "(with sandbox_world set: the world's brands instead).")] = True) -> None:
    """Create the database and a commented settings file (serpaudit.toml).

    Example: serpaudit init --no-defaults && serpaudit brands import my-brands.csv
    """
    for line in guard(app_config.init, config, force, defaults):
        typer.echo(line)


app.command()(stages.harvest)
app.command()(stages.crawl)
app.command("audit")(stages.audit_cmd)
app.command()(stages.report)
app.command()(stages.run)
app.command()(submit.submit)
app.command()(submit.outbox)
app.command()(worker.worker)
app.command()(demo.demo)
app.command()(serve.serve)
app.add_typer(brands_app, name="brands")
app.add_typer(parse_app, name="parse")
app.add_typer(findings_app, name="findings")
app.add_typer(campaigns_app, name="campaigns")
app.add_typer(official_app, name="official")
app.add_typer(schedule_app, name="schedule")
cli_findings.register(findings_app, campaigns_app, guard, print_rows)
