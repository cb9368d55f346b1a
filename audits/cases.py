"""Cases: what a platform (or an engine) is asked to remove, each with every reason the rules found.

A case is one ad, one organic result or one AI answer, followed across nights.  It holds all the numbers
it showed and all its *reasons*: one per (rule, number) the rules of :mod:`audits.rules` found (a lookalike
domain, a number the brand does not publish, a premium-rate line, a brand without phone service...), each
with its verdict and severity.  The case's verdict is the worst of them, its severity the highest.  Triage
state, lifecycle (new, recurring, gone, reopened), campaign and takedown belong to the case.

The case key, and why:

==========  ===================================================  =============================================
case kind   key                                                  why
==========  ===================================================  =============================================
ad          (brand, ad platform, ``ad``, advertiser domain)      the platform removes the advertiser's ad: one
                                                                 complaint per advertiser and platform, with
                                                                 every number the ad and its landing page showed.
                                                                 Bing's and DuckDuckGo's ads are both Microsoft
                                                                 Advertising's, so they are one case.
organic     (brand, engine, ``organic``, registrable domain)     an engine's removal form takes a site; the
                                                                 same site on two engines is two requests.  A
                                                                 result without a domain (a map listing with no
                                                                 website) is keyed by its number instead.
ai_answer   (brand, engine, ``ai_answer``, E.164)                the answer is the engine's own text; what is
                                                                 wrong in it is the number it gives.
==========  ===================================================  =============================================

Shopping ads count as ads; every other result kind (organic, local, knowledge panel, featured snippet) as
``organic``.  The *channel* is the second part of the key: the ad platform for an ad, else the engine.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from audits.verdicts import AD_KINDS, AD_PLATFORMS, AI_KINDS

CASE_KINDS = ("ad", "organic", "ai_answer")
_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"  # no i, l, o, u: nothing to mistype
ID_LENGTH = 7
_SEVERITY = ("high", "medium", "low")
_VERDICT = ("scam", "suspect", "inconclusive")
_RULE_ORDER = ("unofficial_number", "ai_answer_number", "lookalike_domain", "own_ad_unpublished_number")
REASON_KEYS = ("rule", "e164", "raw", "number_type", "verdict", "severity", "reason")


def case_kind(result_kind: str | None) -> str:
    """``ad`` (ads and shopping ads), ``ai_answer``, or ``organic`` (every other result)."""
    kind = result_kind or ""
    return "ad" if kind in AD_KINDS else "ai_answer" if kind in AI_KINDS else "organic"


def case_channel(engine: str | None, result_kind: str | None) -> str:
    """Who removes it: the ad platform of an ad (Google Ads, Microsoft Advertising), else the engine."""
    engine = engine or ""
    return AD_PLATFORMS.get(engine, engine) if case_kind(result_kind) == "ad" else engine


def case_subject(kind: str, advertiser_domain: str | None, e164: str | None) -> str:
    """The last part of the key: the answer's number, else the domain (the number where there is none)."""
    if kind == "ai_answer":
        return e164 or ""
    return advertiser_domain or e164 or ""


def case_key(brand: str, engine: str | None, result_kind: str | None, advertiser_domain: str | None,
             e164: str | None) -> tuple[str, str, str, str]:
    """(brand, channel, case kind, subject) of the case a sighting (or a flagged result) belongs to."""
    kind = case_kind(result_kind)
    return (brand, case_channel(engine, result_kind), kind, case_subject(kind, advertiser_domain, e164))


def case_id(brand: str, channel: str, kind: str, subject: str) -> str:
    """Seven lower-case Crockford base-32 characters from the case key: short, stable, typeable."""
    digest = int.from_bytes(hashlib.sha1("\x1f".join(("case", brand, channel, kind, subject)).encode())
                            .digest()[:8], "big")  # fmt: skip
    return "".join(_CROCKFORD[(digest >> (5 * i)) & 31] for i in range(ID_LENGTH))


def _index(options: tuple[str, ...], value: Any) -> int:
    return options.index(value) if value in options else len(options)


def reason_order(r: Mapping[str, Any]) -> tuple[Any, ...]:
    """Worst first: severity, verdict, a reason with a number before one without, the rule, the number."""
    return (_index(_SEVERITY, r.get("severity")), _index(_VERDICT, r.get("verdict")), 0 if r.get("e164") else 1,
            _index(_RULE_ORDER, r.get("rule")), str(r.get("e164") or ""))  # fmt: skip


def sorted_reasons(reasons: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [dict(r) for r in sorted(reasons, key=reason_order)]


def lead_reason(reasons: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The reason that speaks for the case (its verdict, severity and first number): the worst one."""
    ordered = sorted_reasons(reasons)
    return ordered[0] if ordered else {}


def numbers_of(reasons: Iterable[Mapping[str, Any]]) -> list[str]:
    """Every number of the case (E.164), worst reason first, each once."""
    return list(dict.fromkeys(str(r["e164"]) for r in sorted_reasons(reasons) if r.get("e164")))
