"""Phone numbers in text and links, normalised with phonenumbers (libphonenumber).

``extract_phones`` reads numbers from visible text; ``phone_from_href`` reads
``tel:`` and WhatsApp links.  Both return :class:`crawler.models.Phone` with
the E.164 form and the number type, interpreted in the page's region.

Text is read in chunks of whole lines (:func:`crawler.phones_candidates.chunks`), each first put
the way a person sees it (:mod:`crawler.phones_reading`: Unicode digits and lookalike letters
folded, invisible characters and bidi overrides undone, counts such as "7 dagen" or "24/7" blanked),
then in three passes:

1. *Vanity numbers* ("0800-KLANTEN", "1-844-5-LENSES"): libphonenumber's matcher
   does not read letters, so a small regex finds digits followed directly by a
   block of capitals, which are converted to digits and validated.
2. libphonenumber's ``PhoneNumberMatcher`` at ``Leniency.VALID`` (:mod:`crawler.phones_matcher`:
   asked only where four digits stand close together, and once per candidate): only numbers
   that are valid for their region (right length, existing prefix), not glued
   to letters.  This alone rejects most dates, KvK numbers and order numbers
   because they do not have the length or prefix of a real number.
3. A split of runs of digit groups that hold several numbers written one after
   another ("020 1234567 088 444 66 66"), which the matcher reads as one
   invalid candidate and drops, or a number beside a short group of ad copy.

Every candidate then goes through context filters (:mod:`crawler.phones_context`), because some
identifiers do have the shape of a valid number: a match is dropped when it overlaps an IBAN,
a VAT number, a date, a time, a price, a postcode or a URL, or when the text
just before it names an identifier ("KvK", "bestelnummer:", "order #"), or
when a domestic number lacks the trunk "0" that its region always writes.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

import phonenumbers
from phonenumbers import PhoneNumberType

from crawler import phones_matcher, phones_national
from crawler.models import Phone
from crawler.phones_candidates import (
    CHUNK_CHARS,
    DIGIT_RUN,
    FOUR_DIGITS,
    MIN_NUMBER_DIGITS,
    chunks,
    has_digit,
    parse_valid,
    split_run,
    vanity_candidates,
)
from crawler.phones_context import Spans, blocked_spans, has_required_prefix, names_identifier
from crawler.phones_matcher import valid_numbers
from crawler.phones_reading import reading_of

_TYPE_NAMES = {
    PhoneNumberType.FIXED_LINE: "fixed_line",
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed_line_or_mobile",
    PhoneNumberType.TOLL_FREE: "toll_free",
    PhoneNumberType.PREMIUM_RATE: "premium_rate",
    PhoneNumberType.SHARED_COST: "shared_cost",
    PhoneNumberType.VOIP: "voip",
    PhoneNumberType.PERSONAL_NUMBER: "personal_number",
    PhoneNumberType.PAGER: "pager",
    PhoneNumberType.UAN: "uan",
    PhoneNumberType.VOICEMAIL: "voicemail",
    PhoneNumberType.UNKNOWN: "unknown",
}


def number_type_name(number: phonenumbers.PhoneNumber) -> str:
    return _TYPE_NAMES.get(phones_national.number_type(number), "unknown")


def forget_numbers() -> None:
    """Forget every number remembered while reading (a benchmark reads each page as if it were the first)."""
    phones_matcher.forget()
    parse_valid.cache_clear()
    phones_national.forget()
    _E164.clear()


# E.164 forms remembered by what they are made of (country code and national significant number): a page repeats
# its numbers, and format_number is pure Python.
_E164: dict[tuple[int | None, int | None, bool | None, int | None], str] = {}
_E164_SIZE = 50_000


def to_e164(number: phonenumbers.PhoneNumber) -> str:
    key = (number.country_code, number.national_number, number.italian_leading_zero, number.number_of_leading_zeros)
    found = _E164.get(key)
    if found is None:
        found = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        if number.national_number:  # (a number without one is formatted from its raw input)
            if len(_E164) >= _E164_SIZE:
                _E164.clear()
            _E164[key] = found
    return found


def _phone(raw: str, number: phonenumbers.PhoneNumber, channel: str) -> Phone:
    return Phone(
        raw=" ".join(raw.split()),
        e164=to_e164(number),
        number_type=number_type_name(number),
        channel=channel,
    )


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class PhoneMatch:
    """A number read from text, with where it stands in that text."""

    start: int
    end: int
    phone: Phone


@dataclass(frozen=True)
class PhoneScan:
    """Numbers read from a text, and how much of it was read before the deadline."""

    matches: tuple[PhoneMatch, ...]
    chars_read: int
    complete: bool


def scan_phones(text: str, region: str = "NL", channel: str = "text", *, deadline: float | None = None
                ) -> PhoneScan:
    """Every number written in ``text`` with its position, in order (duplicates kept).

    ``deadline`` (a ``time.monotonic()`` value): stop at the first chunk boundary after it; the scan
    then says how far it got (``complete`` False).
    """
    found: list[PhoneMatch] = []
    read = 0
    for start, end in chunks(text):
        if deadline is not None and time.monotonic() > deadline:
            return PhoneScan(tuple(found), read, False)
        found.extend(_read_chunk(text, start, end, region, channel))
        read = end
    return PhoneScan(tuple(found), len(text), True)


# The brands serpaudit audits are Dutch: on a Belgian sweep (Flanders reads Dutch pages) their pages and their
# scammers' ads still write Dutch numbers nationally ('0900 1234 567', '020 123 4567'), which Belgium's numbering
# plan does not know. A number is read with the sweep's region first; what reads as no number there but as a
# number of the region's neighbour here is that neighbour's (written with +31 it was read either way). Other
# regions read their own plan only: on a US sweep '020 123 4567' is no number.
NEIGHBOUR_REGION = {"BE": "NL"}


def _read_chunk(text: str, start: int, end: int, region: str, channel: str) -> list[PhoneMatch]:
    found = _scan_chunk(text, start, end, region, channel)
    neighbour = NEIGHBOUR_REGION.get(region)
    if neighbour is None:
        return found
    taken = [(pm.start, pm.end) for pm in found]
    home = [pm for pm in _scan_chunk(text, start, end, neighbour, channel)
            if not any(pm.start < e and s < pm.end for s, e in taken)]
    return sorted([*found, *home], key=lambda pm: pm.start) if home else found


def find_phones(text: str, region: str = "NL", channel: str = "text") -> list[PhoneMatch]:
    """Every number written in ``text`` with its position, in order (duplicates kept)."""
    return list(scan_phones(text, region, channel).matches) if text else []


def _scan_chunk(text: str, cstart: int, cend: int, region: str, channel: str) -> list[PhoneMatch]:
    chunk = text[cstart:cend]
    if not has_digit(chunk):
        return []  # every pass below starts from a digit
    # The passes read the chunk as shown, folded (crawler.phones_reading); ``raw`` is taken as written.
    reading = reading_of(chunk)
    rtext = reading.text
    blocked: Spans | None = None  # found only when a candidate needs them (most text has none)
    taken = Spans()
    found: list[PhoneMatch] = []

    def written_ok(raw: str, number: phonenumbers.PhoneNumber) -> bool:
        return has_required_prefix(raw, number, region)

    def accept(start: int, end: int, number: phonenumbers.PhoneNumber) -> None:
        nonlocal blocked
        if taken.overlaps(start, end):
            return
        if blocked is None:
            blocked = blocked_spans(reading.shown)
        if blocked.overlaps(start, end):
            return
        s, e = reading.source_span(start, end)
        if (names_identifier(text, cstart + s) or (reading.order is not None and names_identifier(reading.shown, start))
                or not written_ok(rtext[start:end], number)):
            return
        taken.add(start, end)
        found.append(PhoneMatch(cstart + s, cstart + e, _phone(_without_bidi_controls(chunk[s:e]), number, channel)))

    for s, e, number in vanity_candidates(rtext, region):
        accept(s, e, number)

    if FOUR_DIGITS.search(rtext):  # the cheap candidate pass: no valid number has fewer digits
        for s, e, number in valid_numbers(rtext, region):
            accept(s, e, number)

    for run in DIGIT_RUN.finditer(rtext):
        if taken.overlaps(run.start(), run.end()):
            continue
        for s, e, number in split_run(rtext, run.start(), run.end(), region, written_ok):
            accept(s, e, number)

    found.sort(key=lambda pm: pm.start)
    return found


_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def _without_bidi_controls(raw: str) -> str:
    """``raw`` without bidi embeddings, overrides and isolates: kept in a report, an unclosed override
    would turn the rest of the line around."""
    return _BIDI_CONTROLS.sub("", raw) if not raw.isascii() else raw


def extract_phones(text: str, region: str = "NL", channel: str = "text") -> list[Phone]:
    """Every valid phone number written in ``text``, in order, without duplicates."""
    found: list[Phone] = []
    seen: set[str] = set()
    for pm in find_phones(text, region, channel):
        if pm.phone.e164 not in seen:
            seen.add(pm.phone.e164)
            found.append(pm.phone)
    return found


def parse_phone(raw: str, region: str = "NL", channel: str = "text") -> Phone | None:
    """One number given on its own (a tel: target, a schema.org ``telephone``), or None.

    Letters are converted as on a keypad, so ``0800-KLANTEN`` in a tel: link is read.
    """
    number = parse_valid(raw, region)
    return _phone(raw, number, channel) if number is not None else None


_WHATSAPP_HOSTS = {"wa.me", "api.whatsapp.com", "web.whatsapp.com", "whatsapp.com", "www.whatsapp.com"}


def might_dial(href: str) -> bool:
    """False for a link :func:`phone_from_href` surely reads no number from (most links on a page):
    neither a tel:, callto: or whatsapp: link nor one naming a WhatsApp host (a host is never
    percent-encoded, so its name is in the link as written)."""
    lower = href.strip().lower()
    return lower.startswith(("tel:", "callto:", "whatsapp:")) or "wa.me" in lower or "whatsapp.com" in lower


def phone_from_href(href: str, region: str = "NL", *, channel: str | None = None) -> Phone | None:
    """The number a ``tel:`` or WhatsApp link dials, or None.

    ``channel`` overrides ``tel`` (e.g. ``call_button`` for a call button); WhatsApp
    links are always channel ``whatsapp``.
    """
    if not href or not might_dial(href):
        return None
    href = href.strip()
    lower = href.lower()
    if lower.startswith(("tel:", "callto:")):
        # "tel:+31-20-1234567;ext=12", "tel://0800..." or percent-encoded spaces.
        raw = unquote(href.split(":", 1)[1]).lstrip("/").split(";")[0].split("?")[0]
        return parse_phone(raw, region, channel or "tel")
    if lower.startswith("whatsapp:"):
        raw = (parse_qs(urlsplit(href).query).get("phone") or [""])[0]
        return _whatsapp_phone(raw, region)
    try:
        parts = urlsplit(href if "://" in href else "https://" + href)
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    if host not in _WHATSAPP_HOSTS:
        return None
    if host == "wa.me":
        raw = unquote(parts.path).strip("/").split("/")[0]
    else:
        raw = (parse_qs(parts.query).get("phone") or [""])[0]
    return _whatsapp_phone(raw, region)


def _whatsapp_phone(raw: str, region: str) -> Phone | None:
    raw = unquote(raw).strip()
    # wa.me/message/ABC123 (a business short link) carries no number.
    if not raw or re.search(r"[A-Za-z]", raw):
        return None
    digits = re.sub(r"[^\d+]", "", raw)
    if not digits:
        return None
    # wa.me and api.whatsapp.com take the number in international form without "+";
    # some sites write the national form ("0612345678") anyway.
    if digits.startswith("0") and not digits.startswith("00"):
        return parse_phone(digits, region, "whatsapp")
    return parse_phone("+" + digits.lstrip("+"), region, "whatsapp")


__all__ = [
    "CHUNK_CHARS", "MIN_NUMBER_DIGITS", "PhoneMatch", "PhoneScan", "extract_phones", "find_phones", "forget_numbers",
    "might_dial", "number_type_name", "parse_phone", "phone_from_href", "scan_phones", "to_e164",
]
