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
- the matcher's loop over a text's candidates is run here (:func:`_plain_numbers`): a candidate too short or
  such a plain national number is answered without the matcher, and only the others (one to cut into inner
  candidates, or to parse) are handed to it, one at a time.  (A text holding one such candidate was read by the
  matcher from its start, every plain number in it again: on a result-dense page whose titles count past
  9999, "Klantenservice bellen 12345" sent a third of the results there.)

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


def _plain_numbers(text: str, region: str) -> list[tuple[int, int, phonenumbers.PhoneNumber]]:
    """What PhoneNumberMatcher finds in ``text`` at Leniency.VALID: its loop (``_find`` and ``has_next``) over
    the candidates, in their order and with its count of failed ones, where a candidate that is too short
    (dropped unparsed) or a plain national number read whole is answered here, and every other candidate (one to
    parse, or to cut into inner candidates) is handed to one :class:`_Matcher` over the text, at that candidate
    only.  The steps of ``_find``, ``_extract_match`` and ``_parse_and_verify`` that apply to the candidates
    answered here, in their order: a plain candidate holds no "/" (no date, no second number after it) and no
    bracket, and starts with a digit."""
    found: list[tuple[int, int, phonenumbers.PhoneNumber]] = []
    matcher: _Matcher | None = None  # made for the first candidate that needs it (most texts have none)
    tries = _MAX_TRIES
    index = 0
    while tries > 0 and (m := _PATTERN.search(text, index)) is not None:
        start = m.start()
        candidate = m.group()
        trim = _SECOND_NUMBER_START_PATTERN.search(candidate)
        if trim is not None:
            candidate = candidate[:trim.start()]
        end = start + len(candidate)
        index = end
        if len(candidate) < MIN_NUMBER_DIGITS:
            continue  # (the matcher neither reads nor counts it)
        if too_short(candidate, region):
            tries -= 1
            continue
        verdict: object = NOT_PLAIN
        if PLAIN.fullmatch(candidate) is not None:
            if _TIME_STAMPS.search(candidate) and _TIME_STAMPS_SUFFIX.match(text[end:]):
                tries -= 1  # "2012-01-02 08" before ":00": dropped without inner candidates
                continue
            verdict = _plain_verdict(text, candidate, start, end, region)
        if isinstance(verdict, phonenumbers.PhoneNumber):
            found.append((start, end, verdict))
            continue
        if verdict is None and " " not in candidate:
            tries -= 1  # no number, and no inner candidate: each of the matcher's cuts needs a space here
            continue
        # A candidate for libphonenumber, or a plain one whose whole is no number: the matcher tries its parts.
        if matcher is None:
            matcher = _Matcher(text, region, leniency=phonenumbers.Leniency.VALID,
                               min_candidate_length=MIN_NUMBER_DIGITS)
        matcher._max_tries = tries
        match = matcher._extract_match(candidate, start)
        tries = matcher._max_tries
        if match is None:
            tries -= 1
        else:
            found.append((match.start, match.end, match.number))
            index = match.end  # the matcher searches on from the end of its match (an inner one ends earlier)
    return found


def _plain_verdict(text: str, candidate: str, start: int, end: int, region: str
                   ) -> phonenumbers.PhoneNumber | None | object:
    """_Matcher._parse_and_verify's answer for a plain candidate: its number, None (the whole is no number), or
    NOT_PLAIN where libphonenumber's parser is to say."""
    key = (region, candidate, text[start - 1] if start > 0 else "", text[end] if end < len(text) else "")
    if key in _memo:
        return _memo[key]
    number = plain_national(candidate, region)
    if number is NOT_PLAIN:
        return NOT_PLAIN
    if (start > 0 and _spoils(text[start - 1])) or (end < len(text) and _spoils(text[end])):
        number = None  # (a plain candidate starts with a digit: its neighbour before it counts too)
    if len(_memo) >= _MEMO_SIZE:
        _memo.clear()
    _memo[key] = number  # type: ignore[assignment]  # a number or None here
    return number


def valid_numbers(text: str, region: str) -> Iterator[tuple[int, int, phonenumbers.PhoneNumber]]:
    """(start, end, number) of each number libphonenumber's matcher finds in ``text`` at ``Leniency.VALID``
    (numbers valid for their region, not glued to letters), in order."""
    if _OVERRIDABLE and _PLAIN_PATH:
        yield from _plain_numbers(text, region)
        return
    matcher = _Matcher if _OVERRIDABLE else PhoneNumberMatcher
    # A candidate shorter than MIN_NUMBER_DIGITS characters holds fewer digits than any valid number.
    for match in matcher(text, region, leniency=phonenumbers.Leniency.VALID, min_candidate_length=MIN_NUMBER_DIGITS):
        yield match.start, match.end, match.number


def forget() -> None:
    """Drop the remembered verdicts (a benchmark reads each page as if it were the first)."""
    _memo.clear()
