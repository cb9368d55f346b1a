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
PLAIN = re.compile(r"[0-9](?:[ \-]*[0-9])*")
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
    if region is None or len(candidate) > _MAX_INPUT_STRING_LENGTH or PLAIN.fullmatch(candidate) is None:
        return NOT_PLAIN
    plan = _region(region)
    if plan is None:
        return NOT_PLAIN
    digits = candidate.translate(_SEPARATORS)
    if plan.international_prefix.match(digits):
        return NOT_PLAIN
    if digits[0] != "0":
        return _without_prefix(digits, plan)
    carrier, national, stripped = _maybe_strip_national_prefix_carrier_code(digits, plan.metadata)
    if not stripped or carrier or _test_number_length(national, plan.metadata) in _TOO_SHORT_OR_LOCAL:
        return NOT_PLAIN
    if not _MIN_LENGTH_FOR_NSN <= len(national) <= _MAX_LENGTH_FOR_NSN:
        return NOT_PLAIN
    number = PhoneNumber(country_code=plan.country_code, national_number=int(national))
    _set_italian_leading_zeros_for_phone_number(national, number)
    return number if number_type(number) != PhoneNumberType.UNKNOWN else None


def _without_prefix(digits: str, plan: _Region) -> None | _NotPlain:
    """None for national digits without the trunk "0" that no number of the region has ("12345" of a title or a
    URL on a Dutch page), else NOT_PLAIN.  libphonenumber reads such digits whole, its country code the region's
    (they start neither with it nor with the international prefix), and nothing for the national prefix to strip:
    the number is invalid when its type is UNKNOWN.  A valid one (Dutch "20 123 4567") is left to libphonenumber,
    which asks whether the region writes the prefix."""
    if digits.startswith(str(plan.country_code)) or not _MIN_LENGTH_FOR_NSN <= len(digits) <= _MAX_LENGTH_FOR_NSN:
        return NOT_PLAIN
    carrier, national, stripped = _maybe_strip_national_prefix_carrier_code(digits, plan.metadata)
    if stripped or carrier or national != digits:
        return NOT_PLAIN
    number = PhoneNumber(country_code=plan.country_code, national_number=int(digits))
    return None if number_type(number) == PhoneNumberType.UNKNOWN else NOT_PLAIN


def number_type(number: PhoneNumber) -> int:
    """``phonenumbers.number_type(number)``, remembered: it depends on the country code and the national
    significant number only, libphonenumber tries each type's pattern in turn, and a number read here is
    asked its type again when it is reported."""
    key = (number.country_code, number.national_number, number.italian_leading_zero, number.number_of_leading_zeros)
    found = _TYPES.get(key)
    if found is None:
        if len(_TYPES) >= 16_384:
            _TYPES.clear()  # a bound, not a cache policy
        types = _types_of(number.country_code)
        found = _TYPES[key] = (phonenumbers.number_type(number) if types is None
                               else types.type_of(phonenumbers.national_significant_number(number)))
    return found


# The order in which libphonenumber tells a number's type (phonenumberutil._number_type_helper): the first
# type whose description the national significant number matches; fixed line and mobile come last.
_TYPE_ORDER = (("premium_rate", PhoneNumberType.PREMIUM_RATE), ("toll_free", PhoneNumberType.TOLL_FREE),
               ("shared_cost", PhoneNumberType.SHARED_COST), ("voip", PhoneNumberType.VOIP),
               ("personal_number", PhoneNumberType.PERSONAL_NUMBER), ("pager", PhoneNumberType.PAGER),
               ("uan", PhoneNumberType.UAN), ("voicemail", PhoneNumberType.VOICEMAIL))


@dataclass(frozen=True)
class _Desc:
    """A PhoneNumberDesc as _is_number_matching_desc reads it: its lengths (empty: any) and its pattern."""

    lengths: frozenset[int]
    pattern: re.Pattern[str] | None

    def matches(self, nsn: str) -> bool:
        if self.lengths and len(nsn) not in self.lengths:
            return False
        return self.pattern is not None and self.pattern.fullmatch(nsn) is not None


def _desc(desc: Any) -> _Desc | None:
    if desc is None:
        return None
    return _Desc(frozenset(desc.possible_length or ()),
                 re.compile(desc.national_number_pattern) if desc.national_number_pattern else None)


@dataclass(frozen=True)
class _Types:
    """A region's number types with their patterns compiled once: phonenumberutil._number_type_helper without
    its lookup of each pattern in libphonenumber's pattern cache (a Python call per type per number)."""

    general: _Desc | None
    ordered: tuple[tuple[_Desc | None, int], ...]
    fixed_line: _Desc | None
    mobile: _Desc | None
    same_mobile_and_fixed_line: bool

    def type_of(self, nsn: str) -> int:
        if self.general is None or not self.general.matches(nsn):
            return PhoneNumberType.UNKNOWN
        for desc, kind in self.ordered:
            if desc is not None and desc.matches(nsn):
                return kind
        mobile = self.mobile is not None and self.mobile.matches(nsn)
        if self.fixed_line is not None and self.fixed_line.matches(nsn):
            return (PhoneNumberType.FIXED_LINE_OR_MOBILE if self.same_mobile_and_fixed_line or mobile
                    else PhoneNumberType.FIXED_LINE)
        return PhoneNumberType.MOBILE if not self.same_mobile_and_fixed_line and mobile else PhoneNumberType.UNKNOWN


@cache
def _types_of(country_code: int | None) -> _Types | None:
    """The number types of the one region of ``country_code``; None where the code is shared by several
    regions (or is non-geographic), which libphonenumber's number_type answers."""
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(country_code) if country_code is not None else None
    if not regions or len(regions) != 1 or regions[0] == phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY:
        return None
    metadata = PhoneMetadata.metadata_for_region(regions[0], None)
    if metadata is None:
        return None
    return _Types(_desc(metadata.general_desc), tuple((_desc(getattr(metadata, name)), kind)
                                                      for name, kind in _TYPE_ORDER),
                  _desc(metadata.fixed_line), _desc(metadata.mobile), bool(metadata.same_mobile_and_fixed_line_pattern))


_TYPES: dict[tuple[int | None, int | None, bool | None, int | None], int] = {}


def forget() -> None:
    """Drop the remembered types (a benchmark reads each page as if it were the first)."""
    _TYPES.clear()
