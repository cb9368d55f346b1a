"""Does a domain imitate a brand?  ``imitation(host, brand)`` says why, or None.

A host imitates a brand when one of its labels (subdomains included: ``telnova.hulp-nl.com``), read as
Latin letters, holds the brand's name or the name of one of its domains:

* literally, with or without hyphens: ``telnova-klantenservice.nl``, ``telnovaklantenservice.nl``;
* through lookalike characters, mapped to Latin with the Unicode confusables table
  (``confusable_homoglyphs``): ``te1nova.nl`` (digit one), ``tеlnova.nl`` (Cyrillic е), also written as
  IDN punycode (``xn--...``);
* as a typo-squat, measured with ``rapidfuzz``: one letter doubled or dropped (``telnovva.nl``,
  ``telnva.nl``) or two neighbours swapped (``tlenova.nl``).  A plain one-letter substitution is not
  counted: it is how ordinary words differ from a brand (``energie`` vs ``Energiq``), and the lookalike
  letters a scammer substitutes are already caught by the confusables table.

Names of four letters or fewer (``KPN``, ``ING``) count only as a whole label or hyphen-separated part:
``ing`` occurs in far too many words.  Never an imitation: the brand's own domains and their subdomains,
and the neutral sites in ``audits/data/neutral_sites.txt`` (news, encyclopaedias, comparison and
directory sites that merely write about the brand).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import tldextract
from confusable_homoglyphs import confusables
from rapidfuzz.distance import OSA, Indel

from audits.brands import Brand

NEUTRAL_SITES_PATH = Path(__file__).resolve().parent / "data" / "neutral_sites.txt"
SHORT_NAME = 4
_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=1)
def neutral_sites(path: Path = NEUTRAL_SITES_PATH) -> frozenset[str]:
    """Registrable domains from the data file (one a line, ``#`` comments)."""
    lines = (line.split("#")[0].strip().lower() for line in path.read_text(encoding="utf-8").splitlines())
    return frozenset(line for line in lines if line)


@lru_cache(maxsize=8192)
def _latin_char(ch: str) -> str:
    if ch.isascii():
        return ch.lower()
    found = confusables.is_confusable(ch, greedy=True, preferred_aliases=["latin"])
    for item in found or ():
        for glyph in item["homoglyphs"]:
            c = glyph["c"].lower()
            if len(c) == 1 and c.isascii() and c.isalnum():
                return c
    plain = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode().lower()  # é -> e
    return plain or ch


@lru_cache(maxsize=8192)
def skeleton(label: str) -> str:
    """The label as Latin letters: punycode decoded, lookalike characters (and digits 1, 0) mapped."""
    text = decode_idn(label)
    out = []
    for ch in text.lower():
        c = _latin_char(ch)
        if ch.isdigit():  # te1nova: a digit that looks like a letter reads as that letter
            found = confusables.is_confusable(ch, greedy=True, preferred_aliases=["latin"])
            letters = [g["c"].lower() for i in found or () for g in i["homoglyphs"] if g["c"].isascii()]
            c = letters[0] if letters and letters[0].isalpha() else ch
        out.append(c)
    return "".join(out)


def decode_idn(label: str) -> str:
    if label.startswith("xn--"):
        try:
            return label.encode("ascii").decode("idna")
        except UnicodeError:
            return label
    return label


def brand_tokens(brand: Brand) -> tuple[str, ...]:
    """The brand's name without spaces and punctuation, and the names of its domains (``telnova``)."""
    names = {_NON_ALNUM.sub("", brand.name.lower())}
    for d in brand.domains:
        ext = _EXTRACT(d)
        if ext.domain:
            names.add(_NON_ALNUM.sub("", ext.domain.lower()))
    return tuple(sorted(n for n in names if n))


def _near(word: str, token: str) -> bool:
    """One letter doubled or dropped, or two neighbours swapped."""
    if Indel.distance(word, token) <= 1:
        return True
    return OSA.distance(word, token) == 1 and sorted(word) == sorted(token)


def _contains_near(text: str, token: str) -> bool:
    n = len(token)
    edges = {token[:-1], token[1:]}  # "energi" in "energie": a word that merely starts like the brand
    for size in (n - 1, n, n + 1):
        for i in range(0, max(len(text) - size, 0) + 1):
            window = text[i:i + size]
            if window not in edges and _near(window, token):
                return True
    return False


def _match(label: str, token: str) -> str | None:
    parts = [p for p in label.split("-") if p]
    compact = "".join(parts)
    if len(token) <= SHORT_NAME:
        return "name" if token in parts or compact == token else None
    if token in compact:
        return "name"
    if len(token) >= 6 and _contains_near(compact, token):
        return "near spelling"
    return None


def imitation(host: str | None, brand: Brand, neutral: frozenset[str] | None = None) -> str | None:
    """Why ``host`` imitates ``brand`` (a short sentence), or None when it does not."""
    if not host:
        return None
    host = host.strip().lower().rstrip(".")
    if brand.owns(host):
        return None
    ext = _EXTRACT(host)
    registrable = f"{ext.domain}.{ext.suffix}" if ext.domain and ext.suffix else ""
    if not registrable or registrable in (neutral_sites() if neutral is None else neutral):
        return None
    labels = [lab for lab in (*ext.subdomain.split("."), ext.domain) if lab and lab != "www"]
    for label in labels:
        read = skeleton(label)
        for token in brand_tokens(brand):
            how = _match(read, token)
            if how is None:
                continue
            shown = decode_idn(label)
            if read != label.lower():
                kind = "IDN/punycode" if label.startswith("xn--") else "lookalike characters"
                return f"{kind}: {shown!r} reads as {read!r}, imitating {brand.name} ({token})"
            if how == "near spelling":
                return f"{label!r} is a near spelling of {brand.name} ({token})"
            return f"{label!r} carries the name {brand.name} ({token}) on a domain that is not the brand's"
    return None
