"""``serpaudit schedule print|install|remove``: sweeps once or several times a day."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from serpaudit.cli.common import PLAIN, ConfigOpt, guard
from serpaudit.lazy import LazyModule

if TYPE_CHECKING:  # mypy checks the CLI's calls against the real use cases
    from serpaudit.app import schedule as app_schedule
else:  # imported when a command runs, not for --help
    app_schedule = LazyModule("serpaudit.app.schedule")

schedule_app = typer.Typer(help="Run sweeps once or several times a day: print crontab lines and systemd units, "
                                "or edit your crontab.", **PLAIN)
AtOpt = Annotated[str, typer.Option("--at", help="Sweep times, HH:MM in UTC like `window` and the logs, comma-"
                                    "separated for several a day: 02:30,09:30,14:00 (the crontab lines carry the "
                                    "local time of each moment).")]
EveryOpt = Annotated[str | None, typer.Option("--every", help="Sweep at --at and every so many hours before and "
                                              "after it within the day: 4h, 90m, 1h30m (1h to 24h).",
                                              show_default=False)]


@schedule_app.command("print")
def schedule_print(config: ConfigOpt = None, at: AtOpt = "02:30", every: EveryOpt = None) -> None:
    """Print crontab lines and a systemd service and timer for `serpaudit run` in this directory.

    Each sweep is one run; several a day catch ads that run only at some hours (--at 02:30,09:30,14:00, or
    --every 4h).

    Example: serpaudit schedule print --at 02:30,09:30,14:00
    """
    for line in guard(app_schedule.schedule, config, at, "print", every):
        typer.echo(line)


@schedule_app.command("install")
def schedule_install(config: ConfigOpt = None, at: AtOpt = "02:30", every: EveryOpt = None) -> None:
    """Add this directory's sweeps to your crontab, replacing its earlier ones (your other lines are kept).

    Example: serpaudit schedule install --at 02:30 --every 4h
    """
    for line in guard(app_schedule.schedule, config, at, "install", every):
        typer.echo(line)


@schedule_app.command("remove")
def schedule_remove(config: ConfigOpt = None) -> None:
    """Remove this directory's sweeps from your crontab (your other lines are kept).

    Example: serpaudit schedule remove
    """
    for line in guard(app_schedule.schedule, config, "02:30", "remove"):
        typer.echo(line)
