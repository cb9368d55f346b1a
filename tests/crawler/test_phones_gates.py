"""The quick searches that spare text the slower patterns (issue 22) never change what the patterns find."""

from __future__ import annotations

import pytest

from crawler import phones_candidates, phones_context

TEXTS = [
    "Bel 0900 1234 567 (10 ct/min), ma-vr 09.00-17.00 uur, za 10:00 tot 16.30",
    "IBAN NL91 ABNA 0417 1643 00, BTW NL123456789B01, BE 0123.456.789, KvK 12345678",
    "Besteld op 12-03-2024, geleverd 2024-03-14; prijs € 12,95 of 0,80 per minuut",
    "Postcode 1234 AB Amsterdam, www.example.nl/contact?id=0201234567, https://x.nl/0612345678",
    "Bel 0800-KLANTEN of 1-844-5-LENSES, (0800)-HULP, 0800.ABC; 1-800 Contacts",
    "Storing? Bel 020 123 4567\nAdvertentie www.advertiser1.nl/klantenservice",
    "prijs 1.234,56 en 3.50 en 7,5 procent, 1,2,3 en 12.5.2024 en 12/3/24",
]


@pytest.mark.parametrize("text", TEXTS)
def test_blocked_spans_are_every_blockers_matches(text: str) -> None:
    ungated = sorted(m.span() for _, rx in phones_context._BLOCKERS for m in rx.finditer(text))
    spans = phones_context.blocked_spans(text)
    assert list(zip(spans.starts, spans.max_ends, strict=True)) == _with_running_max(ungated)


def _with_running_max(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in spans:
        out.append((s, max(e, out[-1][1]) if out else e))
    return out


@pytest.mark.parametrize("text", TEXTS)
def test_vanity_candidates_are_the_patterns_matches(text: str) -> None:
    found = [(s, e) for s, e, _ in phones_candidates.vanity_candidates(text, "NL")]
    ungated = [m.span(1) for m in phones_candidates._VANITY.finditer(text)
               if phones_candidates._vanity_number(m.group(1), "NL") is not None
               and sum(c.isalpha() for c in m.group(2)) >= phones_candidates._MIN_VANITY_LETTERS]
    assert found == ungated
    if "KLANTEN" in text:
        assert found  # the gate lets the vanity numbers through


def test_the_fold_finds_the_characters_it_always_found() -> None:
    """phones_reading._FOLDABLE starts with the non-ASCII class (fast) and finds what its first form found:
    a decimal digit other than 0-9, an invisible character or fullwidth punctuation, in every code point."""
    import re

    from crawler import phones_reading as r

    first_form = re.compile("(?![0-9])\\d|[" + "".join(sorted(r._INVISIBLE | set(r._FULLWIDTH_PUNCTUATION))) + "]")
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    spans = [m.span() for m in r._FOLDABLE.finditer(every)]
    assert spans == [m.span() for m in first_form.finditer(every)]
    assert len(spans) > 600  # (Arabic-Indic, fullwidth, Devanagari ... digits, and the rest)


def _random_windows(seed: int, count: int) -> list[str]:
    """Texts built from identifier words, their stems and numbers' neighbours, cased at random: what the gates
    of names_identifier and blocked_spans must not change the answer on."""
    import random

    rng = random.Random(seed)
    pieces = ["KvK", "k.v.k.", "K.V.K", "btw", "VAT", "Iban", "NL123456789B01", "80 cent", "3 CT", "1234AB",
              "99999999", "bestel", "Order", "klant", "factuur", "nummer", "nr",
              "No", "number", "id", "code", "#", ":", "=", " ", " ", "-", ".", "Bel", "ons", "op", "tel", "€", "EUR",
              "12", "2024", "1234 AB", "www.", "https://", "ct/min", "12,95", "09.00", "-", "17:30", "NL91",
              "ABNA", "BE", "0123", "DE123456789", "tot", "uur", "\u200d", "\u212a", "\u017f"]
    stems = ["bestel", "order", "klant", "factuur", "referentie", "ticket", "tracking", "handelsregister", "polis"]
    nums = ["nummer", "nr", "no", "number", "num", "id", "code", "#"]
    out = []
    for _ in range(count):
        words = [rng.choice(pieces) for _ in range(rng.randrange(1, 9))]
        if rng.random() < 0.3:  # a stem and its number word, as an identifier is named
            words += [rng.choice(stems), rng.choice(["", " ", "-"]), rng.choice(nums), rng.choice(["", ".", ": ", "="])]
        out.append("".join(w.upper() if rng.random() < 0.2 else w for w in words))
    return out


def test_names_identifier_answers_as_the_identifier_pattern_does() -> None:
    # the substring gate before the pattern: the same answer on every window, identifier words or none
    named = 0
    for window in _random_windows(20, 6000):
        text = window + " 0201234567"
        expected = bool(phones_context._ID_PREFIX.search(phones_context._INVISIBLE.sub("", window[-40:])))
        assert phones_context.names_identifier(text, len(window)) is expected, window
        named += expected
    assert 200 < named < 3000


def test_blocked_spans_are_every_blockers_matches_on_random_texts() -> None:
    # the shared gates (digit, punctuation, digit; the digit-led VAT, cents and postcode gates) never hide a match
    blocked = 0
    for text in _random_windows(21, 4000):
        text = text.replace("DE123456789", _vat_like(text))
        ungated = sorted(m.span() for _, rx in phones_context._BLOCKERS for m in rx.finditer(text))
        spans = phones_context.blocked_spans(text)
        assert list(zip(spans.starts, spans.max_ends, strict=True)) == _with_running_max(ungated), text
        blocked += bool(ungated)
    assert blocked > 1000


def _vat_like(text: str) -> str:
    """A VAT-like word whose digits depend on the text: some German ones (8 to 12 digits), some not."""
    return "DE" + "1234567890123"[: 6 + len(text) % 8]
