"""An ad's description as a reviewer takes it: the ad block's text without what other fields already say.

Parsers keep a result's ``text`` as the whole block reads (the ad label, the headline, the advertiser's
name and display URL, the description, call and sitelink lines), which is right for finding numbers in it
and wrong for a complaint form's "ad description".  :func:`ad_description` leaves out the lines that are
the label, the headline or a form of the display URL or domain, a label stuck before or after a line's
words ("Advertentie Cloudora klantenservice ..."), and invisible direction marks.  Nothing is rewritten:
what remains is the ad's own words, in order.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from crawler.labels import AD_LABELS, SPONSORED_GROUP_LABELS, is_ad_label

_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\u200b\ufeff]")
_LABELS = sorted({*AD_LABELS, *SPONSORED_GROUP_LABELS}, key=len, reverse=True)
_ANY_LABEL = "|".join(map(re.escape, _LABELS))
_EDGE_LABEL = re.compile(rf"^(?:{_ANY_LABEL})\s+|\s+(?:{_ANY_LABEL})$", re.IGNORECASE)


def _url_forms(value: Any) -> set[str]:
    """The ways a display URL or domain is printed: with or without scheme, ``www.``, path or slash."""
    text = str(value or "").strip().casefold()
    if not text:
        return set()
    parts = urlsplit(text if "//" in text else f"//{text}")
    host = parts.hostname or ""
    bare = host.removeprefix("www.")
    forms = {text, text.rstrip("/"), host, bare, f"www.{bare}", f"https://{host}", f"http://{host}"}
    if parts.path.strip("/"):
        forms |= {f"{h}{parts.path}".rstrip("/") for h in (host, bare, f"www.{bare}")}
    return {f for f in forms if f}


def ad_description(f: Mapping[str, Any]) -> str:
    """The description of the ad ``f`` (a case or result row: ``text``, ``title``, ``display_url``, ``domain``)."""
    title = _MARKS.sub("", str(f.get("title") or "")).strip().casefold()
    urls = set().union(*(_url_forms(f.get(k)) for k in ("display_url", "domain", "advertiser_domain")))
    out = []
    for raw in str(f.get("text") or "").splitlines():
        line = _MARKS.sub("", raw).strip()
        if not line or is_ad_label(line):
            continue
        line = _EDGE_LABEL.sub("", line).strip()
        folded = line.casefold()
        if not line or folded == title or folded in urls or folded.rstrip("/") in urls:
            continue
        out.append(line)
    return "\n".join(out)
