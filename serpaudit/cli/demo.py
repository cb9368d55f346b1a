"""``serpaudit demo``: the world's nights against the sandbox web, scored."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from serpaudit.cli.common import FINDING_COLUMNS, ConfigOpt, JsonOpt, guard, print_rows
from serpaudit.lazy import LazyModule

if TYPE_CHECKING:  # mypy checks the CLI's calls against the real use cases
    from serpaudit.app import demo_command as app_demo
else:  # imported when a command runs, not for --help
    app_demo = LazyModule("serpaudit.app.demo_command")


def demo(world: Annotated[Path | None, typer.Option(help="World file (default: the built-in world).")] = None,
         out: Annotated[Path | None, typer.Option(
             help="Output folder (default: a temporary one). An earlier demo's output there is replaced; a folder "
             "with any other run is refused.")] = None,
         config: ConfigOpt = None, as_json: JsonOpt = False,
         nights: Annotated[int | None, typer.Option(
             help="Nights to play against one database (default: all the world's nights).")] = None) -> None:
    """Play the world's nights against the sandbox web; score each night and check the findings' lifecycle.

    Example: serpaudit demo --out demo-out --nights 1
    """
    out = out or Path(tempfile.mkdtemp(prefix="serpaudit-demo-"))
    outcome, result = guard(app_demo.demo, config, world, out, nights)
    if as_json:
        typer.echo(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print_rows(result["findings"], False, FINDING_COLUMNS)
        for line in result["lines"]:
            typer.echo(line)
    raise typer.Exit(outcome.exit_code)
