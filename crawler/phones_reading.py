"""The text numbers are read from: the text as a person sees it, folded so that libphonenumber can read it.

A scammer writes the number so that a reader sees it and a program does not:

- **counts beside it**: "Bel 0900 1234 567 7 dagen per week bereikbaar", "… 24/7", "24 uur bereikbaar",
  "2 minuten wachttijd".  libphonenumber's matcher takes "0900 1234 567 7" as one candidate, finds it
  invalid and drops it (or reads "0800 0227 7 dagen" as the valid 0800 02277).  A count (a small number
  followed by a unit of time or a per cent sign, or a round-the-clock idiom: 24/7, 24x7, 7j/7, 24h/24) is
  blanked to spaces, so the number beside it stands alone;
- **other digits**: fullwidth (０９００), Arabic-Indic (٠٩٠٠) or any other Unicode decimal digits, and the
  fullwidth "＋", "（", "）": folded to ASCII;
- **lookalike letters**: O/o (Latin, Greek or Cyrillic) for zero in a word of digits and O's of three
  characters or more ("O9OO", "09OO") or as the first digit of a two-digit prefix right before more digits
  ("O6-12345678"), and l/I for one in a word of digits with at least two real ones ("l234567");
- **invisible characters** inside the number (zero-width joiner and non-joiner, word joiner, BOM, direction
  marks): read as the zero-width space that libphonenumber already takes as punctuation;
- **bidi overrides**: digits between RLO and PDF are shown reversed ("\u202e765 4321 0090\u202c" shows
  0900 1234 567): the text is put in the order it is shown first.

Every fold maps one character to one, so the reading has the length of the text; only a bidi override
moves characters, and :meth:`Reading.source_span` gives back where a match in the reading was written.
The number's ``raw`` is taken from the text as written (fullwidth digits, letters and all), so that the
evidence shows what the page said and the screenshot can mark it.
"""

from __future__ import annotations

import re
import unicodedata
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


# Invisible format characters a scammer puts inside a number (joiners, word joiner, BOM, direction marks and
# the bidi controls themselves), read as U+200B, which libphonenumber takes as punctuation.
_INVISIBLE = frozenset("\u00ad\u034f\u061c\u180e\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"
                       "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_FULLWIDTH_PUNCTUATION = {"\uff0b": "+", "\uff08": "(", "\uff09": ")", "\uff0d": "-", "\uff0f": "/",
                          "\uff0e": ".", "\u3000": " "}
# A whole word of digits and O's (at least one of each, three characters or more): "O9OO", "09OO", "2OO".
_O_LOOKALIKES = "Oo\u039f\u03bf\u041e\u043e"  # Latin, Greek and Cyrillic capital and small O
_I_LOOKALIKES = "lI\u0406\u04c0"  # Latin small l, capital I, Cyrillic I, palochka
_O_WORD = re.compile(rf"(?<!\w)(?=[0-9{_O_LOOKALIKES}]*[0-9])(?=[0-9{_O_LOOKALIKES}]*[{_O_LOOKALIKES}])"
                     rf"[0-9{_O_LOOKALIKES}]{{3,}}(?!\w)")
# A whole word of digits, O's and l/I's with at least two real digits and an l or I: "l234567", "O6-l2".
_I_WORD = re.compile(rf"(?<!\w)(?=(?:[{_O_LOOKALIKES}{_I_LOOKALIKES}]*[0-9]){{2}})"
                     rf"(?=[0-9{_O_LOOKALIKES}]*[{_I_LOOKALIKES}])[0-9{_O_LOOKALIKES}{_I_LOOKALIKES}]{{3,}}(?!\w)")
# The trunk zero of a two-digit prefix written as O, right before the rest of the number: "O6-12345678".
# (The rest starts with 1-9, as every subscriber number does: "O2 0800 1234" is a brand and a number.)
_O_PREFIX = re.compile(rf"(?<!\w)[{_O_LOOKALIKES}](?=[1-9][-.\s\u200b]?[1-9])")
_LOOKALIKE_DIGITS = str.maketrans({**{c: "0" for c in _O_LOOKALIKES}, **{c: "1" for c in _I_LOOKALIKES}})

# Bidi controls: embeddings and overrides end at PDF, isolates at PDI, all of them at the end of the line.
_LRE, _RLE, _PDF, _LRO, _RLO = "\u202a", "\u202b", "\u202c", "\u202d", "\u202e"
_ISOLATES, _PDI = "\u2066\u2067\u2068", "\u2069"
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class Reading:
    """``text`` as numbers are read from it (same length).  ``shown``: the text as shown, its digits and
    lookalikes folded; ``text``: that with counts blanked.  ``order``: for each position of the reading,
    the position in the written text it comes from (None: the same position, no bidi override)."""

    shown: str
    text: str
    order: tuple[int, ...] | None = None

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Where the reading's ``[start, end)`` was written (the smallest span holding all of it)."""
        if self.order is None:
            return start, end
        positions = self.order[start:end]
        return min(positions), max(positions) + 1


def _blank_digits(m: re.Match[str]) -> str:
    """The count with its digits (and the idiom's separators) turned to spaces, its words kept."""
    return _DIGITS.sub(lambda d: " " * len(d.group()), m.group()).replace("/", " ")


# What the fold changes: decimal digits other than 0-9 (\d is every Unicode decimal digit), the invisible
# characters and the fullwidth punctuation: all of them outside ASCII, so the pattern starts with that class
# (the regex engine then skips to the next non-ASCII character instead of trying every position) and a
# lookbehind says which one it is.
_FOLDABLE = re.compile("[^\\x00-\\x7f](?:(?<=\\d)|(?<=["
                       + "".join(sorted(_INVISIBLE | set(_FULLWIDTH_PUNCTUATION))) + "]))")


def _fold_char(m: re.Match[str]) -> str:
    c = m.group()
    if c.isdecimal():
        return str(unicodedata.decimal(c))
    return "\u200b" if c in _INVISIBLE else _FULLWIDTH_PUNCTUATION[c]


# A lookalike letter next to a digit: every word the lookalike folds change holds one.
_LOOKALIKE_NEAR_DIGIT = re.compile(rf"\d[{_O_LOOKALIKES}{_I_LOOKALIKES}]|[{_O_LOOKALIKES}{_I_LOOKALIKES}]\d")


def _fold_lookalikes(m: re.Match[str]) -> str:
    return m.group().translate(_LOOKALIKE_DIGITS)


def reading_of(text: str) -> Reading:
    """The reading of ``text`` (see the module docstring)."""
    order: tuple[int, ...] | None = None
    shown = text
    if not text.isascii():
        if _BIDI.search(text):
            order = display_order(text)
            shown = "".join(text[i] for i in order)
        shown = _FOLDABLE.sub(_fold_char, shown)
    if _LOOKALIKE_NEAR_DIGIT.search(shown):
        shown = _O_PREFIX.sub("0", _I_WORD.sub(_fold_lookalikes, _O_WORD.sub(_fold_lookalikes, shown)))
    return Reading(shown, _COUNT.sub(_blank_digits, shown), order)


def display_order(text: str) -> tuple[int, ...]:
    """The positions of ``text`` in the order they are shown: what is between RLO and its PDF (or the
    end of the line) is shown right to left, each nested group (LRO, an embedding, an isolate) as one piece
    in that order with its own order inside.  Embeddings and isolates are kept in order: within them digits
    run left to right, and the finer implicit levels of the bidi algorithm are not needed to read numbers.
    The controls themselves stay at their group's ends."""
    # each open group: its opening control, where it stands, and its pieces (a position, or a closed group)
    stack: list[tuple[str, int, list[int | list[int]]]] = [("", -1, [])]

    def close(closer: int | None = None) -> None:
        kind, opener, pieces = stack.pop()
        if kind == _RLO:
            pieces.reverse()
        flat = [opener]
        for piece in pieces:
            flat.extend(piece if isinstance(piece, list) else (piece,))
        stack[-1][2].append(flat if closer is None else [*flat, closer])

    for i, c in enumerate(text):
        if c in (_LRE, _RLE, _LRO, _RLO) or c in _ISOLATES:
            stack.append((c, i, []))
        elif c == _PDF and stack[-1][0] in (_LRE, _RLE, _LRO, _RLO):
            close(i)
        elif c == _PDI and any(kind in _ISOLATES for kind, _, _ in stack[1:]):
            while stack[-1][0] not in _ISOLATES:
                close()
            close(i)
        elif c in "\n\u2029":
            while len(stack) > 1:
                close()
            stack[0][2].append(i)
        else:
            stack[-1][2].append(i)
    while len(stack) > 1:
        close()
    out: list[int] = []
    for piece in stack[0][2]:
        out.extend(piece if isinstance(piece, list) else (piece,))
    return tuple(out)
