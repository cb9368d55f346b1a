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
    """List the official numbers known per brand.

    Example: serpaudit official list --brand kpn
    """
    rows = guard(app_officials.official_list, config, brand)
    print_rows(rows, as_json, ["brand", "e164", "number_type", "published", "manual", "found_by", "source_url",
                                "last_seen"])


BrandArg = Annotated[str, typer.Argument(help="The brand, in any case (see `serpaudit brands list`).")]
NumberArg = Annotated[str, typer.Argument(help="The number as written, e.g. '0800 0402' or '+31 800 0402' "
                                               "(national numbers in the settings' region).")]


@official_app.command("add")
def official_add(brand: BrandArg, number: NumberArg,
                 reason: Annotated[str, typer.Option(help="Why this number is official.")],
                 config: ConfigOpt = None) -> None:
    """Add an official number by hand; it survives harvests.

    Example: serpaudit official add KPN "0800 0402" --reason "printed on the bill"
    """
    typer.echo(guard(app_officials.official_add, config, brand, number, reason))


@official_app.command("remove")
def official_remove(brand: BrandArg, number: NumberArg,
                    reason: Annotated[str, typer.Option(help="Why this number is not official.")],
                    config: ConfigOpt = None) -> None:
    """Remove an official number by hand, with a reason.

    Example: serpaudit official remove KPN "0800 0402" --reason "line closed"
    """
    typer.echo(guard(app_officials.official_remove, config, brand, number, reason))
