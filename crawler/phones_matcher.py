"""libphonenumber's matcher, asked about each candidate once and only about candidates that can be numbers.

``PhoneNumberMatcher`` is pure Python: each candidate it finds (a run of digits and punctuation) is parsed,
validated and checked for its national prefix, and an invalid one is cut into inner candidates that are
parsed in turn.  That was a millisecond per numbered result on a result-dense page.  Three things make it
cheap without changing what it finds:

- a candidate too short for a number is dropped before it is parsed (:func:`too_short`): fewer than
  :data:`MIN_NUMBER_DIGITS` digits, or, written without "+" or the international prefix, fewer digits than
  the shortest number of the region ("2024" or "1234" on a Dutch page).  Every number it could yield (the
  whole, or an inner part) would be shorter than any valid number;
- the verdict on a candidate depends only on the candidate, the characters just before and after it and
  the region, so it is remembered (a page repeats its numbers: title, text, call extension, sitelinks,
  and the same ads on every page of a night);
- a plain national candidate (digits, spaces and hyphens: most numbers on a page) is answered without
  libphonenumber's parser (:mod:`crawler.phones_national`), after the same checks of the characters beside it;
- a text whose every candidate is too short or such a plain national number is read without the matcher at all
  (:func:`_plain_numbers`: its loop over the candidates, with only the steps that apply to those); a text with
  any other candidate (one to cut into inner candidates, or to parse) is read by the matcher, from the start.

Should a later phonenumbers release rename the methods overridden here, the plain matcher is used.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import phonenumbers
from phonenumbers import PhoneNumberMatcher

from crawler.phones_candidates import MIN_NUMBER_DIGITS, too_short
from crawler.phones_national import NOT_PLAIN, PLAIN, plain_national

try:  # the checks the matcher makes of a candidate before parsing it (see _Matcher._plain_match, _plain_numbers)
    from phonenumbers.phonenumbermatcher import (
        _LEAD_PATTERN,
        _MATCHING_BRACKETS,
        _PATTERN,
        _PUB_PAGES,
        _TIME_STAMPS,
        _TIME_STAMPS_SUFFIX,
    )
    from phonenumbers.phonenumberutil import _SECOND_NUMBER_START_PATTERN
    from phonenumbers.re_util import fullmatch
    _PLAIN_PATH = True
except ImportError:  # pragma: no cover - depends on the installed phonenumbers
    _PLAIN_PATH = False

# Verdicts remembered: (region, candidate, character before, character after) -> number or None.
_MEMO_SIZE = 50_000
_memo: dict[tuple[str | None, str, str, str], phonenumbers.PhoneNumber | None] = {}
_OVERRIDABLE = all(callable(getattr(PhoneNumberMatcher, name, None))
                   for name in ("_extract_match", "_parse_and_verify"))


class _Matcher(PhoneNumberMatcher):  # type: ignore[misc]  # phonenumbers ships no type for it
    def _extract_match(self, candidate: str, offset: int) -> Any:
        if too_short(candidate, self.preferred_region):
            return None  # neither it nor any part of it is a number
        return super()._extract_match(candidate, offset)

    def _parse_and_verify(self, candidate: str, offset: int) -> Any:
        if too_short(candidate, self.preferred_region):
            return None  # an inner candidate too short for a number
        end = offset + len(candidate)
        key = (self.preferred_region, candidate, self.text[offset - 1] if offset > 0 else "",
               self.text[end] if end < len(self.text) else "")
        if key in _memo:
            number = _memo[key]
            return None if number is None else phonenumbers.PhoneNumberMatch(offset, candidate, number)
        match: Any = self._plain_match(candidate, offset) if _PLAIN_PATH else NOT_PLAIN
        if match is NOT_PLAIN:
            match = super()._parse_and_verify(candidate, offset)
        if len(_memo) >= _MEMO_SIZE:
            _memo.clear()  # a bound, not a cache policy: pages rarely hold this many distinct candidates
        _memo[key] = None if match is None else match.number
        return match

    def _plain_match(self, candidate: str, offset: int) -> Any:
        """``super()._parse_and_verify`` for a plain national candidate (crawler.phones_national), or
        NOT_PLAIN for any other: the same checks of the candidate and the characters beside it at
        Leniency.VALID, then the number without libphonenumber's parser."""
        if self.leniency != phonenumbers.Leniency.VALID:
            return NOT_PLAIN
        number = plain_national(candidate, self.preferred_region)
        if number is None:
            return None
        if not isinstance(number, phonenumbers.PhoneNumber):
            return NOT_PLAIN
        if not fullmatch(_MATCHING_BRACKETS, candidate) or _PUB_PAGES.search(candidate):
            return None
        if offset > 0 and not _LEAD_PATTERN.match(candidate) and self.spoils(self.text[offset - 1]):
            return None
        end = offset + len(candidate)
        if end < len(self.text) and self.spoils(self.text[end]):
            return None
        return phonenumbers.PhoneNumberMatch(offset, candidate, number)

    def spoils(self, char: str) -> bool:
        return _spoils(char)


def _spoils(char: str) -> bool:
    """True for a character that the matcher does not let stand beside a number at Leniency.VALID: a
    Latin letter, "%" or a currency symbol.  Of ASCII those are the letters, "%" and "$" (asked of the
    Unicode tables only for the rest)."""
    if char.isascii():
        return char.isalpha() or char in "%$"
    return bool(PhoneNumberMatcher._is_invalid_punctuation_symbol(char) or PhoneNumberMatcher._is_latin_letter(char))


_MAX_TRIES = 65_535  # the matcher's default: it gives up after this many failed candidates


def _plain_numbers(text: str, region: str) -> list[tuple[int, int, phonenumbers.PhoneNumber]] | None:
    """What :class:`_Matcher` finds in ``text``, when every candidate it meets is too short (dropped unparsed)
    or a plain national number it reads whole; None when a candidate needs more (inner candidates, the
    parser), which the matcher is then asked about.  The steps of PhoneNumberMatcher._find, _extract_match
    and _parse_and_verify that apply to such candidates, in their order: a plain candidate holds no "/"
    (no date, no second number after it) and no bracket, and starts with a digit."""
    found: list[tuple[int, int, phonenumbers.PhoneNumber]] = []
    failed = 0
    index = 0
    while (m := _PATTERN.search(text, index)) is not None:
        start = m.start()
        candidate = m.group()
        trim = _SECOND_NUMBER_START_PATTERN.search(candidate)
        if trim is not None:
            candidate = candidate[:trim.start()]
        end = start + len(candidate)
        index = end
        if len(candidate) < MIN_NUMBER_DIGITS or too_short(candidate, region):
            failed += 1
        elif PLAIN.fullmatch(candidate) is None:
            return None
        elif _TIME_STAMPS.search(candidate) and _TIME_STAMPS_SUFFIX.match(text[end:]):
            failed += 1  # "2012-01-02 08" before ":00": dropped without inner candidates
        else:
            number = _plain_verdict(text, candidate, start, end, region)
            if number is None:
                return None  # the whole is no number: the matcher tries its parts
            found.append((start, end, number))
        if failed >= _MAX_TRIES:
            return None
    return found


def _plain_verdict(text: str, candidate: str, start: int, end: int, region: str) -> phonenumbers.PhoneNumber | None:
    """_Matcher._parse_and_verify's number for a plain candidate, or None when it gives none or is not sure."""
    key = (region, candidate, text[start - 1] if start > 0 else "", text[end] if end < len(text) else "")
    if key in _memo:
        return _memo[key]
    number = plain_national(candidate, region)
    if not isinstance(number, phonenumbers.PhoneNumber):
        return None  # no number, or one for libphonenumber's parser
    if (start > 0 and _spoils(text[start - 1])) or (end < len(text) and _spoils(text[end])):
        return None
    if len(_memo) >= _MEMO_SIZE:
        _memo.clear()
    _memo[key] = number
    return number


def valid_numbers(text: str, region: str) -> Iterator[tuple[int, int, phonenumbers.PhoneNumber]]:
    """(start, end, number) of each number libphonenumber's matcher finds in ``text`` at ``Leniency.VALID``
    (numbers valid for their region, not glued to letters), in order."""
    if _OVERRIDABLE and _PLAIN_PATH:
        plain = _plain_numbers(text, region)
        if plain is not None:
            yield from plain
            return
    matcher = _Matcher if _OVERRIDABLE else PhoneNumberMatcher
    # A candidate shorter than MIN_NUMBER_DIGITS characters holds fewer digits than any valid number.
    for match in matcher(text, region, leniency=phonenumbers.Leniency.VALID, min_candidate_length=MIN_NUMBER_DIGITS):
        yield match.start, match.end, match.number


def forget() -> None:
    """Drop the remembered verdicts (a benchmark reads each page as if it were the first)."""
    _memo.clear()
