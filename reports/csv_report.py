"""``findings.csv``: every finding of the night, for scripts (the analysts' copy is findings.xlsx).

Written like the platform files (:mod:`reports.cells`): UTF-8 with a BOM, every field quoted, every
cell neutralised against formulas, phone numbers in cells that paste as the number.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from reports.cells import phone_as_shown, phone_number, phone_tel, write_csv
from reports.context import advertiser_domain, finding_key, sort_key, state_of

FINDINGS_COLUMNS = (
    "id", "brand", "verdict", "severity", "reason", "status", "state", "platform", "engine", "query",
    "device", "kind", "placement", "rank", "phone_number", "phone_tel", "phone_as_shown", "number_type",
    "advertiser_domain", "domain", "title", "display_url", "landing_url", "click_url", "text", "captured_at",
    "first_seen", "last_seen", "times_seen", "nights_seen", "campaign", "evidence_path", "evidence_sha256",
    "screenshot_path", "screenshot_sha256", "html_path", "html_sha256",
)  # fmt: skip


def findings_row(f: Mapping[str, Any], region: str = "NL") -> list[Any]:
    derived = {
        "id": finding_key(f), "state": state_of(f), "status": f.get("status") or "new",
        "phone_number": phone_number(f.get("e164"), region), "phone_tel": phone_tel(f.get("e164")),
        "phone_as_shown": phone_as_shown(f.get("raw"), f.get("e164"), region),
        "advertiser_domain": advertiser_domain(f),
    }  # fmt: skip
    return [derived[c] if c in derived else f.get(c) for c in FINDINGS_COLUMNS]


def write_findings_csv(findings: Iterable[Mapping[str, Any]], path: Path, region: str = "NL") -> Path:
    return write_csv(path, FINDINGS_COLUMNS, (findings_row(f, region) for f in sorted(findings, key=sort_key)))
