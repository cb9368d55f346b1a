"""``serpaudit brands import|list``."""

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
                  config: ConfigOpt = None) -> None:
    """Load brands from a CSV file into the database."""
    n = guard(app_brands.brands_import, config, file)
    typer.echo(f"imported {n} brand(s) from {file}")


@brands_app.command("list")
def brands_list(config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """List the brands in the database."""
    rows = guard(app_brands.brands_list, config)
    print_rows(rows, as_json, ["name", "domains", "phone_support", "contact_pages", "queries"])
