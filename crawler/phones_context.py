"""Context filters for numbers read from text: spans that look like numbers but are something else.

Some identifiers have the shape of a valid number, so every candidate :mod:`crawler.phones` reads is
checked here: it is dropped when it overlaps an IBAN, a VAT number, a date, a time, a price, a postcode
or a URL (:func:`blocked_spans`), when the words just before it name an identifier ("KvK",
"bestelnummer:", "order #": :func:`names_identifier`), or when a domestic number lacks the trunk "0"
that its region always writes (:func:`has_required_prefix`).
"""

from __future__ import annotations

import bisect
import re

import phonenumbers

# Each blocker with a gate: a quick search that finds something in every text the blocker matches in
# (its digits and separators, its literal words), so the blocker's slower regex, which is tried at every
# position, only runs on texts that pass.  Most text blocks of a result page pass only a few gates.
_BLOCKERS: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = tuple((re.compile(gate, flags), re.compile(rx, flags))
                                                                     for gate, rx, flags in (
    # IBAN: country, check digits, bank code, account ("NL91 ABNA 0417 1643 00").
    # The account part of a Dutch IBAN has ten digits, just like a phone number.
    (r"[A-Z]{2}\d", r"\b[A-Z]{2}\d{2} ?[A-Z]{4}(?: ?[0-9]){7,}", 0),
    # Other IBANs (all digits after the check digits: "BE68 5390 0754 7034").
    (r"[A-Z]{2}\d", r"\b[A-Z]{2}\d{2}(?: ?[0-9]{4}){3,7}(?: ?[0-9]{1,3})?\b", 0),
    # VAT numbers: NL123456789B01, BE 0123.456.789, DE123456789 and the like.
    (r"\dB\d", r"\b[A-Z]{2} ?\d{9}B\d{2}\b", 0),
    (r"BE", r"\bBE ?0?\d{3}[.\s]?\d{3}[.\s]?\d{3}\b", 0),
    (r"\d{8}", r"\b(?:AT|DE|DK|ES|FI|FR|GB|IE|IT|LU|PL|PT|SE)[A-Z0-9]?\d{8,12}\b", 0),
    # Dates: 12-03-2024, 12/3/24, 12.03.2024 (same separator twice) and ISO 2024-03-12.
    # The lookarounds keep "06-12-34-56-78" (a mobile number) from being a date.
    (r"\d[-/.]\d",
     r"(?<![\d.\-/])(?:0?[1-9]|[12]\d|3[01])([-/.])(?:0?[1-9]|1[0-2])\1(?:(?:19|20)\d\d|\d\d)(?![-/.]?\d)", 0),
    (r"\d[-/.]\d", r"(?<![\d.\-/])(?:19|20)\d\d([-/.])(?:0?[1-9]|1[0-2])\1(?:0?[1-9]|[12]\d|3[01])(?![-/.]?\d)", 0),
    # Times with a colon are never phone numbers: "08:00", "8:30-17:30".
    (r"\d:\d", r"(?<![\d:])(?:[01]?\d|2[0-4]):[0-5]\d(?::[0-5]\d)?(?![\d:])", 0),
    # Times with a dot only where clearly a time: part of a range or followed by "uur"/"u"/"h".
    # ("09.00-17.00 uur" would otherwise read as the premium number 0900 1700.)
    (r"\d\.\d", r"(?<![\d.])(?:[01]?\d|2[0-4])\.[0-5]\d(?![.\d])"
                r"(?=\s*(?:[-\u2010-\u2015]|tot\b|to\b|till?\b|uur\b|u\b|h\b|hrs?\b))", re.I),
    (r"\d\.\d", r"(?:[-\u2010-\u2015]|\btot|\bto|\btill?)\s*(?:[01]?\d|2[0-4])\.[0-5]\d(?![.\d])", re.I),
    # Prices: "€ 12,95", "EUR 0.80", "0,80 per minuut", "80 ct/min".
    (r"[€$£]|eur|usd", r"(?:€|EUR\b|\$|£|USD\b)\s?\d[\d.,]*(?:,-)?", re.I),
    (r"[\d.],\d", r"(?<![\d.,])\d[\d.]*,\d{1,2}(?![\d,])", 0),
    (r"\d\s?(?:cent|ct|cpm|euro|eur|p/m|p\.m\.)",
     r"(?<![\d.,])\d+(?:[.,]\d+)?\s?(?:cent|ct|cpm|euro|eur|p/m|p\.m\.)(?![a-z])", re.I),
    # Dutch postcode "1234 AB" (SA, SD and SS are not issued).
    (r"[1-9]\d{3} ?[A-Z]{2}", r"\b[1-9]\d{3} ?(?!SA|SD|SS)[A-Z]{2}\b", 0),
    # URLs: digits in a path or query are ids, not numbers shown to call.
    (r"https?://|www\.", r"\b(?:https?://|www\.)\S+", re.I),
))

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


class Spans:
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


# Every gate of a date, a time or a price with a decimal comma (\d[-/.]\d, \d:\d, \d\.\d, [\d.],\d) finds
# this: a text without it (most result blocks) skips those six blockers with one search.
_DIGIT_PUNCT_DIGIT = re.compile(r"[\d.][-/.:,]\d")
_BEHIND_DIGIT_PUNCT_DIGIT = frozenset(gate for gate, _ in _BLOCKERS if gate.pattern in (
    r"\d[-/.]\d", r"\d:\d", r"\d\.\d", r"[\d.],\d"))


# The gates of a VAT number, a German-style VAT number, a price in cents and a postcode all start with a digit:
# this finds something wherever one of them does, in one search that the regex engine starts only at digits.
_DIGIT_LED = re.compile(r"\d(?:B\d|\d{7}|\d{3} ?[A-Z]{2}|\s?(?i:cent|ct|cpm|euro|eur|p/m|p\.m\.))")
_BEHIND_DIGIT_LED = frozenset(gate for gate, _ in _BLOCKERS if gate.pattern in (
    r"\dB\d", r"\d{8}", r"[1-9]\d{3} ?[A-Z]{2}", r"\d\s?(?:cent|ct|cpm|euro|eur|p/m|p\.m\.)"))


# In ASCII text (most) the gate of a price word is answered from the text lowered once: substring tests in C,
# where the regex (re.I) tried its three alternatives at every position.
_PRICE_WORDS = next(gate for gate, _ in _BLOCKERS if gate.pattern == r"[€$£]|eur|usd")


_URL_START, _URL = next((gate, rx) for gate, rx in _BLOCKERS if gate.pattern == r"https?://|www\.")
# The URL blocker without re.I, for ASCII text lowered: the regex engine then skips to the next "h" or "w" instead
# of trying both cases of each at every position.
_URL_LOWERED = re.compile(_URL.pattern)


def _gate_passes(gate: re.Pattern[str], text: str, lower: str | None) -> bool:
    """``gate.search(text)`` found something (``lower``: ``text`` lowered when it is ASCII, else None)."""
    if lower is not None and gate is _PRICE_WORDS:
        return "$" in text or "eur" in lower or "usd" in lower  # (no € or £ in ASCII text)
    if lower is not None and gate is _URL_START:
        return "www." in lower or "http://" in lower or "https://" in lower
    return gate.search(text) is not None


# The blockers in their order, each with the search that must find something first (0: none, 1: _DIGIT_PUNCT_DIGIT,
# 2: _DIGIT_LED) and the number of its gate among the distinct gates (shared gates are searched once per text).
# Worked out once: looking a compiled pattern up in a set hashes its compiled code, every time.
_DISTINCT_GATES = tuple({(gate.pattern, gate.flags): gate for gate, _ in _BLOCKERS}.values())
_PLAN: tuple[tuple[int, int, re.Pattern[str], re.Pattern[str]], ...] = tuple(
    (1 if gate in _BEHIND_DIGIT_PUNCT_DIGIT else 2 if gate in _BEHIND_DIGIT_LED else 0,
     next(i for i, g in enumerate(_DISTINCT_GATES) if (g.pattern, g.flags) == (gate.pattern, gate.flags)), gate, rx)
    for gate, rx in _BLOCKERS)


def blocked_spans(text: str) -> Spans:
    """Where ``text`` holds an IBAN, a VAT number, a date, a time, a price, a postcode or a URL."""
    spans: list[tuple[int, int]] = []
    passed: list[bool | None] = [None] * len(_DISTINCT_GATES)
    first: list[bool | None] = [True, None, None]  # the searches before the gates, made when a blocker asks
    lower = text.lower() if text.isascii() else None
    for before, gate_no, gate, rx in _PLAN:
        ok = first[before]
        if ok is None:
            ok = first[before] = (_DIGIT_PUNCT_DIGIT if before == 1 else _DIGIT_LED).search(text) is not None
        if not ok:
            continue
        found = passed[gate_no]
        if found is None:
            found = passed[gate_no] = _gate_passes(gate, text, lower)
        if found:
            if lower is not None and rx is _URL:  # (the same spans: lowering ASCII keeps \b and \S where they were)
                spans.extend(m.span() for m in _URL_LOWERED.finditer(lower))
            else:
                spans.extend(m.span() for m in rx.finditer(text))
    return Spans(spans)


# Invisible characters between the word and the number do not part them ("KvK\u200d 0201234567").
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


# Every match of _ID_PREFIX holds one of these (an identifier word alone, or a stem's "nummer", "nr", "no", "id",
# "code" or "#"), lowercased: an ASCII window without any of them (most) is answered by substring tests in C
# instead of the regex's try at each of its positions.  (Outside ASCII re.I also folds the Kelvin sign and the
# long s, so such windows always go to the regex.)
_ID_WORDS = ("kvk", "k.v.k", "coc", "btw", "vat", "iban", "bic", "rsin", "ean", "gtin", "isbn", "sku", "bsn",
             "kenteken", "postcode", "zip", "num", "nr", "no", "id", "code", "#")
_ANY_ID_WORD = re.compile("|".join(re.escape(word) for word in _ID_WORDS))  # one search in C, not 22 tests


def names_identifier(text: str, start: int) -> bool:
    """True when the words just before ``start`` say an identifier follows (KvK, order no.)."""
    before = text[max(0, start - _PREFIX_WINDOW) : start]
    if before.isascii():
        lower = before.lower()
        if _ANY_ID_WORD.search(lower) is None:
            return False
        return bool(_ID_PREFIX.search(before))
    return bool(_ID_PREFIX.search(_INVISIBLE.sub("", before)))


def has_required_prefix(raw: str, number: phonenumbers.PhoneNumber, region: str) -> bool:
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
