"""What every command shares: the common options, the error guard that maps errors to exit codes, the printers."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, ParamSpec, Protocol, TypeVar

import typer
from typer import core as _typer_core

from serpaudit.app.errors import CommandError
from serpaudit.night.outcome import Outcome, failed, foreseen

_KINDS = {"str": "TEXT", "int": "INTEGER", "float": "NUMBER", "path": "PATH", "Path": "PATH", "bool": "yes/no"}
_typer_display_type = _typer_core.TyperOption.display_type


def _type_label(param: Any, ctx: Any) -> str:
    """A value's kind as --help shows it to people: PATH, TEXT, INTEGER, a|b|c (never a Python type)."""
    label = str(_typer_display_type(param, ctx)).strip("<>")
    if label.startswith("list[") and label.endswith("]"):  # a repeatable option: each value is one
        label = label[5:-1]
    return "|".join(_KINDS.get(part, part) for part in label.split("|"))


def _argument_name(param: Any) -> str:
    return str(param.metavar or param.name).upper() + ("..." if param.nargs != 1 else "")


def _usage_name(param: Any) -> str:
    return _argument_name(param) if param.required else f"[{_argument_name(param)}]"


# Typer's plain help shows an option's Python type (<list[str]>, <path>) and an argument as {file}: help for
# people names kinds of values (PATH, TEXT) and arguments in capitals (FILE, ID...), as click does.
_typer_core.TyperOption.display_type_rich = lambda self, ctx: self.metavar or _type_label(self, ctx)  # type: ignore[method-assign,assignment]
_typer_core.TyperArgument.display_type_rich = lambda self, ctx: None  # type: ignore[method-assign,assignment]
_typer_core.TyperArgument._rich_display_name = _argument_name  # type: ignore[method-assign,assignment]
_typer_core.TyperArgument._usage_display_name = _usage_name  # type: ignore[method-assign,assignment]

# Plain help and errors (rich_markup_mode=None): rich's help renderer imports a Markdown parser, which
# took longer than the rest of start-up together.
PLAIN: dict[str, Any] = {"no_args_is_help": True, "rich_markup_mode": None}

ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", help="Settings file (TOML).")]
BrandOpt = Annotated[list[str] | None, typer.Option("--brand", "-b", help="Only this brand (repeatable).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]

# one row per case (an ad, an organic result or an AI answer) with every number it showed and every rule
FINDING_COLUMNS = ["id", "status", "state", "verdict", "case_kind", "brand", "numbers", "rules", "engines",
                   "advertiser_domain", "reason"]


def _fail(outcome: Outcome) -> typer.Exit:
    typer.echo(f"error: {outcome.reasons[0]}", err=True)
    return typer.Exit(outcome.exit_code)


P = ParamSpec("P")
T = TypeVar("T")


def guard(fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """Run a command; turn an error into its message and the exit serpaudit.night.outcome.failed gives it.

    Typed so that mypy checks each call's arguments against the use case and knows what it returns.
    """
    try:
        return fn(*args, **kwargs)
    except CommandError as exc:
        raise _fail(failed(exc)) from exc
    except Exception as exc:  # a bug or an unforeseen failure: cron must see "could not complete", not a crash
        if not foreseen(exc):  # a database gone mid-run says all in its message: no traceback
            logging.getLogger("serpaudit").exception("unexpected error")
        raise _fail(failed(exc)) from exc
class Guard(Protocol):
    """The type of :func:`guard`, for modules that are handed it."""

    def __call__(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T: ...


def print_parsed(objects: list[dict[str, Any]], nfiles: int) -> None:
    if nfiles == 1:
        typer.echo(json.dumps(objects[0], indent=2, ensure_ascii=False))
    else:
        for obj in objects:
            typer.echo(json.dumps(obj, ensure_ascii=False))


HEADINGS = {"e164": "number", "case_kind": "kind"}  # the human table shows a number as dialled; --json keeps E.164


def phone_display(e164: str) -> str:
    """An E.164 number as a person dials it from the Netherlands: 0900 1234567; 00 1 ... abroad."""
    from reports.cells import phone_number  # lazy: phonenumbers loads for a table with numbers only

    return phone_number(e164, "NL") if e164 else ""


def print_rows(rows: list[dict[str, Any]], as_json: bool, columns: list[str]) -> None:
    """Rows as JSON, or as a table that fits the terminal's width and wraps between words, never in one.

    Piped (no terminal) the table keeps its natural width: one line per row, for grep.
    """
    if as_json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False, default=str))
        return
    if not rows:
        typer.echo("(none)")
        return
    import io
    import shutil
    import sys

    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else 100_000
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="", padding=(0, 1))
    cells = [[_cell(r.get(c), c) for c in columns] for r in rows]
    headings = [HEADINGS.get(c, c.replace("_", " ")) for c in columns]
    # a column is never narrower than its longest word (a number: than itself), so words wrap whole, never cut
    room = width - 2 * (len(columns) - 1)
    least = _least_widths(headings, cells, columns)
    if sum(least) > room:  # names of kinds ('unofficial_number') may then wrap at their underscores
        cells = [[v.replace("_", " ") if c in _KIND_COLUMNS else v for v, c in zip(row, columns, strict=True)]
                 for row in cells]
        least = _least_widths(headings, cells, columns)
    if sum(least) > room:  # too narrow for a table: one block of lines per row
        for row in cells:
            for h, v in zip(headings, row, strict=True):
                typer.echo(f"{h}: {v}" if v else f"{h}:")
            typer.echo("")
        return
    widths = [max(len(v) for v in [h, *(row[i] for row in cells)]) for i, h in enumerate(headings)]
    while sum(widths) > room:  # take the room from the column with the most to spare
        i = max(range(len(widths)), key=lambda k: widths[k] - least[k])
        widths[i] -= 1
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="", padding=(0, 1))
    for h, w in zip(headings, widths, strict=True):
        table.add_column(h, width=w, overflow="fold")
    for row in cells:
        table.add_row(*(Text(v) for v in row))
    out = io.StringIO()
    Console(file=out, width=width, color_system=None, highlight=False, emoji=False, markup=False).print(table)
    for line in out.getvalue().splitlines():
        typer.echo(line.rstrip())


_KIND_COLUMNS = {"rule", "rules", "number_type", "found_by", "case_kind"}
_NUMBER_COLUMNS = {"e164", "numbers"}


def _least_widths(headings: list[str], cells: list[list[str]], columns: list[str]) -> list[int]:
    return [max(len(w) for v in [h, *(row[i] for row in cells)] for w in _words(v, columns[i]))
            for i, h in enumerate(headings)]


def _words(text: str, column: str) -> list[str]:
    if column in _NUMBER_COLUMNS:  # a number never wraps inside itself
        return text.split(", ") or [""]
    return text.split() or [""]


def _cell(v: Any, column: str = "") -> str:
    if column == "e164" and v:
        return phone_display(str(v))
    if column == "numbers" and isinstance(v, list | tuple):
        return ", ".join(phone_display(str(n)) for n in v)
    if column.endswith(("_seen", "_at")) and isinstance(v, str) and v.endswith("+00:00"):
        return v[:-6].replace("T", " ") + " UTC"  # date and time wrap apart in a narrow terminal
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, list | tuple):
        return ";".join(map(str, v))
    return "" if v is None else str(v)
