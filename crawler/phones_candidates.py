"""Candidates for numbers in text, found before and beside libphonenumber's matcher.

- :func:`chunks`: the text is read in pieces of whole lines, so the work per number is bounded by the
  piece, not by the page.
- :func:`vanity_candidates`: digits followed directly by a block of capitals ("0800-KLANTEN",
  "1-844-5-LENSES"), which libphonenumber's matcher does not read.
- :func:`split_run`: runs of digit groups holding several numbers written one after another
  ("020 1234567 088 444 66 66"), which the matcher reads as one invalid candidate and drops.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import cache, lru_cache

import phonenumbers
from phonenumbers import PhoneMetadata

# No valid number has fewer digits: the shortest national significant numbers of any region or
# non-geographic code in libphonenumber's metadata have 4 (Niue, Tokelau, St Helena, ...), and a written
# number holds at least the digits of its national significant number.  Text with fewer digits is never
# handed to libphonenumber (the result would be "not a number" anyway).
MIN_NUMBER_DIGITS = 4

Span = tuple[int, int, phonenumbers.PhoneNumber]
_DIGIT = re.compile(r"\d")


@cache
def _national_shortest(region: str) -> int | None:
    """The fewest digits a number written in national form in ``region`` can have (the shortest national
    significant number of the regions sharing its country code), or None where libphonenumber may add
    digits while parsing (a national prefix transform rule, as in Argentina)."""
    metadata = PhoneMetadata.metadata_for_region(region)
    if metadata is None or metadata.national_prefix_transform_rule or metadata.country_code is None:
        return None
    lengths: list[int] = []
    for other in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(metadata.country_code, ()):
        desc = getattr(PhoneMetadata.metadata_for_region(other), "general_desc", None)
        if desc is None or not desc.possible_length:
            return None
        lengths.extend(n for n in desc.possible_length if n > 0)
    return min(lengths) if lengths else None


def too_short(candidate: str, region: str | None) -> bool:
    """True when no valid number can be read from ``candidate`` in ``region`` for want of digits: fewer than
    any number has, or, written without "+" or the region's international prefix (so a national number,
    whose national significant number is at most its digits), fewer than the region's shortest."""
    digits = "".join(_DIGIT.findall(candidate))
    if len(digits) < MIN_NUMBER_DIGITS:
        return True
    shortest = _national_shortest(region) if region else None
    if region is None or shortest is None or len(digits) >= shortest or "+" in candidate or "\uff0b" in candidate:
        return False
    metadata = PhoneMetadata.metadata_for_region(region)
    idd = metadata.international_prefix if metadata is not None else None  # (the reading's digits are ASCII)
    return not (idd and re.match(idd, digits))


# Four digits with at most four characters of punctuation between each two: every candidate libphonenumber's
# matcher can read a number from holds this (its candidates are digit blocks parted by at most four
# punctuation characters, and a valid number has at least four digits).
FOUR_DIGITS = re.compile(r"\d(?:(?:[^\w\n]|[xX\u30fc]){0,4}\d){3}")


@lru_cache(maxsize=16_384)
def parse_valid(raw: str, region: str) -> phonenumbers.PhoneNumber | None:
    """``raw`` read as one number in ``region`` when it is a valid number, else None (remembered: a page
    repeats its numbers; the number returned is shared, so it is never changed)."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


# --------------------------------------------------------------------------
# Chunks
# --------------------------------------------------------------------------

# The text is read in chunks of whole lines (a number never spans a line break: see
# crawler.visible_text), so the work per number is bounded by the chunk, not by the page:
# extraction time is linear in the page size.  libphonenumber's matcher also gives up after
# 65,535 failed candidates per call, which a page full of junk digits could otherwise use to hide
# the number after them; per chunk that limit is never reached.
CHUNK_CHARS = 2_000


def chunks(text: str, size: int = CHUNK_CHARS) -> list[tuple[int, int]]:
    """(start, end) of consecutive pieces of ``text``, cut after a line break where one is near,
    else at a space between two non-digits, else anywhere (one huge unbroken token)."""
    out: list[tuple[int, int]] = []
    start, n = 0, len(text)
    while start < n:
        end = min(start + size, n)
        if end < n:
            cut = text.rfind("\n", start + size // 2, end)
            if cut < 0:
                cut = _space_cut(text, start + size // 2, end, _SPACE_BETWEEN_WORDS)
            if cut < 0:
                cut = _space_cut(text, start + size // 2, end, _SPACE_OUTSIDE_NUMBERS)
            end = cut + 1 if cut >= 0 else end
        out.append((start, end))
        start = end
    return out


# Best cut: a space between two words; else a space not between two digit groups.
_SPACE_BETWEEN_WORDS = re.compile(r"(?<=[^\W\d])\s(?=[^\W\d])")
_SPACE_OUTSIDE_NUMBERS = re.compile(r"(?<![\d).\-/])\s|\s(?![\d+(])")


def _space_cut(text: str, lo: int, hi: int, where: re.Pattern[str]) -> int:
    last = -1
    for m in where.finditer(text, lo, hi):
        last = m.start()
    return last


# --------------------------------------------------------------------------
# Vanity numbers
# --------------------------------------------------------------------------

# Digits (with the usual punctuation), then directly, or after one "-" or ".",
# a block of capitals: "0800-KLANTEN", "1-844-5-LENSES", "1-800-FLOWERS".
# Mixed case or a space before the word ("1-800 Contacts") is a brand name.
_VANITY = re.compile(
    r"(?<![\w+.-])(\+?\(?\d(?:[\d().\s-]{0,14}\d)?\)?[-.]?([A-Z](?:[A-Z\d]|-(?=[A-Z\d]))*[A-Z\d]))(?![\w-])"
)
_MIN_VANITY_LETTERS = 3
# Letters beyond the number's length are conventionally ignored ("1-800-CONTACTS").
_MAX_EXTRA_LETTERS = 3


# What every vanity number holds: its last digit (or a closing bracket after it), at most one "-" or ".", and
# the first capital.  One search for it (fast: it starts with a digit) spares most text the pattern above.
_VANITY_GATE = re.compile(r"\d\)?[-.]?[A-Z]")


def vanity_candidates(text: str, region: str) -> Iterator[Span]:
    """Vanity numbers in ``text`` ("0800-KLANTEN"), valid once their letters are keypad digits."""
    if _VANITY_GATE.search(text) is None:
        return
    for m in _VANITY.finditer(text):
        if sum(c.isalpha() for c in m.group(2)) < _MIN_VANITY_LETTERS:
            continue
        number = _vanity_number(m.group(1), region)
        if number is not None:
            yield m.start(1), m.end(1), number


def _vanity_number(raw: str, region: str) -> phonenumbers.PhoneNumber | None:
    digits = phonenumbers.convert_alpha_characters_in_number(raw)
    candidates = [digits]
    letters = sum(c.isalpha() for c in raw)
    for cut in range(1, min(_MAX_EXTRA_LETTERS, letters - _MIN_VANITY_LETTERS) + 1):
        candidates.append(digits[:-cut].rstrip("-. "))
    for cand in candidates:
        regions = [region]
        # North American vanity numbers start with "1", both the trunk prefix and
        # the country code, so "1-844-..." on a Dutch page is a US/CA number.
        if re.match(r"1\W*[2-9]\d\d", cand):
            regions.append("US")
        for reg in regions:
            number = parse_valid(cand, reg)
            if number is not None:
                return number
    return None


# --------------------------------------------------------------------------
# Runs holding several numbers one after another
# --------------------------------------------------------------------------

# Within one line: a line break separates blocks (see crawler.visible_text).
DIGIT_RUN = re.compile(r"\+?\(?\d[\d \t\u00a0().\-/]*\d\)?")
# A written number has at most this many space-separated groups ("+31 (0)6 12 34 56 78").
_MAX_GROUPS = 8
_TOKEN = re.compile(r"[^\s/]+")
_TOKEN_BREAK = re.compile(r"[\s/]")


def has_digit(text: str) -> bool:
    return _DIGIT.search(text) is not None


# A group of at most this many digits (digits only) that starts no number may stand beside the numbers of a run:
# a count or a figure of the ad copy ("0900 1234 567 3 medewerkers"), never part of a longer identifier.
_MAX_LEFTOVER_DIGITS = 3


def split_run(text: str, start: int, end: int, region: str,
              written_ok: Callable[[str, phonenumbers.PhoneNumber], bool] = lambda raw, number: True) -> list[Span]:
    """Split a run of digit groups into consecutive valid numbers, or return [] when the run cannot
    be covered that way (then it is not a list of numbers).

    From each group the longest valid number of up to ``_MAX_GROUPS`` groups is taken (one that
    ``written_ok`` accepts as written); a group that starts none may be left over when it has at most
    ``_MAX_LEFTOVER_DIGITS`` digits.  A run read as one number with nothing left over is the matcher's
    (it read it, or refused it for its context), so that gives [] too.
    """
    if _TOKEN_BREAK.search(text, start, end) is None:
        return []  # one group: a run starts and ends with a digit or a bracket, so a break parts two groups
    if len(_DIGIT.findall(text, start, end)) < MIN_NUMBER_DIGITS:
        return []  # no number fits: no need to ask libphonenumber
    tokens = [m.span() for m in _TOKEN.finditer(text, start, end)]  # positions in text (pos/endpos keep them)
    if len(tokens) < 2:
        return []
    # digits[k]: digits in tokens[:k], so that a window too short to be a number is skipped unparsed
    digits = [0]
    for s, e in tokens:
        digits.append(digits[-1] + len(_DIGIT.findall(text, s, e)))
    found: list[Span] = []
    left_over = 0
    i = 0
    while i < len(tokens):
        for j in range(min(len(tokens), i + _MAX_GROUPS), i, -1):
            s, e = tokens[i][0], tokens[j - 1][1]
            if digits[j] - digits[i] < MIN_NUMBER_DIGITS or too_short(text[s:e], region):
                continue
            number = parse_valid(text[s:e], region)
            if number is not None and written_ok(text[s:e], number):
                found.append((s, e, number))
                i = j
                break
        else:
            s, e = tokens[i]
            if e - s > _MAX_LEFTOVER_DIGITS or not text[s:e].isdigit():  # "+1" or "(0)" belongs to a number
                return []
            left_over += 1
            i += 1
    return found if len(found) >= 2 or (found and left_over) else []
