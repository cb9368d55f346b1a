"""CSV files: every finding, and one file per ad platform for its abuse team.

Cells hold attacker-controlled text (ad titles, ad text, URLs), so any cell
that a spreadsheet could read as a formula is neutralised: when it starts
with ``=``, ``+``, ``-`` or ``@`` (after leading whitespace) or with a tab or a
carriage return, it gets a leading single quote.  That includes numbers such as
``+3190...`` (E.164): safe beats pretty.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

PLATFORMS = ("google_ads", "microsoft_advertising")
VERDICT_ORDER = ("scam", "suspect", "inconclusive")
SEVERITY_ORDER = ("high", "medium", "low")
_FORMULA_START = ("=", "+", "-", "@")

FINDINGS_COLUMNS = (
    "brand", "verdict", "severity", "reason", "platform", "engine", "query", "device", "kind", "placement",
    "rank", "raw", "e164", "number_type", "domain", "title", "display_url", "landing_url", "click_url",
    "text", "captured_at", "first_seen", "last_seen", "evidence_path", "evidence_sha256", "html_path",
    "html_sha256", "screenshot_path", "screenshot_sha256",
)  # fmt: skip

# Platform CSV: header -> finding field (what an abuse team needs to find and pull the ad).
PLATFORM_COLUMNS: tuple[tuple[str, str], ...] = (
    ("advertiser_domain", "domain"), ("display_url", "display_url"), ("landing_url", "landing_url"),
    ("ad_title", "title"), ("ad_text", "text"), ("phone_as_shown", "raw"), ("phone_e164", "e164"),
    ("number_type", "number_type"), ("why", "reason"), ("verdict", "verdict"), ("severity", "severity"),
    ("brand_impersonated", "brand"), ("engine", "engine"), ("query", "query"), ("device", "device"),
    ("ad_kind", "kind"), ("placement", "placement"), ("rank", "rank"), ("captured_at_utc", "captured_at"),
    ("ad_click_url", "click_url"), ("evidence_file", "evidence_file"),
    ("evidence_sha256", "evidence_sha256_"),
    ("page_html_file", "html_path"), ("page_html_sha256", "html_sha256"),
    ("screenshot_file", "screenshot_path"), ("screenshot_sha256", "screenshot_sha256"),
)  # fmt: skip


def neutralise(value: Any) -> str:
    """A CSV cell that no spreadsheet evaluates as a formula."""
    s = "" if value is None else str(value)
    if s[:1] in ("\t", "\r") or s.lstrip()[:1] in _FORMULA_START:
        return "'" + s
    return s


def _order(name: str, options: tuple[str, ...]) -> int:
    return options.index(name) if name in options else len(options)


def sort_key(f: Mapping[str, Any]) -> tuple[Any, ...]:
    """Deterministic order: brand, then worst first, then number, engine, kind, domain, position."""
    return (
        str(f.get("brand") or "").casefold(), str(f.get("brand") or ""),
        _order(str(f.get("severity") or ""), SEVERITY_ORDER),
        _order(str(f.get("verdict") or ""), VERDICT_ORDER),
        str(f.get("e164") or ""), str(f.get("engine") or ""), str(f.get("kind") or ""),
        str(f.get("domain") or ""), str(f.get("placement") or ""), int(f.get("rank") or 0),
        str(f.get("device") or ""), str(f.get("query") or ""),
    )  # fmt: skip


def evidence(f: Mapping[str, Any]) -> tuple[str, str]:
    """The best evidence file of a finding and its sha256: result crop, else screenshot, else HTML."""
    for path_key, sha_key in (("evidence_path", "evidence_sha256"), ("screenshot_path", "screenshot_sha256"),
                              ("html_path", "html_sha256")):  # fmt: skip
        if f.get(path_key):
            return str(f[path_key]), str(f.get(sha_key) or "")
    return "", ""


def _write(path: Path, header: Iterable[str], rows: Iterable[Iterable[Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(list(header))
        for row in rows:
            w.writerow([neutralise(v) for v in row])
    return path


def write_findings_csv(findings: Iterable[Mapping[str, Any]], path: Path) -> Path:
    ordered = sorted(findings, key=sort_key)
    return _write(path, FINDINGS_COLUMNS, ([f.get(c) for c in FINDINGS_COLUMNS] for f in ordered))


def write_platform_csv(findings: Iterable[Mapping[str, Any]], platform: str, path: Path) -> Path:
    """The findings shown by ``platform`` (a header-only file when there are none)."""
    rows = []
    for f in sorted((f for f in findings if f.get("platform") == platform or platform in (f.get("platforms") or ())),
                    key=sort_key):  # a finding seen on several engines goes to each platform that showed it
        ev_path, ev_sha = evidence(f)
        g = {**f, "evidence_file": ev_path, "evidence_sha256_": ev_sha}
        rows.append([g.get(field) for _, field in PLATFORM_COLUMNS])
    log.debug("%s: %d findings", platform, len(rows))
    return _write(path, (h for h, _ in PLATFORM_COLUMNS), rows)
