"""The common case of libphonenumber's matcher, answered without its parser: a plain national number.

Most numbers on a result page are written nationally with digits, spaces and hyphens only ("020 123 4567",
"0900-1234-567").  For such a candidate ``phonenumbers.parse`` then ``_verify`` (the matcher's check at
``Leniency.VALID``) spend most of their time on what cannot apply to it: RFC 3966 contexts, extensions,
"+" and international prefixes, letters, Unicode digits normalised one character at a time.  What is left
when none of that applies is a few steps, done here with libphonenumber's own functions and metadata:

1. the digits, when they do not start with the region's international prefix (then the country code is the
   region's: a country code never starts with "0", and a number without "+" or that prefix starting with
   the region's code is left to libphonenumber);
2. the national prefix stripped as ``parse`` strips it (``_maybe_strip_national_prefix_carrier_code`` and the
   length test after it); where it strips nothing, or finds a carrier code, libphonenumber is asked;
3. the number's type from the region's metadata (``number_type``): valid when it has one.  Only regions that
   are alone on their country code are answered here, where ``is_valid_number`` is exactly that test;
4. the national prefix being written (``_is_national_prefix_present_if_required``) holds by step 2, and a
   plain candidate has no "x" to check.

:func:`plain_national` answers :data:`NOT_PLAIN` for every other candidate, which libphonenumber reads as
before.  ``tests/crawler/test_phones_national.py`` checks that the answers are libphonenumber's on generated
candidates, the obfuscations of issue 20 among them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

import phonenumbers
from phonenumbers import PhoneMetadata, PhoneNumber, PhoneNumberType

try:  # libphonenumber's own steps (private names: a release renaming them turns the fast path off)
    from phonenumbers.phonenumberutil import (
        _MAX_INPUT_STRING_LENGTH,
        _MAX_LENGTH_FOR_NSN,
        _MIN_LENGTH_FOR_NSN,
        ValidationResult,
        _maybe_strip_national_prefix_carrier_code,
        _set_italian_leading_zeros_for_phone_number,
        _test_number_length,
    )
    _AVAILABLE = True
except ImportError:  # pragma: no cover - depends on the installed phonenumbers
    _AVAILABLE = False


class _NotPlain:
    def __repr__(self) -> str:
        return "NOT_PLAIN"


NOT_PLAIN: Final = _NotPlain()  # the candidate is not a plain national one: ask libphonenumber

# ASCII digits parted by spaces and hyphens, a digit at each end: nothing parse would treat specially.
_PLAIN = re.compile(r"[0-9](?:[ \-]*[0-9])*")
_SEPARATORS = str.maketrans("", "", " -")


@dataclass(frozen=True)
class _Region:
    metadata: Any  # phonenumbers.PhoneMetadata (untyped)
    country_code: int
    international_prefix: re.Pattern[str]


@cache
def _region(region: str) -> _Region | None:
    """What the fast path needs of ``region``, or None where it does not answer (see the module docstring)."""
    if not _AVAILABLE:
        return None
    metadata = PhoneMetadata.metadata_for_region(region.upper(), None)
    if (metadata is None or metadata.country_code is None or not metadata.international_prefix
            or not metadata.national_prefix_for_parsing or metadata.national_prefix_transform_rule):
        return None
    if phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(metadata.country_code) != (region.upper(),):
        return None
    return _Region(metadata, metadata.country_code, re.compile(metadata.international_prefix))


_TOO_SHORT_OR_LOCAL = (ValidationResult.TOO_SHORT, ValidationResult.IS_POSSIBLE_LOCAL_ONLY,
                       ValidationResult.INVALID_LENGTH) if _AVAILABLE else ()


def plain_national(candidate: str, region: str | None) -> PhoneNumber | None | _NotPlain:
    """The number libphonenumber's matcher reads from ``candidate`` (the whole of it) at ``Leniency.VALID``
    in ``region``, None when it reads none, or :data:`NOT_PLAIN` when the candidate is not a plain national
    one.  The number is as the matcher gives it (no raw input, country code source or carrier code)."""
    if region is None or len(candidate) > _MAX_INPUT_STRING_LENGTH or _PLAIN.fullmatch(candidate) is None:
        return NOT_PLAIN
    plan = _region(region)
    if plan is None:
        return NOT_PLAIN
    digits = candidate.translate(_SEPARATORS)
    if digits[0] != "0" or plan.international_prefix.match(digits):
        return NOT_PLAIN
    carrier, national, stripped = _maybe_strip_national_prefix_carrier_code(digits, plan.metadata)
    if not stripped or carrier or _test_number_length(national, plan.metadata) in _TOO_SHORT_OR_LOCAL:
        return NOT_PLAIN
    if not _MIN_LENGTH_FOR_NSN <= len(national) <= _MAX_LENGTH_FOR_NSN:
        return NOT_PLAIN
    number = PhoneNumber(country_code=plan.country_code, national_number=int(national))
    _set_italian_leading_zeros_for_phone_number(national, number)
    return number if number_type(number) != PhoneNumberType.UNKNOWN else None


def number_type(number: PhoneNumber) -> int:
    """``phonenumbers.number_type(number)``, remembered: it depends on the country code and the national
    significant number only, libphonenumber tries each type's pattern in turn, and a number read here is
    asked its type again when it is reported."""
    key = (number.country_code, number.national_number, number.italian_leading_zero, number.number_of_leading_zeros)
    found = _TYPES.get(key)
    if found is None:
        if len(_TYPES) >= 16_384:
            _TYPES.clear()  # a bound, not a cache policy
        found = _TYPES[key] = phonenumbers.number_type(number)
    return found


_TYPES: dict[tuple[int | None, int | None, bool | None, int | None], int] = {}


def forget() -> None:
    """Drop the remembered types (a benchmark reads each page as if it were the first)."""
    _TYPES.clear()
