"""Attacker-sized pages: extraction reads every chunk, a cap and a time budget bound it, and say so."""

from __future__ import annotations

import time

from crawler import contact
from crawler.phones import CHUNK_CHARS, find_phones, scan_phones

SCAM = "Bel nu 0900 123 4567 voor hulp."


def test_numbers_on_chunk_edges_and_positions_are_kept():
    filler = "x" * (CHUNK_CHARS - 7)
    text = f"{filler} 020 123 4567 en {filler} 06 12345678\n" * 3
    found = find_phones(text)
    assert [pm.phone.e164 for pm in found] == ["+31201234567", "+31612345678"] * 3
    for pm in found:
        assert text[pm.start:pm.end] == pm.phone.raw


def test_a_scan_past_its_deadline_stops_and_says_how_far_it_read():
    text = ("Bel 020 123 4567 of 06 12345678.\n" * 2_000)
    scan = scan_phones(text, deadline=time.monotonic() - 1)
    assert not scan.complete and scan.chars_read < len(text)
    assert scan_phones(text).complete


def test_a_page_over_the_cap_is_read_up_to_it_and_noted_as_truncated():
    page = "<html><body><p>" + SCAM + "</p>" + "<p>lorem ipsum</p>" * 20_000 + "<p>Bel 0900 765 4321</p></body></html>"
    whole = contact.parse(page)
    assert {p.e164 for p in whole.phones} == {"+319001234567", "+319007654321"} and whole.truncated == ""
    capped = contact.parse(page, limits=contact.Limits(max_chars=10_000))
    assert [p.e164 for p in capped.phones] == ["+319001234567"]
    assert "read the first 10,000 of" in capped.truncated and "max_page_chars" in capped.truncated


def test_a_page_out_of_time_is_noted_as_truncated():
    page = "<html><body>" + "<p>Bel 020 123 4567</p>" * 5_000 + "</body></html>"
    read = contact.read_page(page, limits=contact.Limits(budget_s=0))
    assert "time budget of 0 s ran out" in read.truncated
