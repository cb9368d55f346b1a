"""Numbers a brand publishes on its own contact page (or any landing page).

``harvest`` lists every number with how it was found (a tel: link, a WhatsApp
link, visible text, schema.org JSON-LD or microdata); ``parse`` reduces that to
the unique numbers of a :class:`~crawler.models.ContactPage`.

Only what a visitor can see or dial is read, plus the schema.org ``telephone``
the site declares about itself.  Numbers that are only inside other scripts or
in hidden elements are not shown, so they are not read.  What is visible follows
the rules of :mod:`crawler.visible_text`, the same as on result pages.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from crawler.models import ContactPage, Phone
from crawler.phones import find_phones, parse_phone, phone_from_href, scan_phones
from crawler.visible_text import Element, is_hidden, page_text, parse_html, visible_text

FOUND_BY = ("tel_link", "whatsapp_link", "text", "json_ld", "microdata")


@dataclass(frozen=True)
class FoundNumber:
    """A number on a page and how it was found there (one of FOUND_BY)."""

    phone: Phone
    found_by: str

    def to_dict(self) -> dict[str, Any]:
        return {"phone": self.phone.to_dict(), "found_by": self.found_by}


_TAG = re.compile(r"<(?:[a-zA-Z][\w:-]*|/[a-zA-Z][\w:-]*|!--|!doctype)[^<>]*>", re.I)


def looks_like_html(content: str) -> bool:
    """HTML when the content has at least one tag; otherwise plain text."""
    return bool(_TAG.search(content))


@dataclass(frozen=True)
class Limits:
    """How much of an (attacker-controlled) page is read: at most ``max_chars`` characters of it, in
    at most ``budget_s`` seconds.  None: no limit."""

    max_chars: int | None = None
    budget_s: float | None = None


@dataclass(frozen=True)
class Harvest:
    """Every number found on a page, and why reading stopped early ("" when the whole page was read)."""

    found: tuple[FoundNumber, ...]
    truncated: str = ""


def parse(content: str, url: str | None = None, region: str = "NL", limits: Limits | None = None) -> ContactPage:
    """The unique numbers on a page, by (e164, channel), in the order found."""
    phones: list[Phone] = []
    seen: set[tuple[str, str]] = set()
    read = read_page(content, url, region, limits)
    for f in read.found:
        key = (f.phone.e164, f.phone.channel)
        if key not in seen:
            seen.add(key)
            phones.append(f.phone)
    return ContactPage(url=url, phones=tuple(phones), truncated=read.truncated)


def parse_text(text: str, url: str | None = None, region: str = "NL", limits: Limits | None = None) -> ContactPage:
    """The unique numbers in plain ``text`` (a page's rendered text: crawler.rendered_text), read as text even
    where it holds something that looks like a tag."""
    limits = limits or Limits()
    truncated = ""
    if limits.max_chars is not None and len(text) > limits.max_chars:
        truncated = f"read the first {limits.max_chars:,} of {len(text):,} characters of its rendered text"
        text = text[: limits.max_chars]
    deadline = time.monotonic() + limits.budget_s if limits.budget_s is not None else None
    numbers, stopped = _from_text(text, region, deadline)
    phones = list({(p.e164, p.channel): p for p, _ in numbers}.values())
    return ContactPage(url=url, phones=tuple(phones), truncated=_notes(truncated, _budget_note(stopped, limits)))


def harvest(content: str, url: str | None = None, region: str = "NL", limits: Limits | None = None
            ) -> list[FoundNumber]:
    """Every number on a page with how it was found: links first, then visible text,
    then JSON-LD, then microdata.  A number found the same way twice is listed once.

    ``content`` is HTML or plain text (plain text when it has no tags).  ``url`` is
    kept for the caller; numbers are interpreted in ``region``.
    """
    return list(read_page(content, url, region, limits).found)


def read_page(content: str, url: str | None = None, region: str = "NL", limits: Limits | None = None) -> Harvest:
    """:func:`harvest`, saying whether the page was read to the end: a page longer than
    ``limits.max_chars`` is read up to there, and reading stops when ``limits.budget_s`` runs out."""
    limits = limits or Limits()
    deadline = time.monotonic() + limits.budget_s if limits.budget_s is not None else None
    found: list[FoundNumber] = []
    seen: set[tuple[str, str, str]] = set()
    truncated = ""

    def add(phone: Phone | None, found_by: str) -> None:
        if phone is None:
            return
        key = (phone.e164, phone.channel, found_by)
        if key not in seen:
            seen.add(key)
            found.append(FoundNumber(phone, found_by))

    def stop(step: str) -> Harvest:
        return Harvest(tuple(found), _notes(truncated, f"time budget of {limits.budget_s:g} s ran out before {step}"))

    def out_of_time() -> bool:
        return deadline is not None and time.monotonic() > deadline

    if not content or not content.strip():
        return Harvest(())
    if limits.max_chars is not None and len(content) > limits.max_chars:
        truncated = f"read the first {limits.max_chars:,} of {len(content):,} characters (max_page_chars)"
        content = content[: limits.max_chars]
    if not looks_like_html(content):
        numbers, stopped = _from_text(content, region, deadline)
        for phone, how in numbers:
            add(phone, how)
        return Harvest(tuple(found), _notes(truncated, _budget_note(stopped, limits)))

    root = parse_html(content)
    for i, a in enumerate(root.iter("a", "area")):
        if i % 256 == 0 and out_of_time():
            return stop("the end of its links")
        href = a.get("href")
        if href is not None and not is_hidden(a):
            p = phone_from_href(href, region)
            if p is not None:
                add(p, "whatsapp_link" if p.channel == "whatsapp" else "tel_link")
    if out_of_time():
        return stop("its text")
    numbers, stopped = _from_text(page_text(root), region, deadline)
    for phone, how in numbers:
        add(phone, how)
    if stopped:
        return Harvest(tuple(found), _notes(truncated, _budget_note(stopped, limits)))
    for step, reader in (("its JSON-LD", _from_json_ld), ("its microdata", _from_microdata)):
        for n, p in enumerate(reader(root, region)):
            if n % 64 == 0 and out_of_time():
                return stop(f"the end of {step}")
            add(p, "json_ld" if reader is _from_json_ld else "microdata")
    return Harvest(tuple(found), truncated)


def _notes(*notes: str) -> str:
    return "; ".join(n for n in notes if n)


def _budget_note(stopped: str, limits: Limits) -> str:
    return f"time budget of {limits.budget_s:g} s ran out: {stopped}" if stopped else ""


# --------------------------------------------------------------------------
# Text (visible text of an HTML page, or a plain-text page)
# --------------------------------------------------------------------------

# Links written out as text: "wa.me/31626652583", "tel:+31201234567".
_LINK_IN_TEXT = re.compile(
    r"(?:https?://)?(?:wa\.me/\+?\d[\d%]*|(?:api|web)\.whatsapp\.com/send/?\?[^\s<>\"']+)"
    r"|\btel:\+?[\d()\s.-]*\d",
    re.I,
)
# "WhatsApp: 06 ...", "WhatsApp ons op 06 ...", "WhatsApp (alleen berichten) 06 ..."
_WHATSAPP_BEFORE = re.compile(
    r"whats\s?app\b[^\S\n]*(?:\([^()\n]{0,40}\)[^\S\n]*)?"
    r"(?:(?:ons|us|me|nummer|number|nr\.?|op|on|via|naar|to)\b[^\S\n]*)*[:\-\u2013\u2014]?[^\S\n]*$",
    re.I,
)
# "06 26 65 25 83 (WhatsApp)", "06 26 65 25 83 via WhatsApp"
_WHATSAPP_AFTER = re.compile(r"^[^\S\n]*[(\[]?[^\S\n]*(?:via|op|on|\u2013|-)?[^\S\n]*whats\s?app\b", re.I)


def _from_text(text: str, region: str, deadline: float | None = None) -> tuple[list[tuple[Phone, str]], str]:
    """The numbers in ``text`` with how found, and "" or where reading stopped at ``deadline``."""
    # Links written as text are read as links, then blanked out so that their
    # digits are not read a second time as a plain number.
    out: list[tuple[Phone, str]] = []
    pieces: list[str] = []
    last = 0
    for m in _LINK_IN_TEXT.finditer(text):
        target = m.group(0)
        href = target if target.lower().startswith(("tel:", "http")) else "https://" + target
        p = phone_from_href(href, region)
        if p is not None:
            out.append((p, "whatsapp_link" if p.channel == "whatsapp" else "tel_link"))
        pieces += [text[last : m.start()], " " * (m.end() - m.start())]
        last = m.end()
    masked = "".join([*pieces, text[last:]])
    scan = scan_phones(masked, region, deadline=deadline)
    for pm in scan.matches:
        before = masked[max(0, pm.start - 60) : pm.start]
        after = masked[pm.end : pm.end + 30]
        if _WHATSAPP_BEFORE.search(before) or _WHATSAPP_AFTER.search(after):
            out.append((Phone(pm.phone.raw, pm.phone.e164, pm.phone.number_type, "whatsapp"), "text"))
        else:
            out.append((pm.phone, "text"))
    stopped = "" if scan.complete else f"read {scan.chars_read:,} of {len(masked):,} characters of text"
    return out, stopped


def _phones_in_value(value: str, region: str, channel: str = "text") -> list[Phone]:
    """Numbers in a structured-data value: usually exactly one number, sometimes
    with words around it ("+31 20 123 4567 (ma-vr)")."""
    phones = [pm.phone for pm in find_phones(value, region, channel)]
    if phones:
        return phones
    # A bare number the text matcher refuses (e.g. glued to letters): parse it alone.
    if re.fullmatch(r"[\d\s+().\-/A-Z]+", value.strip()):
        p = parse_phone(value.strip(), region, channel)
        return [p] if p is not None else []
    return []


# --------------------------------------------------------------------------
# schema.org: JSON-LD and microdata
# --------------------------------------------------------------------------

_LD_JSON = re.compile(r"^\s*application/ld\+json\s*(?:;.*)?$", re.I)


def _from_json_ld(root: Element, region: str) -> Iterator[Phone]:
    for script in root.iter("script"):
        if not _LD_JSON.match(script.get("type") or ""):
            continue
        data = _load_json(script.text or "")
        if data is None:
            continue
        for value, node in _telephones(data):
            # A ContactPoint whose contactType names WhatsApp is a WhatsApp number.
            kind = str(node.get("contactType") or "") + " " + str(node.get("name") or "")
            channel = "whatsapp" if re.search(r"whats\s?app", kind, re.I) else "text"
            yield from _phones_in_value(value, region, channel)


def _load_json(text: str) -> Any:
    # Sites wrap JSON-LD in HTML comments or CDATA markers; strip those first.
    text = re.sub(r"^\s*(?:<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)", "", text or "")
    text = re.sub(r"(?:-->|//\s*\]\]>|\]\]>)\s*$", "", text)
    try:
        return json.loads(text, strict=False)
    except ValueError:
        return None


def _telephones(data: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every ``telephone`` value in a JSON-LD document, with the object holding it.

    Walks the whole tree, so it finds Organization.telephone, a ContactPoint nested
    in ``contactPoint`` (object or array), LocalBusiness in an ``@graph``, etc.
    """
    stack: list[Any] = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(reversed(node))
        elif isinstance(node, dict):
            tel = node.get("telephone")
            for v in tel if isinstance(tel, list) else [tel]:
                if isinstance(v, str) and v.strip():
                    yield v, node
            stack.extend(reversed([v for k, v in node.items() if k != "telephone"]))


_ITEMPROP_TELEPHONE = re.compile(r"(?:^|\s)telephone(?:\s|$)")


def _from_microdata(root: Element, region: str) -> Iterator[Phone]:
    for el in root.iter():
        if not isinstance(el.tag, str) or not _ITEMPROP_TELEPHONE.search(el.get("itemprop") or ""):
            continue
        if el.tag in ("meta", "link"):
            # <meta itemprop="telephone" content="..."> is invisible by nature; it
            # counts unless an ancestor hides it.
            parent = el.getparent()
            if parent is not None and parent.tag != "head" and is_hidden(parent):
                continue
            value = el.get("content") or el.get("href") or ""
        else:
            if is_hidden(el):
                continue
            href = el.get("href") or ""
            if href.lower().startswith("tel:"):
                p = phone_from_href(href, region, channel="text")
                if p is not None:
                    yield p
                    continue
            value = el.get("content") or visible_text(el, block_sep=" ")
        if value.lower().startswith("tel:"):
            value = value[4:]
        yield from _phones_in_value(value, region)


__all__ = ["FOUND_BY", "FoundNumber", "Harvest", "Limits", "harvest", "looks_like_html", "parse", "parse_text",
           "read_page"]
