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
  libphonenumber's parser (:mod:`crawler.phones_national`), after the same checks of the characters beside it.

Should a later phonenumbers release rename the methods overridden here, the plain matcher is used.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import phonenumbers
from phonenumbers import PhoneNumberMatcher

from crawler.phones_candidates import MIN_NUMBER_DIGITS, too_short
from crawler.phones_national import NOT_PLAIN, plain_national

try:  # the checks the matcher makes of a candidate before parsing it (see _Matcher._plain_match)
    from phonenumbers.phonenumbermatcher import _LEAD_PATTERN, _MATCHING_BRACKETS, _PUB_PAGES
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
        """True for a character that the matcher does not let stand beside a number at Leniency.VALID: a
        Latin letter, "%" or a currency symbol.  Of ASCII those are the letters, "%" and "$" (asked of the
        Unicode tables only for the rest)."""
        if char.isascii():
            return char.isalpha() or char in "%$"
        return bool(self._is_invalid_punctuation_symbol(char) or self._is_latin_letter(char))


def valid_numbers(text: str, region: str) -> Iterator[tuple[int, int, phonenumbers.PhoneNumber]]:
    """(start, end, number) of each number libphonenumber's matcher finds in ``text`` at ``Leniency.VALID``
    (numbers valid for their region, not glued to letters), in order."""
    matcher = _Matcher if _OVERRIDABLE else PhoneNumberMatcher
    # A candidate shorter than MIN_NUMBER_DIGITS characters holds fewer digits than any valid number.
    for match in matcher(text, region, leniency=phonenumbers.Leniency.VALID, min_candidate_length=MIN_NUMBER_DIGITS):
        yield match.start, match.end, match.number


def forget() -> None:
    """Drop the remembered verdicts (a benchmark reads each page as if it were the first)."""
    _memo.clear()
