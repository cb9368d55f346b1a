"""``serpaudit official list|add|remove``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from serpaudit.cli.common import PLAIN, ConfigOpt, JsonOpt, guard, print_rows
from serpaudit.lazy import LazyModule

if TYPE_CHECKING:  # mypy checks the CLI's calls against the real use cases
    from serpaudit.app import officials as app_officials
else:  # imported when a command runs, not for --help
    app_officials = LazyModule("serpaudit.app.officials")

official_app = typer.Typer(help="Add, remove or list official numbers by hand.", **PLAIN)


@official_app.command("list")
def official_list(config: ConfigOpt = None, as_json: JsonOpt = False,
                  brand: Annotated[str | None, typer.Option(help="Only this brand.")] = None) -> None:
    """List the official numbers known per brand."""
    rows = guard(app_officials.official_list, config, brand)
    print_rows(rows, as_json, ["brand", "e164", "number_type", "published", "manual", "found_by", "source_url",
                                "last_seen"])


@official_app.command("add")
def official_add(brand: str, number: str,
                 reason: Annotated[str, typer.Option(help="Why this number is official.")],
                 config: ConfigOpt = None) -> None:
    """Add an official number by hand; it survives harvests."""
    typer.echo(guard(app_officials.official_add, config, brand, number, reason))


@official_app.command("remove")
def official_remove(brand: str, number: str,
                    reason: Annotated[str, typer.Option(help="Why this number is not official.")],
                    config: ConfigOpt = None) -> None:
    """Remove an official number by hand, with a reason."""
    typer.echo(guard(app_officials.official_remove, config, brand, number, reason))
