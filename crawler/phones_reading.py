"""The text numbers are read from: the shown text, with what is never part of a number blanked out.

Ad copy puts counts right next to the number: "Bel 0900 1234 567 7 dagen per week bereikbaar", "… 24/7",
"24 uur bereikbaar", "2 minuten wachttijd".  libphonenumber's matcher takes "0900 1234 567 7" as one
candidate, finds it invalid and drops it (or, worse, reads "0800 0227 7 dagen" as the valid 0800 02277).
A count is a small number followed by a unit of time or a per cent sign, or one of the round-the-clock
idioms (24/7, 24x7, 7j/7, 24h/24): it is blanked to spaces before the matcher reads the text, so the
number beside it stands alone.

Blanking keeps every character where it was (a :class:`Reading` has the length of its text), so a match
in the reading is at the same place in the text, where its ``raw`` is taken from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Units that follow a count in ad copy.  Plural or abbreviated forms only after a space: a single "dag",
# "u" or "h" after a digit group is the number's neighbour ("Bel 0900 1234 567 dag en nacht", "… 567 u
# wordt geholpen"), not its count; glued to the digits ("24u", "24h") they are units.
_UNITS_SPACED = (
    r"dagen|uren|uur|minuten|minuut|min|seconden|sec|weken|maanden|jaren"  # nl
    r"|days|hours|hrs|minutes|mins|seconds|secs|weeks|months|years"  # en
    r"|tage|stunden|std|minuten|sekunden|wochen|monate|jahre"  # de
    r"|jours|heures"  # fr
)
_UNITS_GLUED = r"u|h|j|d|uur|min|hrs?|std"
# Round-the-clock idioms: 24/7, 7/7, 24/24, 24x7, 24 x 7, 7j/7, 24h/24, 24u/7, 365/24.
_ROUND_THE_CLOCK = r"(?:24|7|365)\s?[hujd]?\s?[/x]\s?(?:24|7|365)[hujd]?"
_COUNT = re.compile(
    rf"(?<![\w.,/\-+])(?:{_ROUND_THE_CLOCK}(?![\w/])"
    rf"|\d{{1,3}}(?:\s(?:{_UNITS_SPACED})|(?:{_UNITS_GLUED}))(?![^\W\d_])"
    rf"|1\s(?:dag|week|maand|jaar|day|week|month|year|tag|woche|monat|jahr|jour)(?![^\W\d_])"
    r"|\d{1,3}\s?%)",
    re.I,
)
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class Reading:
    """``text`` as numbers are read from it: same length, same positions."""

    text: str


def _blank_digits(m: re.Match[str]) -> str:
    """The count with its digits (and the idiom's separators) turned to spaces, its words kept."""
    return _DIGITS.sub(lambda d: " " * len(d.group()), m.group()).replace("/", " ")


def reading_of(text: str) -> Reading:
    """The reading of ``text``: counts blanked (see the module docstring)."""
    return Reading(_COUNT.sub(_blank_digits, text))
