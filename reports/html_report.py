"""The analysts' HTML report: findings grouped by brand, and the captures NOT audited.

Everything on the page comes from search results, i.e. from the attackers, so:
jinja2 autoescaping is on, only http(s) URLs become links (``javascript:`` and
friends stay text), ad click URLs are never linked (visiting one bills the
advertiser and warns the scammer), and a Content-Security-Policy forbids scripts.
Evidence files are linked relative to the HTML file where possible.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from reports.csv_report import PLATFORMS, VERDICT_ORDER, sort_key, write_findings_csv, write_platform_csv

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parent / "templates"
_ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)
_EVIDENCE = (
    ("result", "evidence_path", "evidence_sha256"),
    ("screenshot", "screenshot_path", "screenshot_sha256"),
    ("html", "html_path", "html_sha256"),
)
Link = tuple[str, str | None, str]  # label, href, sha256


def safe_url(url: Any) -> str | None:
    """``url`` when it is an absolute http(s) URL (fit for an href), else None."""
    if not isinstance(url, str) or not url.strip():
        return None
    u = url.strip()
    try:
        parts = urlsplit(u)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if any(ch in u for ch in "\x00\r\n\t\"'<> "):
        return None
    return u


def file_href(path: Any, out_dir: Path, evidence_root: Path | None = None) -> str | None:
    """A link to a local evidence file, relative to ``out_dir`` where possible.

    Relative paths are taken relative to ``evidence_root`` (default: the current directory).
    """
    if not path:
        return None
    p = Path(str(path))
    if not p.is_absolute():
        p = (evidence_root or Path.cwd()) / p
    p = Path(os.path.abspath(p))
    try:
        rel = os.path.relpath(p, os.path.abspath(out_dir))
    except ValueError:  # another drive on Windows
        return p.as_uri()
    return quote(Path(rel).as_posix())


def _evidence_links(row: Mapping[str, Any], out_dir: Path, root: Path | None) -> list[Link]:
    links: list[Link] = []
    for label, path_key, sha_key in _EVIDENCE:
        if row.get(path_key):
            path, sha = str(row[path_key]), str(row.get(sha_key) or "")
            if path_key == "html_path":
                # the captured page runs the scammer's scripts: link its sanitised copy (written beside it by
                # serpaudit.evidence as <name>.safe.html); the raw file stays evidence with its sha256, unlinked
                links.append(("html (sanitised)", file_href(safe_html_path(path), out_dir, root), sha))
                continue
            links.append((label, file_href(path, out_dir, root), sha))
    return links


def safe_html_path(html_path: str) -> str:
    """The sanitised copy of a captured page (see serpaudit.evidence.safe_copy_path)."""
    return (html_path[: -len(".html")] if html_path.endswith(".html") else html_path) + ".safe.html"


def _view(f: Mapping[str, Any], out_dir: Path, root: Path | None) -> dict[str, Any]:
    v = {k: ("" if val is None else val) for k, val in f.items()}
    for k in ("brand", "verdict", "severity", "platform", "raw", "e164", "number_type", "engine", "kind",
              "placement", "rank", "device", "query", "captured_at", "first_seen", "title", "display_url",
              "landing_url", "click_url", "domain", "text", "reason"):  # fmt: skip
        v.setdefault(k, "")
    verdict = str(v["verdict"])
    v["badge"] = f"badge-{verdict}" if verdict in VERDICT_ORDER else "badge-unknown"
    v["severity_class"] = v["severity"] if v["severity"] in ("high", "medium", "low") else "low"
    v["landing_href"] = safe_url(f.get("landing_url"))
    v["evidence"] = _evidence_links(f, out_dir, root)
    return v


def render_html(
    findings: Iterable[Mapping[str, Any]],
    out_dir: Path,
    *,
    run: Mapping[str, Any] | None = None,
    blocked: Iterable[Mapping[str, Any]] = (),
    evidence_root: Path | None = None,
) -> str:
    ordered = sorted(findings, key=sort_key)
    groups: list[dict[str, Any]] = []
    for f in ordered:
        if not groups or groups[-1]["brand"] != (f.get("brand") or ""):
            groups.append({"brand": f.get("brand") or "", "findings": []})
        groups[-1]["findings"].append(_view(f, out_dir, evidence_root))
    counts = [(v, sum(1 for f in ordered if f.get("verdict") == v)) for v in VERDICT_ORDER]
    blocked_rows = []
    for c in sorted(blocked, key=lambda c: tuple(str(c.get(k) or "") for k in (
            "brand", "engine", "query", "device", "captured_at"))):  # fmt: skip
        row = {k: ("" if c.get(k) is None else c.get(k)) for k in (
            "brand", "engine", "query", "device", "status", "captured_at", "error", "final_url")}  # fmt: skip
        row["evidence"] = _evidence_links(c, out_dir, evidence_root)
        blocked_rows.append(row)
    run_view = None
    if run is not None:
        run_view = {k: ("" if run.get(k) is None else run.get(k)) for k in (
            "id", "command", "status", "started_at", "finished_at")}  # fmt: skip
        summary = run.get("summary") or {}
        run_view["summary"] = sorted((str(k), str(val)) for k, val in dict(summary).items())
    return _ENV.get_template("report.html").render(
        run=run_view, groups=groups, findings_total=len(ordered),
        verdict_counts=[(v, n) for v, n in counts if n], blocked=blocked_rows,
    )  # fmt: skip


def write_html(
    findings: Iterable[Mapping[str, Any]],
    path: Path,
    *,
    run: Mapping[str, Any] | None = None,
    blocked: Iterable[Mapping[str, Any]] = (),
    evidence_root: Path | None = None,
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    html = render_html(findings, path.parent, run=run, blocked=blocked, evidence_root=evidence_root)
    path.write_text(html, encoding="utf-8")
    return path


def write_reports(
    findings: Iterable[Mapping[str, Any]],
    out_dir: Path,
    *,
    run: Mapping[str, Any] | None = None,
    blocked: Iterable[Mapping[str, Any]] = (),
    evidence_root: Path | None = None,
) -> list[Path]:
    """Write findings.csv, google_ads.csv, microsoft_advertising.csv and report.html into ``out_dir``.

    Platform files are written even when empty (header only), so a nightly job
    always finds them.  Relative evidence paths are resolved against
    ``evidence_root`` (default: the current directory) before being linked
    relative to report.html.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = [dict(f) for f in findings]
    paths = [write_findings_csv(rows, out_dir / "findings.csv")]
    paths += [write_platform_csv(rows, p, out_dir / f"{p}.csv") for p in PLATFORMS]
    paths.append(write_html(rows, out_dir / "report.html", run=run, blocked=list(blocked),
                            evidence_root=evidence_root))  # fmt: skip
    log.info("wrote %d report files to %s", len(paths), out_dir)
    return paths
