"""crawler.nanp rules out US-formatted strings that cannot hold a valid +1 number, and only those."""

from __future__ import annotations

import random

from crawler.htmltree import NANP
from crawler.nanp import can_be_nanp
from crawler.phones import extract_phones


def test_dutch_numbers_in_us_format_are_ruled_out_and_us_numbers_are_not():
    for dutch in ("020 123 4567", "010-123-4567", "(020) 105-1005", "1 020 105 1005", "088.123.4567",
                  "020 101 1001", "020-110-1100"):  # (011 inside a group is no international prefix)
        assert not can_be_nanp(dutch), dutch
    for us in ("(860) 391-8302", "1-800-555-0199", "212 555 0123", "+1 020 105 1005", "011 441 234 5678",
               "0 11 441 234 5678"):
        assert can_be_nanp(us), us


def test_a_seven_digit_run_is_ruled_out_unless_it_is_canadas_310_kind():
    # Canada's general pattern lets any 7-digit run starting with 3 through; its only 7-digit type is 310 dddd
    assert not can_be_nanp("020 345 6789") and not can_be_nanp("(020) 399-1234")
    assert can_be_nanp("020 310 1234") and can_be_nanp("0 203 101 234")


def test_a_ruled_out_string_is_one_libphonenumber_reads_no_number_from():
    rng = random.Random(11)
    ruled_out = 0
    for _ in range(3000):
        d = "".join(rng.choice("0123456789" if rng.random() < 0.5 else "01") for _ in range(10))
        s = rng.choice([f"{d[:3]} {d[3:6]} {d[6:]}", f"({d[:3]}) {d[3:6]}-{d[6:]}", f"1-{d[:3]}-{d[3:6]}-{d[6:]}",
                        f"{d[:3]}.{d[3:6]}.{d[6:]}"])
        m = NANP.search(s)
        assert m is not None
        if not can_be_nanp(m.group()):
            ruled_out += 1
            assert extract_phones(m.group(), "US") == [], m.group()
    assert ruled_out > 500


def test_ruled_out_strings_with_canadian_seven_digit_runs_read_no_number():
    # Digit strings that hold "310" and 3xx runs often (the ones only the type patterns rule out), in the shapes
    # NANP finds: none that can_be_nanp rules out gives libphonenumber a +1 number, and some do give one.
    rng = random.Random(22)
    ruled_out = read = 0
    for _ in range(1500):
        d = "".join(rng.choice("0123456789") for _ in range(10))
        at = rng.randrange(0, 8)
        d = (d[:at] + rng.choice(["310", "3", "31", "8", "2"]) + d[at:])[:10]
        s = rng.choice([f"{d[:3]} {d[3:6]} {d[6:]}", f"({d[:3]}) {d[3:6]}-{d[6:]}", f"1-{d[:3]}-{d[3:6]}-{d[6:]}"])
        m = NANP.search(s)
        assert m is not None
        if not can_be_nanp(m.group()):
            ruled_out += 1
            assert extract_phones(m.group(), "US") == [], m.group()
        elif extract_phones(m.group(), "US"):
            read += 1
    assert ruled_out > 300 and read > 100, (ruled_out, read)
