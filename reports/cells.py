"""Cells that spreadsheets read as text, never as formulas, and phone numbers that paste as numbers.

Ad titles, ad text and URLs come from the attackers.  Excel and LibreOffice evaluate a cell that
starts with ``=``, ``+``, ``-`` or ``@`` (after blanks), and a cell starting with a tab or carriage
return hides what follows.  Quoting every field is not enough: Dutch Excel splits a ``.csv`` on
``;``, so the quoted title ``x;=cmd|' /C calc'!A0;x`` falls apart into a bare ``=cmd...`` cell.
:func:`neutralise` therefore puts a ``'`` before a formula start at the beginning of the cell AND
after every character a reader might split on (``,`` ``;`` tab, ``|``, line breaks, a quote), so
the text stays inert whichever delimiter is used.  The ``'`` is visible; safe beats pretty.

Phone numbers must paste into a complaint form as the number, so they are never written with a
``'``: :func:`phone_number` writes the number as dialled from the report's region (``0900 123
4567``, ``00 32 2 ...`` for foreign numbers): it starts with a digit or ``(`` and holds a blank,
so spreadsheets keep it as text and it never starts a formula.  E.164 (``+31...``) would start a
formula, so it is written as an RFC 3966 URI (``tel:+319001234567``) by :func:`phone_tel`.
"""

from __future__ import annotations

import csv
import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import phonenumbers

_FORMULA_START = "=+-@"
# a formula start at the cell's start or after a character some reader splits cells on
_SPLIT_THEN_FORMULA = re.compile(r"(^|[,;\t|\r\n\"])([ \t\"]*)(?=[=+\-@])")
_LEADING_CONTROL = ("\t", "\r", "\n")


def neutralise(value: Any) -> str:
    """A cell no spreadsheet evaluates as a formula, whichever delimiter it splits the line on."""
    s = "" if value is None else str(value)
    if not s:
        return s
    s = _SPLIT_THEN_FORMULA.sub(lambda m: f"{m.group(1)}{m.group(2)}'", s)
    if s[:1] in _LEADING_CONTROL:
        s = "'" + s
    return s


def is_inert(text: str) -> bool:
    """True when ``text`` cannot start a formula in any cell a reader might cut it into."""
    return _SPLIT_THEN_FORMULA.search(text) is None and text[:1] not in _LEADING_CONTROL


def phone_number(e164: Any, region: str = "NL") -> str:
    """The number as dialled from ``region``: national format at home, ``00 <cc> ...`` abroad."""
    if not e164:
        return ""
    return _dialled(str(e164), region)


@functools.lru_cache(maxsize=4096)
def _dialled(e164: str, region: str) -> str:
    """:func:`phone_number`, kept for the last few thousand numbers: each output of a report writes a case's
    number several times (its cell, all its numbers, its reasons), and libphonenumber's parse is pure Python."""
    try:
        n = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return neutralise(e164)
    text = phonenumbers.format_out_of_country_calling_number(n, region)
    if " " not in text:  # a bare digit run would become a number and lose its leading 0
        text = phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.NATIONAL)
    return text if is_inert(text) else neutralise(text)


def phone_tel(e164: Any) -> str:
    """The E.164 number as a ``tel:`` URI: never a formula, and the digits stay exact."""
    return f"tel:{e164}" if e164 else ""


def phone_as_shown(raw: Any, e164: Any = None, region: str = "NL") -> str:
    """The number as the result showed it, in a cell that pastes as that number.

    A leading ``+`` becomes ``00 `` (the same number dialled from abroad, and no formula); a bare run
    of digits (``0612345678``, a ``wa.me`` link) would become a spreadsheet number and lose its
    leading 0, so it is written grouped like :func:`phone_number`.
    """
    s = "" if raw is None else str(raw).strip()
    # what a person saw: the invisible characters (zero-width spaces, joiners, direction marks) a page hides
    # between the digits to keep its number from readers were not shown, and would break the pasted number
    s = "".join(ch for ch in s if unicodedata.category(ch) != "Cf")
    if s.lstrip("+").isdigit() and e164:
        return phone_number(e164, region)
    if s.startswith("+"):
        s = "00 " + s[1:].lstrip()
    return neutralise(s)


def write_csv(path: Path, header: Iterable[str], rows: Iterable[Iterable[Any]]) -> Path:
    """UTF-8 with a BOM (Excel then reads the accents), every field quoted, every cell neutralised."""
    with csv_rows(path, header) as write:
        for row in rows:
            write(row)
    return path


@contextmanager
def csv_rows(path: Path, header: Iterable[str]) -> Iterator[Callable[[Iterable[Any]], None]]:
    """:func:`write_csv` a row at a time: the function it gives writes one (several files written in one pass)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        w.writerow([neutralise(h) for h in header])
        yield lambda row: w.writerow([neutralise(v) for v in row])
