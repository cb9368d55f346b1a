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
- a valid +1 number's national significant number has one of the lengths of its region's general
  description and matches, whole, the pattern of one of the region's number types (libphonenumber's
  number type is UNKNOWN otherwise, and an UNKNOWN number is not valid).  Matching the types, not just the
  general pattern, matters: Canada's general pattern lets every 7-digit run starting with 3 through, but
  its only 7-digit type is "310" followed by four digits, so "020 345 6789" is no +1 number.

When those facts cannot be read (metadata of another shape), every string is let through, as before.
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import PhoneMetadata

# The number types libphonenumber tells a valid number by (phonenumberutil._number_type_helper).
_TYPES = ("premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan", "voicemail",
          "fixed_line", "mobile")


def _nsn_patterns() -> dict[int, re.Pattern[str]] | None:
    """For each length a valid +1 national significant number can have, one pattern: any of the number
    types of the +1 regions whose general description allows that length (and the type too, where it
    says)."""
    us = PhoneMetadata.metadata_for_region("US")
    if (us is None or us.national_prefix_for_parsing not in (None, "1") or us.national_prefix_transform_rule
            or us.international_prefix != "011"):
        return None
    alternatives: dict[int, dict[str, None]] = {}
    for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(1, ()):
        metadata = PhoneMetadata.metadata_for_region(region)
        general = metadata.general_desc if metadata is not None else None
        if general is None or not general.national_number_pattern or not general.possible_length:
            return None
        for name in _TYPES:
            desc = getattr(metadata, name, None)
            if desc is None or not desc.national_number_pattern:
                continue  # a type the region does not have matches no number
            for n in general.possible_length:
                if n > 0 and (not desc.possible_length or n in desc.possible_length):
                    alternatives.setdefault(n, {})[desc.national_number_pattern] = None
    try:
        return {n: re.compile("|".join(f"(?:{p})" for p in patterns)) for n, patterns in sorted(alternatives.items())
                } or None
    except re.error:  # a pattern Python cannot read: no shortcut
        return None


_PATTERNS = _nsn_patterns()
_NOT_DIGIT = re.compile(r"[^0-9]")
_DIGIT_GROUP = re.compile(r"[0-9]+")


def can_be_nanp(raw: str) -> bool:
    """False when reading ``raw`` (a "(ddd) ddd-dddd"-like string) in region US can give no valid number."""
    if _PATTERNS is None or not raw.isascii() or "+" in raw:
        return True
    digits = _NOT_DIGIT.sub("", raw)
    # The international prefix counts only where it starts a digit group: libphonenumber strips it at the start
    # of what it parses, and each thing read (the candidate, a part of it, a group of a run) starts at a group.
    at = 0
    for group in _DIGIT_GROUP.findall(raw):
        if digits.startswith("011", at):
            return True
        at += len(group)
    return any(pattern.fullmatch(digits, i, i + n) for n, pattern in _PATTERNS.items()
               for i in range(len(digits) - n + 1))
