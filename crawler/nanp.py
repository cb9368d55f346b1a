"""Which US-formatted digit strings can hold a valid North-American (+1) number at all.

The number sweep (:func:`crawler.htmltree.sweep`) reads every "ddd ddd dddd" in a Dutch page's text as
a US number too, because US numbers are printed that way in US ads.  But Dutch numbers are printed that
way as well ("020 123 4567"), and reading one in region US costs libphonenumber a try of each of the
25 regions that share +1, for every candidate and part of it: on a result-dense page that was a third
of the parse.  :func:`can_be_nanp` rules such strings out first, from facts it reads from
libphonenumber's own metadata when imported:

- in region US, a number without "+" or the international prefix (011, at the start of a digit group) is a
  +1 number, and its national significant number is a run of the written digits (US has no prefix
  transform);
- a valid +1 number's national significant number has one of the lengths and starts with one of the
  digits that the +1 regions' general patterns allow (10 digits starting 2-9; Canada also 7).

When those facts cannot be read (metadata of another shape), every string is let through, as before.
"""

from __future__ import annotations

import re
from typing import Any

import phonenumbers
from phonenumbers import PhoneMetadata

try:  # Python 3.11+
    import re._parser as _sre
    from re._constants import BRANCH, CATEGORY, CATEGORY_DIGIT, IN, LITERAL, MAX_REPEAT, MIN_REPEAT, RANGE, SUBPATTERN
except ImportError:  # pragma: no cover - older Pythons: no shortcut, every string is read
    _sre = None

_DIGITS = frozenset("0123456789")


def _first(items: list[Any]) -> frozenset[str] | None:
    """The characters a match of the parsed sequence ``items`` can start with; None when not sure
    (its first item may match nothing, or is of a kind not read here)."""
    if not items:
        return None
    op, av = items[0]
    if op is LITERAL:
        return frozenset(chr(av))
    if op is IN:
        out: set[str] = set()
        for kind, arg in av:
            if kind is LITERAL:
                out.add(chr(arg))
            elif kind is RANGE:
                out.update(chr(c) for c in range(arg[0], arg[1] + 1))
            elif kind is CATEGORY and arg is CATEGORY_DIGIT:
                out.update(_DIGITS)
            else:
                return None
        return frozenset(out)
    if op is BRANCH:
        firsts = [_first(list(alt)) for alt in av[1]]
        return None if any(f is None for f in firsts) else frozenset().union(*firsts)  # type: ignore[arg-type]
    if op is SUBPATTERN:
        return _first(list(av[-1]))
    if op in (MAX_REPEAT, MIN_REPEAT):
        return _first(list(av[2])) if av[0] >= 1 else None
    return None


def _length(items: list[Any]) -> tuple[int, int] | None:
    """The shortest and longest match of the parsed sequence ``items``; None when not read here."""
    lo = hi = 0
    for op, av in items:
        if op in (LITERAL, IN):
            span: tuple[int, int] | None = (1, 1)
        elif op is BRANCH:
            spans = [_length(list(alt)) for alt in av[1]]
            span = None if any(x is None for x in spans) else (
                min(x[0] for x in spans if x), max(x[1] for x in spans if x))
        elif op is SUBPATTERN:
            span = _length(list(av[-1]))
        elif op in (MAX_REPEAT, MIN_REPEAT) and av[1] != _sre.MAXREPEAT:
            inner = _length(list(av[2]))
            span = None if inner is None else (av[0] * inner[0], av[1] * inner[1])
        else:
            span = None
        if span is None:
            return None
        lo, hi = lo + span[0], hi + span[1]
    return lo, hi


def _nsn_starts() -> frozenset[tuple[int, str]] | None:
    """(length, first digit) of every national significant number valid in some +1 region: from each
    alternative of the region's general pattern, its first digits and the allowed lengths it can have."""
    us = PhoneMetadata.metadata_for_region("US")
    if (_sre is None or us is None or us.national_prefix_for_parsing not in (None, "1")
            or us.national_prefix_transform_rule or us.international_prefix != "011"):
        return None
    out: set[tuple[int, str]] = set()
    for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(1, ()):
        metadata = PhoneMetadata.metadata_for_region(region)
        desc = metadata.general_desc if metadata is not None else None
        if desc is None or not desc.national_number_pattern:
            return None
        lengths = [n for n in desc.possible_length if n > 0]
        try:
            parsed = list(_sre.parse(desc.national_number_pattern))
        except Exception:  # an unreadable pattern: no shortcut
            return None
        alternatives = [list(alt) for alt in parsed[0][1][1]] if len(parsed) == 1 and parsed[0][0] is BRANCH \
            else [parsed]
        for alt in alternatives:
            firsts, span = _first(alt), _length(alt)
            if not lengths or firsts is None or span is None or not firsts <= _DIGITS:
                return None
            out.update((n, d) for n in lengths if span[0] <= n <= span[1] for d in firsts)
    return frozenset(out) or None


_STARTS = _nsn_starts()
_LENGTHS = sorted({n for n, _ in _STARTS}) if _STARTS else []  # (only these lengths can be in _STARTS)
_NOT_DIGIT = re.compile(r"[^0-9]")
_DIGIT_GROUP = re.compile(r"[0-9]+")


def can_be_nanp(raw: str) -> bool:
    """False when reading ``raw`` (a "(ddd) ddd-dddd"-like string) in region US can give no valid number."""
    if _STARTS is None or not raw.isascii() or "+" in raw:
        return True
    digits = _NOT_DIGIT.sub("", raw)
    # The international prefix counts only where it starts a digit group: libphonenumber strips it at the start
    # of what it parses, and each thing read (the candidate, a part of it, a group of a run) starts at a group.
    at = 0
    for group in _DIGIT_GROUP.findall(raw):
        if digits.startswith("011", at):
            return True
        at += len(group)
    return any((n, digits[i]) in _STARTS for n in _LENGTHS for i in range(len(digits) - n + 1))
