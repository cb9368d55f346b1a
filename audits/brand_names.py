"""Brand names as a person types them: matched without regard to case, a typo answered with "did you mean".

Every command that takes a brand name (``--brand``, ``official add``, ``brands remove``) resolves it here
against the stored names, so ``telnova``, ``TELNOVA`` and ``Telnova`` are one brand everywhere, and
``Telnva`` is an error that names the closest brand instead of an empty list.
"""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz import fuzz, process

# How alike (0-100, rapidfuzz's ratio of the case-folded names) a typo must be to be offered as the brand meant.
SUGGEST_SCORE = 60


class UnknownBrandError(ValueError):
    """A brand name that is not in the brand list; the message names it and the closest stored brand."""

    def __init__(self, unknown: list[str], suggestions: dict[str, str]) -> None:
        self.unknown = unknown
        self.suggestions = suggestions
        parts = [f"{n!r}" + (f" (did you mean {suggestions[n]!r}?)" if n in suggestions else "") for n in unknown]
        super().__init__(f"unknown brand{'s' if len(unknown) > 1 else ''} {', '.join(parts)}; "
                         "see `serpaudit brands list`")


def closest_brand(name: str, known: Iterable[str]) -> str | None:
    """The stored brand most like ``name``, when one is alike enough to be a typo of it."""
    names = list(known)
    match = process.extractOne(name.casefold(), [n.casefold() for n in names], scorer=fuzz.ratio,
                               score_cutoff=SUGGEST_SCORE)
    return names[match[2]] if match else None


def resolve_brand_names(wanted: Iterable[str], known: Iterable[str]) -> list[str]:
    """The stored spelling of each name in ``wanted`` (case-insensitive, duplicates dropped, order kept).

    Raises :class:`UnknownBrandError` naming every name that matches no brand, with the closest one.
    """
    by_key = {n.casefold(): n for n in known}
    found: list[str] = []
    unknown: list[str] = []
    for name in wanted:
        stored = by_key.get(name.strip().casefold())
        if stored is None:
            unknown.append(name)
        elif stored not in found:
            found.append(stored)
    if unknown:
        suggestions = {n: s for n in unknown if (s := closest_brand(n, by_key.values())) is not None}
        raise UnknownBrandError(unknown, suggestions)
    return found
