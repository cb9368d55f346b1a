"""A world's planted result pages: the vocabulary of ``[[serps]]`` and their AI answers, and their checks.

Part of :mod:`sandbox.world` (which re-exports these names): what a planted page may say (statuses, markup
per engine, placements, answer ends) and the parsing of one ``[[serps]]`` entry and its answer, plus the
cross-check of the whole world's URLs against its sites.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import phonenumbers

from crawler.engines import ENGINE_NAMES
from sandbox.world_checks import _V

if TYPE_CHECKING:
    from sandbox.world import World

DEVICES = ("desktop", "mobile")
SERP_STATUSES = ("ok", "captcha", "consent", "blocked", "empty")
# What each engine can show for a planted [[serps]] status.  DuckDuckGo has no consent wall.
ENGINE_STATUSES = {
    "google": SERP_STATUSES,
    "bing": SERP_STATUSES,
    "duckduckgo": ("ok", "captcha", "blocked", "empty"),
}
# The page each engine serves for a planted block ([[serps]] ``page``; the first is the default): Google's 403
# error, its JavaScript wall (2025) or soft block (2026); Bing's "Nog één stap" challenge (title "Bing") or its
# "One last step" challenge that keeps the result page's "<query> - Search" title; DuckDuckGo's anomaly puzzle
# of its html site or the modal over its JavaScript site.
BLOCK_PAGES: dict[tuple[str, str], tuple[str, ...]] = {
    ("google", "blocked"): ("forbidden", "javascript_required", "soft_redirect"),
    ("google", "captcha"): ("recaptcha",),
    ("bing", "blocked"): ("access_denied",),
    ("bing", "captcha"): ("nog_een_stap", "one_last_step"),
    ("duckduckgo", "blocked"): ("forbidden",),
    ("duckduckgo", "captcha"): ("html_challenge", "javascript_challenge"),
}
# The flags an [engines.<name>] table may set (all booleans, default false).
ENGINE_FLAGS: dict[str, tuple[str, ...]] = {
    "google": ("consent_wall",),
    "bing": ("consent_banner",),
    "duckduckgo": (),
}
# Markup variants each sandbox engine can serve (sandbox/markup.py): "current" copies the saved pages,
# older layouts keep the parsers honest, "drifted" renames the ad markup to ring the drift alarm.
MARKUP_VARIANTS: dict[str, tuple[str, ...]] = {
    "google": ("current", "2019", "drifted", "grouped"),
    "bing": ("current", "drifted"),
    "duckduckgo": ("current", "drifted"),
}
PLACEMENTS = {
    "google": ("top", "bottom"),
    "bing": ("top", "bottom", "side"),
    "duckduckgo": ("top", "bottom", "side"),
}
# How a planted AI answer ends: written out, never finished (still loading when any wait runs out), declined.
ANSWER_ENDS = ("complete", "unfinished", "declined")
MAX_LATE_MS = 60_000


def to_e164(raw: str, region: str) -> str:
    return phonenumbers.format_number(phonenumbers.parse(raw, region), phonenumbers.PhoneNumberFormat.E164)


def _parse_serp(v: _V, s: dict[str, Any], where: str, region: str) -> dict[str, Any]:
    engine = v.string(s, "engine", where, choices=ENGINE_NAMES)
    serp: dict[str, Any] = {
        "engine": engine,
        "query": v.string(s, "query", where),
        "device": v.string(s, "device", where, required=False, choices=DEVICES),
        "status": v.string(s, "status", where, default="ok", choices=SERP_STATUSES),
        "defaults": v.boolean(s, "defaults", where, True),
        "ads": [],
        "organic": [],
    }
    if serp["status"] not in ENGINE_STATUSES[engine]:
        raise v.fail(f"{where}.status", f"{engine} has no {serp['status']} page "
                                        f"(choose {', '.join(ENGINE_STATUSES[engine])})")
    pages = BLOCK_PAGES.get((engine, serp["status"]))
    if "page" in s and pages is None:
        raise v.fail(f"{where}.page", f"only a captcha or blocked page comes in variants (status is "
                                      f"{serp['status']!r})")
    serp["page"] = v.string(s, "page", where, default=pages[0], choices=pages) if pages else None
    # this page's markup variant, in place of the engine's (a world may plant one grouped page among current ones);
    # "drifted" renames the whole engine's markup, so it stays an [engines.<name>] choice
    serp["markup"] = v.string(s, "markup", where, required=False, default=None,
                              choices=tuple(m for m in MARKUP_VARIANTS[engine] if m != "drifted"))
    for j, a in enumerate(v.tables(s, "ads", where)):
        aw = f"{where}.ads[{j}]"
        placement = v.string(a, "placement", aw, default="top", choices=PLACEMENTS[engine])
        ad = {
            "placement": placement,
            "title": v.string(a, "title", aw),
            "landing_url": v.url(a, "landing_url", aw),
            "display_url": v.string(a, "display_url", aw, required=False),
            "description": v.string(a, "description", aw, required=False, default=""),
            "call": v.phone(a, "call", aw, region, required=False),
            "whatsapp": v.phone(a, "whatsapp", aw, region, required=False),
            "sitelinks": [],
        }
        ad["call_e164"] = to_e164(ad["call"], region) if ad["call"] else None
        ad["whatsapp_e164"] = to_e164(ad["whatsapp"], region) if ad["whatsapp"] else None
        if ad["display_url"] is None:
            ad["display_url"] = urlsplit(ad["landing_url"]).hostname
        for k, sl in enumerate(v.tables(a, "sitelinks", aw)):
            sw = f"{aw}.sitelinks[{k}]"
            ad["sitelinks"].append({
                "title": v.string(sl, "title", sw),
                "url": v.url(sl, "url", sw),
                "description": v.string(sl, "description", sw, required=False, default=""),
            })
        serp["ads"].append(ad)
    serp["ai_answer"] = _parse_answer(v, s["ai_answer"], f"{where}.ai_answer") if "ai_answer" in s else None
    for j, o in enumerate(v.tables(s, "organic", where)):
        ow = f"{where}.organic[{j}]"
        serp["organic"].append({
            "title": v.string(o, "title", ow),
            "url": v.url(o, "url", ow),
            "display_url": v.string(o, "display_url", ow, required=False),
            "snippet": v.string(o, "snippet", ow, required=False, default=""),
        })
    return serp


def _parse_answer(v: _V, a: Any, where: str) -> dict[str, Any]:
    """An AI answer on a planted page (Google's AI Overview, Bing's Copilot answer, DuckDuckGo's assist)."""
    a = v.table(a, where)
    end = v.string(a, "state", where, default="complete", choices=ANSWER_ENDS)
    late = a.get("late_ms", 0)
    if not isinstance(late, int) or isinstance(late, bool) or not 0 <= late <= MAX_LATE_MS:
        raise v.fail(f"{where}.late_ms", f"must be a whole number of milliseconds, 0-{MAX_LATE_MS}")
    answer = {
        "text": v.string(a, "text", where, required=end == "complete", default=""),
        "sources": v.strings(a, "sources", where, required=False, non_empty=False),
        "collapsed": v.boolean(a, "collapsed", where, False),
        "late_ms": late,
        "state": end,
    }
    for j, url in enumerate(answer["sources"]):
        v.url({"u": url}, "u", f"{where}.sources[{j}]")
    return answer


def _cross_check(v: _V, world: World) -> None:
    """Links in SERPs and redirects must land on sites of this world (the crawler follows them)."""

    def check_url(url: str, where: str) -> None:
        host = urlsplit(url).hostname or ""
        if world.site(host) is None:
            raise v.fail(where, f"host {host!r} is not one of the world's [[sites]]")

    for i, b in enumerate(world.brands):
        for j, d in enumerate(b["domains"]):
            if world.site(d) is None and world.site("www." + d) is None:
                raise v.fail(f"brands[{i}].domains[{j}]", f"no [[sites]] entry for {d!r} or 'www.{d}'")
        for j, url in enumerate(b["contact_pages"]):
            check_url(url, f"brands[{i}].contact_pages[{j}]")
    for i, s in enumerate(world.serps):
        for j, ad in enumerate(s["ads"]):
            check_url(ad["landing_url"], f"serps[{i}].ads[{j}].landing_url")
        for j, o in enumerate(s["organic"]):
            check_url(o["url"], f"serps[{i}].organic[{j}].url")
        for j, url in enumerate((s.get("ai_answer") or {}).get("sources", [])):
            check_url(url, f"serps[{i}].ai_answer.sources[{j}]")
    for i, site in enumerate(world.sites.values()):
        for j, page in enumerate(site["pages"].values()):
            if page["redirect"]:
                check_url(page["redirect"]["location"], f"sites[{i}].pages[{j}].redirect.location")
