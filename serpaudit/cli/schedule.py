"""``serpaudit schedule print|install|remove``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from serpaudit.cli.common import PLAIN, ConfigOpt, guard
from serpaudit.lazy import LazyModule

if TYPE_CHECKING:  # mypy checks the CLI's calls against the real use cases
    from serpaudit.app import schedule as app_schedule
else:  # imported when a command runs, not for --help
    app_schedule = LazyModule("serpaudit.app.schedule")

schedule_app = typer.Typer(help="Run every night: print a crontab line and systemd units, or edit your crontab.",
                           **PLAIN)
AtOpt = Annotated[str, typer.Option("--at", help="Time of night, HH:MM, in UTC like `window` and the logs "
                                     "(the crontab line carries the local time of that moment).")]


@schedule_app.command("print")
def schedule_print(config: ConfigOpt = None, at: AtOpt = "02:30") -> None:
    """Print a crontab line and a systemd service and timer for `serpaudit run` in this directory.

    Example: serpaudit schedule print --at 02:30
    """
    for line in guard(app_schedule.schedule, config, at, "print"):
        typer.echo(line)


@schedule_app.command("install")
def schedule_install(config: ConfigOpt = None, at: AtOpt = "02:30") -> None:
    """Add the nightly line to your crontab (your other lines are kept).

    Example: serpaudit schedule install --at 02:30
    """
    for line in guard(app_schedule.schedule, config, at, "install"):
        typer.echo(line)


@schedule_app.command("remove")
def schedule_remove(config: ConfigOpt = None) -> None:
    """Remove this directory's nightly line from your crontab (your other lines are kept).

    Example: serpaudit schedule remove
    """
    for line in guard(app_schedule.schedule, config, "02:30", "remove"):
        typer.echo(line)
