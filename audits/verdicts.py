"""Verdicts: whether one sighting of a number is fine, and if not which rule it breaks, how bad, for whom.

The rules of ``audits.rules`` (its docstring lists them) decided per sighting: ``judge`` gives the rule,
the verdict and the reason, ``classify`` the ``unofficial_number`` verdict, ``platform_for`` whose abuse
team gets an ad, and the severities.  ``audits.rules`` groups the sightings into findings.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from audits.brands import Brand

AD_KINDS = frozenset({"ad", "shopping_ad"})
AI_KINDS = frozenset({"ai_answer"})
PREMIUM_TYPES = frozenset({"premium_rate", "shared_cost", "personal_number"})
# DuckDuckGo's ads are served by Microsoft Advertising.
AD_PLATFORMS = {"google": "google_ads", "bing": "microsoft_advertising",
                "duckduckgo": "microsoft_advertising"}  # fmt: skip


def platform_for(engine: str, kind: str) -> str:
    """Whose abuse team gets an ad: Google Ads, or Microsoft Advertising (Bing and DuckDuckGo ads)."""
    return AD_PLATFORMS.get(engine, "") if kind in AD_KINDS else ""


def severity_for(verdict: str, kind: str, number_type: str) -> str:
    if verdict == "inconclusive":
        return "low"
    return "high" if kind in AD_KINDS or number_type in PREMIUM_TYPES else "medium"


def classify(
    sighting: dict[str, Any],
    brand: Brand | None,
    official: set[str],
    formerly_official: set[str],
    harvest_status: str | None,
) -> tuple[str, str] | None:
    """``(verdict, reason)`` for one sighting, or None when it is fine."""
    e164, kind, number_type = sighting["e164"], sighting.get("kind") or "", sighting.get("number_type") or ""
    if e164 in official:
        return None
    if brand is None:
        return "inconclusive", "brand is not in the brand list: official set unknown"
    if _result_host(sighting) and brand.owns(_result_host(sighting)):
        return None
    if not brand.phone_support:
        return "scam", "brand runs no phone customer service"
    if harvest_status != "ok":
        return "inconclusive", f"official set unknown (harvest {harvest_status or 'missing'})"
    if number_type in PREMIUM_TYPES:
        return "scam", f"{number_type.replace('_', '-')} number the brand does not publish"
    if kind in AD_KINDS:
        return "scam", "ad shows a number the brand does not publish"
    if e164 in formerly_official:
        return "suspect", "number the brand no longer publishes (formerly on its contact pages)"
    return "suspect", "number the brand does not publish"


def judge(
    sighting: dict[str, Any],
    brand: Brand | None,
    official: set[str],
    formerly_official: set[str],
    harvest_status: str | None,
) -> tuple[str, str, str] | None:
    """``(rule, verdict, reason)`` for one sighting, or None when it is fine."""
    if (sighting.get("kind") or "") in AI_KINDS:
        return _judge_ai_answer(sighting, brand, official, harvest_status)
    host = _result_host(sighting)
    if brand is not None and host and brand.owns(host) and (sighting.get("kind") or "") in AD_KINDS:
        if sighting["e164"] in official or (harvest_status != "ok" and brand.phone_support):
            return None
        return "own_ad_unpublished_number", "suspect", "the brand's own ad shows a number the brand does not publish"
    outcome = classify(sighting, brand, official, formerly_official, harvest_status)
    return None if outcome is None else ("unofficial_number", *outcome)


def _judge_ai_answer(sighting: dict[str, Any], brand: Brand | None, official: set[str],
                     harvest_status: str | None) -> tuple[str, str, str] | None:
    rule = "ai_answer_number"
    if sighting["e164"] in official:
        return None
    if brand is None:
        return rule, "inconclusive", "brand is not in the brand list: official set unknown"
    if not brand.phone_support:
        return rule, "scam", "the engine's AI answer gives a number for a brand that runs no phone customer service"
    if harvest_status != "ok":
        return rule, "inconclusive", f"official set unknown (harvest {harvest_status or 'missing'})"
    return rule, "scam", "the engine's AI answer gives a number the brand does not publish"


def _result_host(s: dict[str, Any]) -> str:
    """The landing URL's host, or "" where the page gave none; where the brand's own landing URL redirected
    off its domains (``advertiser_domain_source`` ``redirect``), the domain it led to.

    Never the result's ``domain`` alone: parsers fall back to the display URL for it, and an ad can
    print any display URL it likes ("www.telnova.nl") while sending callers elsewhere.
    """
    if s.get("advertiser_domain_source") == "redirect" and s.get("advertiser_domain"):
        return str(s["advertiser_domain"])
    try:
        return urlsplit(s.get("landing_url") or "").hostname or ""
    except ValueError:
        return ""


def _severity(rule: str, verdict: str, kind: str, number_type: str) -> str:
    if rule == "own_ad_unpublished_number":
        return "low"
    if rule == "ai_answer_number" and verdict != "inconclusive":
        return "high"  # the engine's own voice
    return severity_for(verdict, kind, number_type)
