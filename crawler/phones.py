"""Phone numbers in text and links, normalised with phonenumbers (libphonenumber).

``extract_phones`` reads numbers from visible text; ``phone_from_href`` reads
``tel:`` and WhatsApp links.  Both return :class:`crawler.models.Phone` with
the E.164 form and the number type, interpreted in the page's region.

Reading numbers from text works in three passes over the text:

1. *Vanity numbers* ("0800-KLANTEN", "1-844-5-LENSES"): libphonenumber's matcher
   does not read letters, so a small regex finds digits followed directly by a
   block of capitals, which are converted to digits and validated.
2. libphonenumber's ``PhoneNumberMatcher`` at ``Leniency.VALID``: only numbers
   that are valid for their region (right length, existing prefix), not glued
   to letters.  This alone rejects most dates, KvK numbers and order numbers
   because they do not have the length or prefix of a real number.
3. A split of runs of digit groups that hold several numbers written one after
   another ("020 1234567 088 444 66 66"), which the matcher reads as one
   invalid candidate and drops.

Every candidate then goes through context filters, because some identifiers do
have the shape of a valid number: a match is dropped when it overlaps an IBAN,
a VAT number, a date, a time, a price, a postcode or a URL, or when the text
just before it names an identifier ("KvK", "bestelnummer:", "order #"), or
when a domestic number lacks the trunk "0" that its region always writes.
"""

from __future__ import annotations

import bisect
import re
import time
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

import phonenumbers
from phonenumbers import PhoneNumberType

from crawler.models import Phone

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
    return _TYPE_NAMES.get(phonenumbers.number_type(number), "unknown")


def to_e164(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _phone(raw: str, number: phonenumbers.PhoneNumber, channel: str) -> Phone:
    return Phone(
        raw=" ".join(raw.split()),
        e164=to_e164(number),
        number_type=number_type_name(number),
        channel=channel,
    )


# --------------------------------------------------------------------------
# Context filters: spans of text that look like numbers but are something else.
# --------------------------------------------------------------------------

_BLOCKERS: tuple[re.Pattern[str], ...] = (
    # IBAN: country, check digits, bank code, account ("NL91 ABNA 0417 1643 00").
    # The account part of a Dutch IBAN has ten digits, just like a phone number.
    re.compile(r"\b[A-Z]{2}\d{2} ?[A-Z]{4}(?: ?[0-9]){7,}"),
    # Other IBANs (all digits after the check digits: "BE68 5390 0754 7034").
    re.compile(r"\b[A-Z]{2}\d{2}(?: ?[0-9]{4}){3,7}(?: ?[0-9]{1,3})?\b"),
    # VAT numbers: NL123456789B01, BE 0123.456.789, DE123456789 and the like.
    re.compile(r"\b[A-Z]{2} ?\d{9}B\d{2}\b"),
    re.compile(r"\bBE ?0?\d{3}[.\s]?\d{3}[.\s]?\d{3}\b"),
    re.compile(r"\b(?:AT|DE|DK|ES|FI|FR|GB|IE|IT|LU|PL|PT|SE)[A-Z0-9]?\d{8,12}\b"),
    # Dates: 12-03-2024, 12/3/24, 12.03.2024 (same separator twice) and ISO 2024-03-12.
    # The lookarounds keep "06-12-34-56-78" (a mobile number) from being a date.
    re.compile(
        r"(?<![\d.\-/])(?:0?[1-9]|[12]\d|3[01])([-/.])(?:0?[1-9]|1[0-2])\1(?:(?:19|20)\d\d|\d\d)(?![-/.]?\d)"
    ),
    re.compile(r"(?<![\d.\-/])(?:19|20)\d\d([-/.])(?:0?[1-9]|1[0-2])\1(?:0?[1-9]|[12]\d|3[01])(?![-/.]?\d)"),
    # Times with a colon are never phone numbers: "08:00", "8:30-17:30".
    re.compile(r"(?<![\d:])(?:[01]?\d|2[0-4]):[0-5]\d(?::[0-5]\d)?(?![\d:])"),
    # Times with a dot only where clearly a time: part of a range or followed by "uur"/"u"/"h".
    # ("09.00-17.00 uur" would otherwise read as the premium number 0900 1700.)
    re.compile(
        r"(?<![\d.])(?:[01]?\d|2[0-4])\.[0-5]\d(?![.\d])"
        r"(?=\s*(?:[-\u2010-\u2015]|tot\b|to\b|till?\b|uur\b|u\b|h\b|hrs?\b))",
        re.I,
    ),
    re.compile(r"(?:[-\u2010-\u2015]|\btot|\bto|\btill?)\s*(?:[01]?\d|2[0-4])\.[0-5]\d(?![.\d])", re.I),
    # Prices: "€ 12,95", "EUR 0.80", "0,80 per minuut", "80 ct/min".
    re.compile(r"(?:€|EUR\b|\$|£|USD\b)\s?\d[\d.,]*(?:,-)?", re.I),
    re.compile(r"(?<![\d.,])\d[\d.]*,\d{1,2}(?![\d,])"),
    re.compile(r"(?<![\d.,])\d+(?:[.,]\d+)?\s?(?:cent|ct|cpm|euro|eur|p/m|p\.m\.)(?![a-z])", re.I),
    # Dutch postcode "1234 AB" (SA, SD and SS are not issued).
    re.compile(r"\b[1-9]\d{3} ?(?!SA|SD|SS)[A-Z]{2}\b"),
    # URLs: digits in a path or query are ids, not numbers shown to call.
    re.compile(r"\b(?:https?://|www\.)\S+", re.I),
)

# Words that name an identifier; the number right after them is that identifier.
_ID_ALONE = r"(?:kvk|k\.v\.k\.?|coc|btw|vat|iban|bic|rsin|ean|gtin|isbn|sku|bsn|kenteken|postcode|zip)"
_ID_STEM = (
    r"(?:bestel|order|klant|factuur|invoice|referentie|reference|ref|dossier|pakket|zending|track(?:ing)?"
    r"|artikel|product|model|serie|serial|contract|polis|account|lid|member|vestigings|registratie"
    r"|registration|transactie|transaction|ticket|case|zaak|boeking|booking|reservering|reservation"
    r"|customer|client|rekening|bank|handelsregister|tax)"
)
_ID_NUM = r"(?:nummer|nr|no|number|num|id|code|#)"
_ID_PREFIX = re.compile(
    rf"(?:\b{_ID_ALONE}|\b{_ID_STEM}[\s-]?{_ID_NUM})\.?(?:[\s-]?{_ID_NUM}\.?)?\s*[:#=]?\s*$",
    re.I,
)
_PREFIX_WINDOW = 40


class _Spans:
    """Spans of text, asked "does [start, end) overlap one of you?" in O(log n).

    Blocked spans may overlap each other (sorted by start, with the running maximum of their ends);
    taken spans never do (each is accepted only when it overlaps none), so their ends are sorted too.
    """

    def __init__(self, spans: list[tuple[int, int]] | None = None) -> None:
        spans = sorted(spans or [])
        self.starts = [s for s, _ in spans]
        self.max_ends: list[int] = []
        for _, e in spans:
            self.max_ends.append(max(e, self.max_ends[-1]) if self.max_ends else e)

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self.starts, end)  # spans[:i] start before ``end``
        return i > 0 and self.max_ends[i - 1] > start

    def add(self, start: int, end: int) -> None:
        """Add a span that overlaps none already here (ends stay sorted)."""
        i = bisect.bisect_left(self.starts, start)
        self.starts.insert(i, start)
        self.max_ends.insert(i, end)


def _blocked_spans(text: str) -> _Spans:
    return _Spans([m.span() for rx in _BLOCKERS for m in rx.finditer(text)])


def _names_identifier(text: str, start: int) -> bool:
    """True when the words just before ``start`` say an identifier follows (KvK, order no.)."""
    return bool(_ID_PREFIX.search(text[max(0, start - _PREFIX_WINDOW) : start]))


# --------------------------------------------------------------------------
# Vanity numbers
# --------------------------------------------------------------------------

# Digits (with the usual punctuation), then directly, or after one "-" or ".",
# a block of capitals: "0800-KLANTEN", "1-844-5-LENSES", "1-800-FLOWERS".
# Mixed case or a space before the word ("1-800 Contacts") is a brand name.
_VANITY = re.compile(
    r"(?<![\w+.-])(\+?\(?\d(?:[\d().\s-]{0,14}\d)?\)?[-.]?([A-Z](?:[A-Z\d]|-(?=[A-Z\d]))*[A-Z\d]))(?![\w-])"
)
_MIN_VANITY_LETTERS = 3
# Letters beyond the number's length are conventionally ignored ("1-800-CONTACTS").
_MAX_EXTRA_LETTERS = 3


def _vanity_number(raw: str, region: str) -> phonenumbers.PhoneNumber | None:
    digits = phonenumbers.convert_alpha_characters_in_number(raw)
    candidates = [digits]
    letters = sum(c.isalpha() for c in raw)
    for cut in range(1, min(_MAX_EXTRA_LETTERS, letters - _MIN_VANITY_LETTERS) + 1):
        candidates.append(digits[:-cut].rstrip("-. "))
    for cand in candidates:
        regions = [region]
        # North American vanity numbers start with "1", both the trunk prefix and
        # the country code, so "1-844-..." on a Dutch page is a US/CA number.
        if re.match(r"1\W*[2-9]\d\d", cand):
            regions.append("US")
        for reg in regions:
            number = _parse(cand, reg)
            if number is not None:
                return number
    return None


def _parse(raw: str, region: str) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


# --------------------------------------------------------------------------
# Runs holding several numbers one after another
# --------------------------------------------------------------------------

# Within one line: a line break separates blocks (see crawler.dom.visible_text).
_DIGIT_RUN = re.compile(r"\+?\(?\d[\d \t\u00a0().\-/]*\d\)?")
# A written number has at most this many space-separated groups ("+31 (0)6 12 34 56 78").
_MAX_GROUPS = 8
_TOKEN = re.compile(r"[^\s/]+")
_DIGIT = re.compile(r"\d")
# No valid number has fewer digits: the shortest national significant numbers of any region or
# non-geographic code in libphonenumber's metadata have 4 (Niue, Tokelau, St Helena, ...), and a written
# number holds at least the digits of its national significant number.  Text with fewer digits is never
# handed to libphonenumber (the result would be "not a number" anyway).
MIN_NUMBER_DIGITS = 4


_Span = tuple[int, int, phonenumbers.PhoneNumber]


def _split_run(text: str, start: int, end: int, region: str) -> list[_Span]:
    """Split a run of digit groups into consecutive valid numbers, or return [] when
    the whole run cannot be covered that way (then it is not a list of numbers)."""
    if len(_DIGIT.findall(text, start, end)) < 2 * MIN_NUMBER_DIGITS:
        return []  # too few digits for two numbers: no need to ask libphonenumber
    tokens = [(start + m.start(), start + m.end()) for m in _TOKEN.finditer(text, start, end)]
    # digits[k]: digits in tokens[:k], so that a window too short to be a number is skipped unparsed
    digits = [0]
    for s, e in tokens:
        digits.append(digits[-1] + len(_DIGIT.findall(text, s, e)))
    found: list[_Span] = []
    i = 0
    while i < len(tokens):
        for j in range(min(len(tokens), i + _MAX_GROUPS), i, -1):
            s, e = tokens[i][0], tokens[j - 1][1]
            if digits[j] - digits[i] < MIN_NUMBER_DIGITS:
                continue
            number = _parse(text[s:e], region)
            if number is not None:
                found.append((s, e, number))
                i = j
                break
        else:
            return []
    return found if len(found) >= 2 else []


def _has_required_prefix(raw: str, number: phonenumbers.PhoneNumber, region: str) -> bool:
    """False for a domestic number written without the trunk prefix "0" where that
    prefix is always dialled (NL, BE, DE, GB, FR, ...).

    libphonenumber accepts "71 234 5678" as +31712345678, but on a Dutch page
    those digits are an article or account number: people write "071 234 5678".
    Regions whose prefix is optional in writing (the US "1") are not checked.
    """
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if metadata is None or metadata.national_prefix != "0" or number.country_code != metadata.country_code:
        return True
    written = raw.lstrip(" (")
    return written.startswith(("+", "0"))


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class PhoneMatch:
    """A number read from text, with where it stands in that text."""

    start: int
    end: int
    phone: Phone


# The text is read in chunks of whole lines (a number never spans a line break: see
# crawler.dom.visible_text), so the work per number is bounded by the chunk, not by the page:
# extraction time is linear in the page size.  libphonenumber's matcher also gives up after
# 65,535 failed candidates per call, which a page full of junk digits could otherwise use to hide
# the number after them; per chunk that limit is never reached.
CHUNK_CHARS = 2_000


def _chunks(text: str, size: int = CHUNK_CHARS) -> list[tuple[int, int]]:
    """(start, end) of consecutive pieces of ``text``, cut after a line break where one is near,
    else at a space between two non-digits, else anywhere (one huge unbroken token)."""
    out: list[tuple[int, int]] = []
    start, n = 0, len(text)
    while start < n:
        end = min(start + size, n)
        if end < n:
            cut = text.rfind("\n", start + size // 2, end)
            if cut < 0:
                cut = _space_cut(text, start + size // 2, end, _SPACE_BETWEEN_WORDS)
            if cut < 0:
                cut = _space_cut(text, start + size // 2, end, _SPACE_OUTSIDE_NUMBERS)
            end = cut + 1 if cut >= 0 else end
        out.append((start, end))
        start = end
    return out


# Best cut: a space between two words; else a space not between two digit groups.
_SPACE_BETWEEN_WORDS = re.compile(r"(?<=[^\W\d])\s(?=[^\W\d])")
_SPACE_OUTSIDE_NUMBERS = re.compile(r"(?<![\d).\-/])\s|\s(?![\d+(])")


def _space_cut(text: str, lo: int, hi: int, where: re.Pattern[str]) -> int:
    last = -1
    for m in where.finditer(text, lo, hi):
        last = m.start()
    return last


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
    for start, end in _chunks(text):
        if deadline is not None and time.monotonic() > deadline:
            return PhoneScan(tuple(found), read, False)
        found.extend(_scan_chunk(text, start, end, region, channel))
        read = end
    return PhoneScan(tuple(found), len(text), True)


def find_phones(text: str, region: str = "NL", channel: str = "text") -> list[PhoneMatch]:
    """Every number written in ``text`` with its position, in order (duplicates kept)."""
    return list(scan_phones(text, region, channel).matches) if text else []


def _scan_chunk(text: str, cstart: int, cend: int, region: str, channel: str) -> list[PhoneMatch]:
    chunk = text[cstart:cend]
    if not _DIGIT.search(chunk):
        return []  # every pass below starts from a digit
    blocked: _Spans | None = None  # found only when a candidate needs them (most text has none)
    taken = _Spans()
    found: list[PhoneMatch] = []

    def accept(start: int, end: int, number: phonenumbers.PhoneNumber) -> None:
        nonlocal blocked
        if taken.overlaps(start, end):
            return
        if blocked is None:
            blocked = _blocked_spans(chunk)
        if blocked.overlaps(start, end):
            return
        if _names_identifier(text, cstart + start) or not _has_required_prefix(chunk[start:end], number, region):
            return
        taken.add(start, end)
        found.append(PhoneMatch(cstart + start, cstart + end, _phone(chunk[start:end], number, channel)))

    for m in _VANITY.finditer(chunk):
        if sum(c.isalpha() for c in m.group(2)) < _MIN_VANITY_LETTERS:
            continue
        number = _vanity_number(m.group(1), region)
        if number is not None:
            accept(m.start(1), m.end(1), number)

    # A candidate shorter than MIN_NUMBER_DIGITS characters holds fewer digits than any valid number.
    for match in phonenumbers.PhoneNumberMatcher(chunk, region, leniency=phonenumbers.Leniency.VALID,
                                                 min_candidate_length=MIN_NUMBER_DIGITS):
        accept(match.start, match.end, match.number)

    for run in _DIGIT_RUN.finditer(chunk):
        if taken.overlaps(run.start(), run.end()):
            continue
        for s, e, number in _split_run(chunk, run.start(), run.end(), region):
            accept(s, e, number)

    found.sort(key=lambda pm: pm.start)
    return found


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
    number = _parse(raw, region)
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
