"""``serpaudit brands import|list|remove``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from serpaudit.cli.common import PLAIN, ConfigOpt, JsonOpt, guard, print_rows
from serpaudit.lazy import LazyModule

if TYPE_CHECKING:  # mypy checks the CLI's calls against the real use cases
    from serpaudit.app import brands as app_brands
else:  # imported when a command runs, not for --help
    app_brands = LazyModule("serpaudit.app.brands")

brands_app = typer.Typer(help="Manage the brands to audit.", **PLAIN)


@brands_app.command("import")
def brands_import(file: Annotated[Path, typer.Argument(help="Brand CSV (see README: The brand CSV).")],
                  config: ConfigOpt = None,
                  replace: Annotated[bool, typer.Option(
                      "--replace", help="Remove the stored brands the file does not list (refused for a brand "
                      "with captures or findings).")] = False) -> None:
    """Load brands from a CSV file into the database (comma, semicolon or tab separated).

    Example: serpaudit brands import my-brands.csv --replace
    """
    n, gone = guard(app_brands.brands_import, config, file, replace)
    typer.echo(f"imported {n} brand(s) from {file}")
    if gone:
        typer.echo(f"removed {len(gone)} brand(s) not in the file: {', '.join(gone)}")


@brands_app.command("remove")
def brands_remove(names: Annotated[list[str], typer.Argument(
                      help="Brand names, in any case (see `serpaudit brands list`).", metavar="NAME")],
                  config: ConfigOpt = None) -> None:
    """Remove brands and their official numbers; a brand with captures or findings is kept.

    Example: serpaudit brands remove KPN Ziggo
    """
    for name in guard(app_brands.brands_remove, config, names):
        typer.echo(f"removed brand {name}")


@brands_app.command("list")
def brands_list(config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """List the brands in the database.

    Example: serpaudit brands list --json
    """
    rows = guard(app_brands.brands_list, config)
    print_rows(rows, as_json, ["name", "domains", "phone_support", "contact_pages", "queries"])
