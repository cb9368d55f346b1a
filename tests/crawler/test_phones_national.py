"""The plain national fast path (crawler.phones_national) answers as libphonenumber does.

Property-style, on a generated set (seeded, so every run checks the same few thousand strings): candidates
of digits, spaces and hyphens with the prefixes of real numbers and random lengths, and texts holding them
beside the obfuscations of issue 20 (counts such as "7 dagen" and "24/7", zero-width characters, fullwidth and
Arabic-Indic digits, the letter O), read as written and as crawler.phones_reading folds them.
"""

from __future__ import annotations

import random

import phonenumbers
import pytest
from phonenumbers import CountryCodeSource, Leniency, PhoneNumberMatcher
from phonenumbers.phonenumbermatcher import _verify

from crawler import phones_matcher
from crawler.phones_matcher import valid_numbers
from crawler.phones_national import NOT_PLAIN, plain_national
from crawler.phones_reading import reading_of

# (BG, IN, RW, TH and UY write numbers that start with "0" once the national prefix "0" is taken: "000800 ...",
# "06 ..." in Rwanda; KR parses carrier codes after its prefix)
REGIONS = ("NL", "BE", "DE", "FR", "GB", "US", "IT", "AR", "BG", "IN", "RW", "TH", "UY", "KR")
PREFIXES = ("0", "00", "000", "06", "020", "010", "070", "088", "085", "0800", "0900", "0906", "0909", "084",
            "087", "097", "0031", "0032", "030", "02", "03", "04", "09", "01", "0049", "089", "0180", "01",
            "000800", "00800", "0001800", "0006", "00004", "0081", "0085")
SEPARATORS = (" ", "-", "  ", " - ", "--", "", "", "")


def _candidates(rng: random.Random, n: int) -> list[str]:
    out = []
    for _ in range(n):
        groups = [rng.choice(PREFIXES)] if rng.random() < 0.8 else []
        while len("".join(groups)) < rng.randint(3, 14):
            groups.append("".join(rng.choice("0123456789") for _ in range(rng.randint(1, 5))))
        text = groups[0]
        for g in groups[1:]:
            text += rng.choice(SEPARATORS) + g
        out.append(text)
    return out


def _reference(candidate: str, region: str) -> phonenumbers.PhoneNumber | None:
    """What libphonenumber's matcher makes of the whole candidate at Leniency.VALID (its parse and _verify)."""
    try:
        number = phonenumbers.parse(candidate, region, keep_raw_input=True)
    except phonenumbers.NumberParseException:
        return None
    if not _verify(Leniency.VALID, number, candidate, None):
        return None
    number.country_code_source = CountryCodeSource.UNSPECIFIED
    number.raw_input = None
    number.preferred_domestic_carrier_code = None
    return number


def test_plain_candidates_read_as_libphonenumber_reads_them() -> None:
    rng = random.Random(22)
    answered = valid = 0
    for candidate in _candidates(rng, 3000):
        for region in REGIONS:
            fast = plain_national(candidate, region)
            if fast is NOT_PLAIN:
                continue
            answered += 1
            valid += fast is not None
            assert fast == _reference(candidate, region), (candidate, region)
    # the fast path answers most of them (valid numbers and not), so the comparison means something
    assert answered > 4000 and valid > 1000, (answered, valid)


@pytest.mark.parametrize("candidate", ["020 123 4567", "0900-1234-567", "06 12345678", "0800 0227", "088 444 66 66"])
def test_common_dutch_numbers_take_the_fast_path(candidate: str) -> None:
    fast = plain_national(candidate, "NL")
    assert fast is not NOT_PLAIN and fast is not None
    assert fast == _reference(candidate, "NL")


@pytest.mark.parametrize("candidate", ["+31 20 123 4567", "0031 20 123 4567", "020.123.4567", "(020) 123 4567",
                                       "020 123 4567 x12", "０２０ １２３ ４５６７", "20 123 4567", "020\u200b1234567"])
def test_anything_else_is_left_to_libphonenumber(candidate: str) -> None:
    assert plain_national(candidate, "NL") is NOT_PLAIN


# What ad copy and scammers put beside a number (issue 20): counts, invisible characters, other digits, O for 0.
BESIDE = ("7 dagen per week", "24/7", "24 uur bereikbaar", "2 minuten wachttijd", "Bel", "bel:", "Tel.", "€",
          "%", "KvK", "of", "(gratis)", "abc", "x", "/", "-", "+", "ma-vr 9-17", "nr. 12", "2024", "1 2 3")


def _obfuscated(rng: random.Random, candidate: str) -> str:
    kind = rng.randrange(6)
    if kind == 0:
        return candidate.replace(" ", "\u200d", 1)
    if kind == 1:
        return "".join(chr(ord(c) - ord("0") + 0xFF10) if c.isdigit() and rng.random() < 0.5 else c for c in candidate)
    if kind == 2:
        return "".join(chr(ord(c) - ord("0") + 0x0660) if c.isdigit() else c for c in candidate)
    if kind == 3:
        return candidate.replace("0", "O")
    return candidate


def test_texts_read_as_libphonenumber_reads_them() -> None:
    rng = random.Random(20)
    candidates = _candidates(rng, 1200)
    found = 0
    for i in range(0, len(candidates), 3):
        parts = []
        for candidate in candidates[i:i + 3]:
            parts += [rng.choice(BESIDE), _obfuscated(rng, candidate), rng.choice(BESIDE)]
        text = " ".join(parts)
        for region in ("NL", "BE", "DE", "US"):
            for reading in (text, reading_of(text).text):
                phones_matcher.forget()  # nothing remembered from another text decides this one
                fast = [(s, e, n) for s, e, n in valid_numbers(reading, region)]
                plain = [(m.start, m.end, m.number) for m in
                         PhoneNumberMatcher(reading, region, leniency=Leniency.VALID, min_candidate_length=4)]
                assert fast == plain, (reading, region)
                found += len(fast)
    assert found > 300


# Words and counts that leave every candidate of a text plain or too short (no brackets, "+", "/" or "x").
PLAIN_BESIDE = ("Bel", "bel:", "of", "mail ons.", "abc", "Tel.", "%", "€", "-", "2024", "1 2 3", "nr. 12",
                "7 dagen per week", "2012-01-02 08:00", "ma-vr 9-17", "0900", "KvK", "12 34 56")


def test_plain_texts_are_read_without_the_matcher_as_the_matcher_reads_them() -> None:
    """The matcher's loop is run without the matcher for a text of plain candidates (most result text): the same
    numbers at the same places, with nothing and with the verdicts of the text already remembered."""
    rng = random.Random(22)
    candidates = [c for c in _candidates(rng, 1500) if plain_national(c, "NL") is not NOT_PLAIN]
    for i in range(0, len(candidates), 2):
        parts = []
        for candidate in candidates[i:i + 2]:
            parts += [rng.choice(PLAIN_BESIDE), candidate, rng.choice(PLAIN_BESIDE)]
        text = "".join(part + rng.choice((" ", " ", "", "\n")) for part in parts)  # glued to letters, too
        for region in ("NL", "BE", "DE", "US"):
            reading = reading_of(text).text
            phones_matcher.forget()
            expected = [(m.start, m.end, m.number) for m in
                        PhoneNumberMatcher(reading, region, leniency=Leniency.VALID, min_candidate_length=4)]
            for _ in range(2):  # the second time from the remembered verdicts
                assert phones_matcher._plain_numbers(reading, region) == expected, (reading, region)
                assert list(valid_numbers(reading, region)) == expected, (reading, region)


def test_a_text_with_a_candidate_for_the_matcher_is_read_as_the_matcher_reads_it() -> None:
    """Candidates the fast path does not answer (a non-zero national "12345", "+31 ...", brackets, "/", an invalid
    whole cut into parts) are handed to the matcher one at a time, among plain ones: the same numbers at the
    same places as the matcher's own loop over the whole text."""
    rng = random.Random(23)
    plain = [c for c in _candidates(rng, 900) if plain_national(c, "NL") is not NOT_PLAIN]
    other = ["12345", "bellen 23456", "site34567.nl", "+31 20 123 4567", "(020) 123 4567", "020 123 4567/68",
             "0900 1234 5678 9", "06-1234 5678 - 020 123 4567", "2012-01-02 08:00", "3324451234 8002341234"]
    for i in range(0, len(plain), 2):
        parts = [rng.choice(PLAIN_BESIDE), plain[i], rng.choice(other), *plain[i + 1:i + 2], rng.choice(PLAIN_BESIDE)]
        text = "".join(part + rng.choice((" ", " ", "", "\n")) for part in parts)
        for region in ("NL", "BE", "US"):
            reading = reading_of(text).text
            phones_matcher.forget()
            expected = [(m.start, m.end, m.number) for m in
                        PhoneNumberMatcher(reading, region, leniency=Leniency.VALID, min_candidate_length=4)]
            for _ in range(2):
                assert list(valid_numbers(reading, region)) == expected, (reading, region)


def test_what_may_stand_beside_a_number_is_libphonenumbers_rule() -> None:
    matcher = phones_matcher._Matcher("", "NL", leniency=Leniency.VALID)
    for char in [chr(i) for i in range(128)] + list("€£¥éßÅ\u0301\u00a0\u200bаб"):
        expected = PhoneNumberMatcher._is_invalid_punctuation_symbol(char) or PhoneNumberMatcher._is_latin_letter(char)
        assert matcher.spoils(char) == bool(expected), repr(char)


def test_number_type_is_libphonenumbers_on_random_numbers_of_every_country_code():
    # crawler.phones_national.number_type tells the type from the region's patterns compiled once: the same
    # type as phonenumbers.number_type for national numbers of every length, leading zeros among them
    from crawler import phones_national

    rng = random.Random(2222)
    kinds = set()
    codes = sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)
    for i in range(12_000):
        code = rng.choice(codes) if i % 3 else rng.choice((31, 32, 49, 44, 33, 39, 1, 7))
        example = phonenumbers.example_number_for_type(
            phonenumbers.COUNTRY_CODE_TO_REGION_CODE[code][0], rng.choice(list(range(11))))
        nsn = (phonenumbers.national_significant_number(example) if example is not None and rng.random() < 0.5
               else "".join(rng.choice("0123456789") for _ in range(rng.randint(2, 13))))
        nsn = nsn[: rng.randint(len(nsn) - 1, len(nsn))] + ("" if rng.random() < 0.7 else rng.choice("0123456789"))
        if not nsn:
            continue
        number = phonenumbers.PhoneNumber(country_code=code, national_number=int(nsn))
        phonenumbers.phonenumberutil._set_italian_leading_zeros_for_phone_number(nsn, number)
        phones_national.forget()
        expected = phonenumbers.number_type(number)
        assert phones_national.number_type(number) == expected, (code, nsn)
        kinds.add(expected)
    assert len(kinds) >= 8, kinds  # fixed line, mobile, toll free, premium ... and unknown
