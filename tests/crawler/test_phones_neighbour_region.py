"""`region = BE` on Dutch data (issue 20, item 11): a number is read with the sweep's region first, and what
Belgium's plan does not know but the Netherlands' does is a Dutch number; other regions read their own plan."""

from __future__ import annotations

import pytest

from crawler.phones import extract_phones


def _read(text: str, region: str) -> list[str]:
    return [p.e164 for p in extract_phones(text, region)]


@pytest.mark.parametrize("text, e164", [
    ("Bel 0900 1234 567 7 dagen per week bereikbaar", "+319001234567"),
    ("Klantenservice: 020 123 4567", "+31201234567"),
    ("Bel 06 12345678", "+31612345678"),
    ("Bel +31 20 123 4567", "+31201234567"),
])
def test_a_dutch_number_on_a_belgian_sweep_is_still_a_number(text, e164):
    assert _read(text, "BE") == [e164]


def test_a_number_belgium_knows_stays_belgian_and_both_are_read_side_by_side():
    assert _read("Bel 0470 12 34 56 of 020 123 4567", "BE") == ["+32470123456", "+31201234567"]
    assert _read("Bel 0900 12 345", "BE") == ["+3290012345"]  # valid in both: the sweep's region comes first
    assert _read("Bel 02 511 12 34", "BE") == ["+3225111234"]


def test_other_regions_read_their_own_plan_only():
    assert _read("Bel 020 123 4567", "US") == []
    assert _read("Bel 02 511 12 34", "NL") == []  # an NL sweep reads no Belgian national number either
