"""Phone numbers in text and links, normalised with phonenumbers (libphonenumber).

``extract_phones`` reads numbers from visible text; ``phone_from_href`` reads
``tel:`` and WhatsApp links.  Both return :class:`crawler.models.Phone` with
the E.164 form and the number type, interpreted in the page's region.
"""

from __future__ import annotations

import re
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
    return Phone(raw=raw.strip(), e164=to_e164(number), number_type=number_type_name(number), channel=channel)


def extract_phones(text: str, region: str = "NL", channel: str = "text") -> list[Phone]:
    """Every valid phone number written in ``text``, in order, without duplicates."""
    if not text:
        return []
    found: list[Phone] = []
    seen: set[str] = set()
    matcher = phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID)
    for match in matcher:
        p = _phone(match.raw_string, match.number, channel)
        if p.e164 not in seen:
            seen.add(p.e164)
            found.append(p)
    return found


_WHATSAPP_HOSTS = {"wa.me", "api.whatsapp.com", "web.whatsapp.com", "whatsapp.com", "www.whatsapp.com"}


def phone_from_href(href: str, region: str = "NL", *, channel: str | None = None) -> Phone | None:
    """The number a ``tel:`` or WhatsApp link dials, or None.

    ``channel`` overrides ``tel`` (e.g. ``call_button`` for a call button); WhatsApp
    links are always channel ``whatsapp``.
    """
    if not href:
        return None
    href = href.strip()
    lower = href.lower()
    if lower.startswith(("tel:", "callto:")):
        raw = unquote(href.split(":", 1)[1]).split(";")[0]
        return _parse_one(raw, region, channel or "tel")
    if lower.startswith("whatsapp:"):
        qs = parse_qs(urlsplit(href).query)
        raw = (qs.get("phone") or [""])[0]
        return _parse_one("+" + raw.lstrip("+"), region, "whatsapp") if raw else None
    try:
        parts = urlsplit(href if "://" in href else "https://" + href)
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if host not in _WHATSAPP_HOSTS:
        return None
    if host == "wa.me":
        raw = parts.path.strip("/").split("/")[0]
    else:
        raw = (parse_qs(parts.query).get("phone") or [""])[0]
    raw = re.sub(r"[^\d+]", "", unquote(raw))
    if not raw:
        return None
    # wa.me and api.whatsapp.com take the number in international form without "+".
    return _parse_one("+" + raw.lstrip("+"), region, "whatsapp")


def _parse_one(raw: str, region: str, channel: str) -> Phone | None:
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return _phone(raw, number, channel)
