"""``findings.csv``: every case of the night, one row each, for scripts (the analysts' copy is findings.xlsx).

The phone columns are the case's first number; ``all_numbers``, ``rules`` and ``reasons`` hold them all.
``text`` is the result block as read (where its numbers were found), ``description`` the ad's own words
(:mod:`reports.ad_text`).

Written like the platform files (:mod:`reports.cells`): UTF-8 with a BOM, every field quoted, every
cell neutralised against formulas, phone numbers in cells that paste as the number.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from reports.ad_text import ad_description
from reports.cells import phone_as_shown, phone_number, phone_tel, write_csv
from reports.context import advertiser_domain, case_reasons, finding_key, hours_text, state_of
from reports.ordered import in_report_order
from reports.platforms import all_numbers


def reason_text(r: Mapping[str, Any], region: str = "NL") -> str:
    """One reason in words: ``high scam, unofficial number 0900 1234567: premium-rate number ...``."""
    number = f" {phone_number(r['e164'], region)}" if r.get("e164") else ""
    return (f"{r.get('severity') or ''} {r.get('verdict') or ''}, {str(r.get('rule') or '').replace('_', ' ')}"
            f"{number}: {r.get('reason') or ''}").strip()

FINDINGS_COLUMNS = (
    "id", "brand", "verdict", "severity", "reason", "status", "state", "platform", "engine", "query",
    "device", "kind", "placement", "rank", "phone_number", "phone_tel", "phone_as_shown", "number_type",
    "advertiser_domain", "domain", "title", "display_url", "landing_url", "click_url", "text", "captured_at",
    "first_seen", "last_seen", "times_seen", "nights_seen", "sweeps_audited", "hours_seen_utc",
    "campaign", "evidence_path", "evidence_sha256",
    "screenshot_path", "screenshot_sha256", "html_path", "html_sha256", "case_kind", "channel", "all_numbers",
    "rules", "reasons", "description",
)  # fmt: skip


def findings_row(f: Mapping[str, Any], region: str = "NL") -> list[Any]:
    derived = {
        "id": finding_key(f), "state": state_of(f), "status": f.get("status") or "new",
        "phone_number": phone_number(f.get("e164"), region), "phone_tel": phone_tel(f.get("e164")),
        "phone_as_shown": phone_as_shown(f.get("raw"), f.get("e164"), region),
        "advertiser_domain": advertiser_domain(f), "all_numbers": all_numbers(f, region),
        "hours_seen_utc": hours_text(f),
        "rules": ", ".join(dict.fromkeys(str(r.get("rule") or "") for r in case_reasons(f))),
        "reasons": " | ".join(reason_text(r, region) for r in case_reasons(f)), "description": ad_description(f),
    }  # fmt: skip
    return [derived[c] if c in derived else f.get(c) for c in FINDINGS_COLUMNS]


def write_findings_csv(findings: Iterable[Mapping[str, Any]], path: Path, region: str = "NL") -> Path:
    """One row per case, in report order, written as each is read (:mod:`reports.ordered`)."""
    return write_csv(path, FINDINGS_COLUMNS, (findings_row(f, region) for f in in_report_order(findings)))
