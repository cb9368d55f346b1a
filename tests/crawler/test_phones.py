"""Phone numbers in text and links: what is read, what is not, and its type."""

from __future__ import annotations

import pytest

from crawler.models import Phone
from crawler.phones import extract_phones, find_phones, parse_phone, phone_from_href


def text_phone(raw: str, e164: str, number_type: str) -> Phone:
    return Phone(raw=raw, e164=e164, number_type=number_type, channel="text")


# --------------------------------------------------------------------------- positives


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bel 0900 - 81 70", text_phone("0900 - 81 70", "+319008170", "premium_rate")),
        ("Bel 0900-8170 (€ 0,90 p/m)", text_phone("0900-8170", "+319008170", "premium_rate")),
        ("Gratis: (0800) 024 12 12", text_phone("(0800) 024 12 12", "+318000241212", "toll_free")),
        ("Tel. +31 10 241 17 23", text_phone("+31 10 241 17 23", "+31102411723", "fixed_line")),
        ("+31 (0)20 123 4567", text_phone("+31 (0)20 123 4567", "+31201234567", "fixed_line")),
        ("Klantenservice 088 444 66 66", text_phone("088 444 66 66", "+31884446666", "uan")),
        ("Mobiel: 06 26 65 25 83", text_phone("06 26 65 25 83", "+31626652583", "mobile")),
        (
            "Vanuit het buitenland 0031 20 123 4567",
            text_phone("0031 20 123 4567", "+31201234567", "fixed_line"),
        ),
        ("Support 085 123 4567", text_phone("085 123 4567", "+31851234567", "voip")),
        ("06-12-34-56-78", text_phone("06-12-34-56-78", "+31612345678", "mobile")),
        ("06-12.34.56.78", text_phone("06-12.34.56.78", "+31612345678", "mobile")),
        ("Telefoonnummer: 020-1234567", text_phone("020-1234567", "+31201234567", "fixed_line")),
    ],
)
def test_reads_dutch_formats(text: str, expected: Phone) -> None:
    assert extract_phones(text, "NL") == [expected]


@pytest.mark.parametrize(
    ("prefix", "number_type"),
    [
        ("0900", "premium_rate"),
        ("0800", "toll_free"),
        ("06", "mobile"),
        ("088", "uan"),  # libphonenumber: NL 088 is a "company number" (UAN)
        ("085", "voip"),
        ("0909", "premium_rate"),
        ("020", "fixed_line"),
    ],
)
def test_number_types(prefix: str, number_type: str) -> None:
    number = {"0900": "0900 1234567", "0909": "0909 1234", "0800": "0800 1234567"}.get(
        prefix, prefix + "12345678"[: 10 - len(prefix)]
    )
    [phone] = extract_phones(number)
    assert phone.number_type == number_type


def test_international_and_national_forms_give_one_e164() -> None:
    text = "Bel 020 123 4567, +31 20 123 4567, 0031 20 123 4567 of +31 (0)20 123 4567."
    assert extract_phones(text) == [text_phone("020 123 4567", "+31201234567", "fixed_line")]
    assert {pm.phone.e164 for pm in find_phones(text)} == {"+31201234567"}
    assert len(find_phones(text)) == 4


def test_find_phones_reports_positions() -> None:
    text = "Bel 0900-8170 nu"
    [pm] = find_phones(text)
    assert text[pm.start : pm.end] == "0900-8170"


def test_two_numbers_written_one_after_another() -> None:
    assert extract_phones("020 1234567 088 444 66 66") == [
        text_phone("020 1234567", "+31201234567", "fixed_line"),
        text_phone("088 444 66 66", "+31884446666", "uan"),
    ]


def test_channel_is_passed_on() -> None:
    assert extract_phones("0800 0227", channel="whatsapp") == [
        Phone(raw="0800 0227", e164="+318000227", number_type="toll_free", channel="whatsapp")
    ]


# --------------------------------------------------------------------------- vanity numbers


@pytest.mark.parametrize(
    ("text", "region", "expected"),
    [
        ("Call 1-844-5-LENSES today", "US", text_phone("1-844-5-LENSES", "+18445536737", "toll_free")),
        # The same on a Dutch page: a North American number, read as such.
        ("Bel 1-844-5-LENSES", "NL", text_phone("1-844-5-LENSES", "+18445536737", "toll_free")),
        ("Bel gratis 0800-KLANTEN", "NL", text_phone("0800-KLANTEN", "+318005526836", "toll_free")),
        ("1-800-FLOWERS", "US", text_phone("1-800-FLOWERS", "+18003569377", "toll_free")),
    ],
)
def test_vanity_numbers(text: str, region: str, expected: Phone) -> None:
    assert extract_phones(text, region) == [expected]


@pytest.mark.parametrize("region", ["NL", "US"])
def test_brand_name_1_800_contacts_is_not_a_number(region: str) -> None:
    assert extract_phones("Order lenses at 1-800 Contacts, the contact lens store", region) == []
    assert extract_phones("1-800 Contacts", region) == []
    assert extract_phones("1-800-Contacts", region) == []


# --------------------------------------------------------------------------- negatives


@pytest.mark.parametrize(
    "text",
    [
        # Order numbers, also where the digits happen to form a valid Dutch number.
        "bestelnummer 123456789",
        "Bestelnummer: 0201234567",
        "ordernummer 0201234567",
        "Order #0201234567",
        "Uw klantnummer: 0201234567",
        "Factuurnr. 0301234567",
        # Dates.
        "12-03-2024",
        "2024-03-12",
        "Geleverd op 12/03/2024",
        # Opening hours.
        "ma-vr 08:00 - 20:00",
        "09.00-17.00 uur",
        "Bereikbaar van 09.00 tot 17.00",
        # Prices and rates.
        "€ 12,95",
        "0,80 per minuut",
        "EUR 1.234,56",
        # KvK numbers.
        "KvK 12345678",
        "KvK-nummer: 3410 1234",
        "KvK nummer 0201234567",
        # BTW/VAT numbers (the second would be a valid 085 number without the filter).
        "NL123456789B01",
        "BTW: NL855123456B01",
        "btw-nummer NL855123456B01",
        # IBANs (the second holds 0201234567, an Amsterdam number).
        "NL91 ABNA 0417 1643 00",
        "IBAN: NL18 ABNA 0201 2345 67",
        "NL18ABNA0201234567",
        # Postcodes.
        "1234 AB Amsterdam",
        "Postbus 1234, 1000 AB Amsterdam",
        # A Dutch number is always written with its 0 (or +31): these are other ids.
        "Artikel 71234 5678",
        "Pas 71 234 5678",
        # Digits in a URL are ids.
        "https://example.nl/product/0201234567",
    ],
)
def test_not_phone_numbers(text: str) -> None:
    assert extract_phones(text) == []


def test_rate_next_to_number_is_not_read() -> None:
    text = "Bel 0900-1234567 (0,80 per minuut, ma-vr 09.00-17.00 uur). KvK 12345678, NL91 ABNA 0417 1643 00."
    assert extract_phones(text) == [text_phone("0900-1234567", "+319001234567", "premium_rate")]


def test_identifier_word_only_blocks_the_number_right_after_it() -> None:
    text = "Ordernummer: 0301234567. Klantenservice: 020 123 4567"
    assert extract_phones(text) == [text_phone("020 123 4567", "+31201234567", "fixed_line")]


def test_empty_text() -> None:
    assert extract_phones("") == []
    assert find_phones("") == []


# --------------------------------------------------------------------------- links


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("tel:0900-8170", Phone("0900-8170", "+319008170", "premium_rate", "tel")),
        ("tel:+31%2020%20123%204567", Phone("+31 20 123 4567", "+31201234567", "fixed_line", "tel")),
        ("TEL:+31201234567;ext=12", Phone("+31201234567", "+31201234567", "fixed_line", "tel")),
        ("tel://0800-0227", Phone("0800-0227", "+318000227", "toll_free", "tel")),
        ("tel:0800-KLANTEN", Phone("0800-KLANTEN", "+318005526836", "toll_free", "tel")),
        ("https://wa.me/31626652583?text=Hallo", Phone("+31626652583", "+31626652583", "mobile", "whatsapp")),
        ("wa.me/+31626652583", Phone("+31626652583", "+31626652583", "mobile", "whatsapp")),
        (
            "https://api.whatsapp.com/send?phone=31626652583&text=hoi",
            Phone("+31626652583", "+31626652583", "mobile", "whatsapp"),
        ),
        ("whatsapp://send?phone=31626652583", Phone("+31626652583", "+31626652583", "mobile", "whatsapp")),
    ],
)
def test_phone_from_href(href: str, expected: Phone) -> None:
    assert phone_from_href(href, "NL") == expected


def test_call_button_channel() -> None:
    assert phone_from_href("tel:0900-8170", channel="call_button") == Phone(
        "0900-8170", "+319008170", "premium_rate", "call_button"
    )
    # A WhatsApp link stays a WhatsApp link.
    assert phone_from_href("https://wa.me/31626652583", channel="call_button") == Phone(
        "+31626652583", "+31626652583", "mobile", "whatsapp"
    )


@pytest.mark.parametrize(
    "href",
    ["", "https://example.nl/contact", "tel:112x", "tel:", "https://wa.me/message/ABCDEF", "mailto:a@b.nl"],
)
def test_phone_from_href_none(href: str) -> None:
    assert phone_from_href(href) is None


def test_parse_phone() -> None:
    assert parse_phone("+31 88 444 66 66") == text_phone("+31 88 444 66 66", "+31884446666", "uan")
    assert parse_phone("12345") is None
