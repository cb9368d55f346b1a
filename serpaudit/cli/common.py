"""What every command shares: the common options, the error guard that maps errors to exit codes, the printers."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, ParamSpec, Protocol, TypeVar

import typer

from serpaudit.app.errors import IncompleteError, InputError, LockedError
from serpaudit.ops.exit_codes import EXIT_INCOMPLETE, EXIT_LOCKED, EXIT_USAGE

# Plain help and errors (rich_markup_mode=None): rich's help renderer imports a Markdown parser, which
# took longer than the rest of start-up together.
PLAIN: dict[str, Any] = {"no_args_is_help": True, "rich_markup_mode": None}

ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", help="Settings file (TOML).")]
BrandOpt = Annotated[list[str] | None, typer.Option("--brand", "-b", help="Only this brand (repeatable).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]

FINDING_COLUMNS = ["id", "status", "state", "verdict", "rule", "brand", "e164", "number_type", "engines",
                   "advertiser_domain", "reason"]


def _fail(message: str, code: int) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


P = ParamSpec("P")
T = TypeVar("T")


def guard(fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """Run a command; turn known errors into a message and the documented exit code.

    Typed so that mypy checks each call's arguments against the use case and knows what it returns.
    """
    try:
        return fn(*args, **kwargs)
    except InputError as exc:
        raise _fail(str(exc), EXIT_USAGE) from exc
    except IncompleteError as exc:
        raise _fail(str(exc), EXIT_INCOMPLETE) from exc
    except LockedError as exc:
        raise _fail(str(exc), EXIT_LOCKED) from exc
    except Exception as exc:  # a bug or an unforeseen failure: cron must see "could not complete", not a crash
        logging.getLogger("serpaudit").exception("unexpected error")
        raise _fail(f"the run could not complete: {exc.__class__.__name__}: {exc}", EXIT_INCOMPLETE) from exc
class Guard(Protocol):
    """The type of :func:`guard`, for modules that are handed it."""

    def __call__(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T: ...


def print_parsed(objects: list[dict[str, Any]], nfiles: int) -> None:
    if nfiles == 1:
        typer.echo(json.dumps(objects[0], indent=2, ensure_ascii=False))
    else:
        for obj in objects:
            typer.echo(json.dumps(obj, ensure_ascii=False))


def print_rows(rows: list[dict[str, Any]], as_json: bool, columns: list[str]) -> None:
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
