"""``serpaudit parse serp|contact``: saved pages to JSON, offline."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from serpaudit.cli.common import PLAIN, guard, print_parsed
from serpaudit.lazy import LazyModule

if TYPE_CHECKING:  # mypy checks the CLI's calls against the real use cases
    from serpaudit.app import parse as app_parse
else:  # imported when a command runs, not for --help
    app_parse = LazyModule("serpaudit.app.parse")

parse_app = typer.Typer(help="Parse saved pages offline and print JSON.", **PLAIN)


@parse_app.command("serp")
def parse_serp(files: Annotated[list[Path], typer.Argument(help="Saved result pages (HTML).")],
               engine: Annotated[str, typer.Option(help="google, bing or duckduckgo.")],
               region: Annotated[str, typer.Option(help="Region for national numbers.")] = "NL",
               url: Annotated[str | None, typer.Option(help="The page's URL, if known.")] = None) -> None:
    """Parse saved result pages; one JSON object for one file, JSON Lines for several.

    Example: serpaudit parse serp --engine google page.html
    """
    print_parsed(guard(app_parse.parse_serp, files, engine, region, url), len(files))


@parse_app.command("contact")
def parse_contact(files: Annotated[list[Path], typer.Argument(help="Saved contact pages (HTML or text).")],
                  url: Annotated[str | None, typer.Option(help="The page's URL, if known.")] = None,
                  region: Annotated[str, typer.Option(help="Region for national numbers.")] = "NL") -> None:
    """Parse saved contact pages; one JSON object for one file, JSON Lines for several.

    Example: serpaudit parse contact --url https://www.kpn.com/contact contact.html
    """
    print_parsed(guard(app_parse.parse_contact, files, url, region), len(files))
