"""What goes to each ad platform, and the CSV its abuse team receives.

Google Ads gets Google's ads; Microsoft Advertising gets Bing's and DuckDuckGo's (DuckDuckGo shows
Microsoft Advertising ads).  The columns follow what the two ad-complaint forms ask for (the ad's
display and destination URL, the advertiser, the query it ran on, where, when and on which device
it was seen, what is wrong with it, a screenshot); README.md documents each column.

One row per ad (a case, :mod:`audits.cases`): ``phone_number``, ``phone_tel`` and ``phone_as_shown`` are
its first number (worst reason first) in cells that paste as the number; ``all_numbers`` lists every number
it showed, as dialled and in E.164, and ``policy_issue`` every reason.

Which findings go (:func:`to_report`): ad cases judged ``scam`` or ``suspect`` that are ``new`` or
``reopened``, or ``recurring`` and never sent (still live, not yet reported: a night must not forget an
ad because it is no longer new), and not ``dismissed``, plus ``reported`` ones still live
``followup_days`` after they were last sent.  A finding already sent to a platform is not sent again
before then: the caller passes what was sent (``sent``: (finding id, platform) -> last sent, ISO-8601 UTC).
Findings without lifecycle fields (a store before issue 7) count as new.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from audits.evidence_files import as_captured
from reports.ad_text import ad_description
from reports.cells import phone_as_shown, phone_number, phone_tel, write_csv
from reports.context import (
    ReportContext,
    advertiser_domain,
    case_numbers,
    case_reasons,
    finding_key,
    official_for,
    platforms_of,
    sort_key,
)

PLATFORMS = ("google_ads", "microsoft_advertising")
PLATFORM_NAMES = {"google_ads": "Google Ads", "microsoft_advertising": "Microsoft Advertising"}
ENGINE_SITES = {"google": "Google Search (google.nl)", "bing": "Bing (bing.com)",
                "duckduckgo": "DuckDuckGo (ads by Microsoft Advertising)"}  # fmt: skip
REPORTABLE_VERDICTS = ("scam", "suspect")
FIRST_REPORT_STATUSES = ("new", "reopened", "")

# header -> how to fill it from a finding (see README.md "Platform CSV columns")
PLATFORM_COLUMNS: tuple[str, ...] = (
    "report_id", "report_reason", "policy_issue", "advertiser_domain", "display_url", "landing_url",
    "ad_headline", "ad_description", "phone_number", "phone_tel", "phone_as_shown", "number_type",
    "brand_impersonated", "brand_official_numbers", "brand_official_source", "search_engine",
    "search_query", "country", "language", "device", "ad_position", "seen_at_utc", "first_seen_utc",
    "nights_seen", "screenshot_file", "screenshot_sha256", "screenshot_ad_outlined_file",
    "screenshot_ad_outlined_sha256", "ad_crop_file", "ad_crop_sha256",
    "page_html_file", "page_html_sha256", "ad_click_url_not_visited", "campaign", "all_numbers", "rules",
)  # fmt: skip


def _parse_time(value: str) -> datetime | None:
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)  # a report date (YYYY-MM-DD) is a UTC day


def report_reason(f: Mapping[str, Any], sent_at: str | None, followup_days: int, now: str) -> str | None:
    """Why ``f`` goes to its platform tonight (``new``, ``reopened``, ``still live``), or None."""
    if not platforms_of(f) or f.get("verdict") not in REPORTABLE_VERDICTS:
        return None
    state, status = str(f.get("state") or "open"), str(f.get("status") or "")
    if state in ("dismissed", "resolved") or status == "gone":
        return None
    if state == "reported" or sent_at:
        last = _parse_time(sent_at or str(f.get("reported_at") or ""))
        current = _parse_time(now)
        if last is None or current is None or current - last < timedelta(days=followup_days):
            return None
        return f"still live {(current - last).days} days after the report"
    if status in FIRST_REPORT_STATUSES:
        return status or "new"
    if status == "recurring":
        return "still live, not yet reported"
    return None


def to_report(findings: Iterable[Mapping[str, Any]], platform: str, ctx: ReportContext) -> list[dict[str, Any]]:
    """The findings ``platform`` gets tonight, each with its ``report_reason``."""
    return sorted(reported(findings, platform, ctx), key=sort_key)


def reported(findings: Iterable[Mapping[str, Any]], platform: str, ctx: ReportContext) -> Iterator[dict[str, Any]]:
    """:func:`to_report`'s findings one at a time, in the order of ``findings`` (the report's, streamed)."""
    for f in findings:
        if platform not in platforms_of(f):
            continue
        reason: str | None
        if (finding_key(f), platform) in ctx.sent_tonight:  # mailed tonight, so now reported: still tonight's
            reason = report_reason({**f, "state": "open"}, None, ctx.followup_days, ctx.now) or "still live"
        else:
            reason = report_reason(f, ctx.sent.get((finding_key(f), platform)), ctx.followup_days, ctx.now)
        if reason:
            yield {**f, "platform": platform, "report_reason": reason}


def policy_issue(f: Mapping[str, Any], region: str = "NL") -> str:
    """What is wrong with the ad, every reason of the case in one sentence (worst first)."""
    brand = f.get("brand") or "the brand"
    parts = []
    for r in case_reasons(f):
        why = r.get("reason") or r.get("verdict") or ""
        if r.get("rule") == "lookalike_domain":
            parts.append(f"runs on {advertiser_domain(f)}, a domain imitating {brand} ({why})")
        elif r.get("e164"):
            parts.append(f"shows {phone_number(r['e164'], region)}, a phone number {brand} does not publish ({why})")
        else:
            parts.append(str(why))
    return f"Misrepresentation: ad for '{brand} klantenservice' " + "; ".join(parts)


def all_numbers(f: Mapping[str, Any], region: str = "NL") -> str:
    """Every number the ad showed, as dialled and in E.164: ``0900 1234567 (+319001234567) / ...``."""
    return " / ".join(f"{phone_number(n['e164'], region)} ({n['e164']})" for n in case_numbers(f))


def platform_row(f: Mapping[str, Any], ctx: ReportContext) -> list[Any]:
    numbers, sources = official_for(ctx, str(f.get("brand") or ""))
    placement = f"{f.get('placement') or ''} #{f.get('rank') or ''}".strip()
    values = {
        "report_id": finding_key(f), "report_reason": f.get("report_reason"),
        "policy_issue": policy_issue(f, ctx.region),
        "advertiser_domain": advertiser_domain(f), "display_url": f.get("display_url"),
        "landing_url": f.get("landing_url"), "ad_headline": f.get("title"), "ad_description": ad_description(f),
        "phone_number": phone_number(f.get("e164"), ctx.region), "phone_tel": phone_tel(f.get("e164")),
        "phone_as_shown": phone_as_shown(f.get("raw"), f.get("e164"), ctx.region), "number_type": f.get("number_type"),
        "brand_impersonated": f.get("brand"),
        "brand_official_numbers": " / ".join(phone_number(n, ctx.region) for n in numbers) or "none published",
        "brand_official_source": " ".join(sources), "search_engine": ENGINE_SITES.get(str(f.get("engine")), ""),
        "search_query": f.get("query"), "country": ctx.region, "language": ctx.language,
        "device": f.get("device"), "ad_position": placement, "seen_at_utc": f.get("captured_at"),
        "first_seen_utc": f.get("first_seen") or f.get("captured_at"), "nights_seen": f.get("nights_seen") or 1,
        "screenshot_file": f.get("screenshot_path"), "screenshot_sha256": f.get("screenshot_sha256"),
        "screenshot_ad_outlined_file": f.get("screenshot_outlined_path"),
        "screenshot_ad_outlined_sha256": f.get("screenshot_outlined_sha256"),
        "ad_crop_file": f.get("evidence_path"), "ad_crop_sha256": f.get("evidence_sha256"),
        # the page as the platform's zip holds it: uncompressed (a report folder keeps it gzipped)
        "page_html_file": as_captured(str(f["html_path"])) if f.get("html_path") else None,
        "page_html_sha256": f.get("html_sha256"),
        "ad_click_url_not_visited": f.get("click_url"), "campaign": f.get("campaign"),
        "all_numbers": all_numbers(f, ctx.region),
        "rules": ", ".join(dict.fromkeys(str(r.get("rule") or "") for r in case_reasons(f))),
    }  # fmt: skip
    return [values[c] for c in PLATFORM_COLUMNS]


def write_platform_csv(rows: Iterable[Mapping[str, Any]], path: Path, ctx: ReportContext) -> Path:
    """One row per ad to report (a header-only file when there is none tonight)."""
    return write_csv(path, PLATFORM_COLUMNS, (platform_row(f, ctx) for f in rows))


def read_report_ids(path: Path) -> list[str]:
    """The ``report_id`` column of a platform CSV written earlier (the ads it holds), in order."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [row["report_id"] for row in csv.DictReader(fh) if row.get("report_id")]


def evidence_files(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """The (relative) evidence files a platform CSV names, in order, each once."""
    seen: dict[str, None] = {}
    for f in rows:
        for key in ("screenshot_path", "screenshot_outlined_path", "evidence_path", "html_path"):
            if f.get(key):
                seen.setdefault(str(f[key]))
    return list(seen)
