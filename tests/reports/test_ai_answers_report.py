"""AI-answer findings in the report folder: their own section of report.html, ``ai_answers.csv``, and no
ads-platform CSV (hand-made findings and source checks, no browser)."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from pathlib import Path
from typing import Any

from audits.answer_trace import check_sources
from reports import ReportContext, write_bundle
from reports.answers import AI_ANSWER_COLUMNS

T1 = "2026-12-03T02:00:00+00:00"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82")
FORUM = "https://forum.klantenvragen.nl/t/48213"
PDF = "https://www.docdeel.nl/d/telnova.pdf"
OWN = "https://www.telnova.nl/klantenservice"


def _answer_finding(**kw: Any) -> dict[str, Any]:
    f = {"id": "f-ai-1", "brand": "Telnova", "rule": "ai_answer_number", "e164": "+319008877665",
         "raw": "0900 8877 665", "number_type": "premium_rate", "verdict": "scam", "severity": "high",
         "reason": "the engine's AI answer gives a number the brand does not publish", "engine": "google",
         "kind": "ai_answer", "placement": "top", "rank": 1, "query": "Telnova klantenservice", "device": "desktop",
         "title": "AI-overzicht", "text": '=HYPERLINK("x") Bel <script>alert(1)</script> 0900 8877 665',
         "captured_at": T1, "platform": "", "platforms": "[]", "answer_state": "expanded", "status": "new",
         "evidence_path": "", "screenshot_path": "", "html_path": ""}
    f.update(kw)
    return f


def _ad_finding() -> dict[str, Any]:
    return {"id": "f-ad-1", "brand": "Telnova", "rule": "unofficial_number", "e164": "+319001234567",
            "raw": "0900 1234 567", "number_type": "premium_rate", "verdict": "scam", "severity": "high",
            "reason": "ad shows a number the brand does not publish", "engine": "google", "kind": "ad",
            "placement": "top", "rank": 1, "query": "Telnova klantenservice", "device": "desktop",
            "title": "Telnova hulp", "landing_url": "https://www.telnova-support.nl/", "domain": "telnova-support.nl",
            "captured_at": T1, "platform": "google_ads", "status": "new"}


def _evidence(tmp_path: Path) -> dict[str, str]:
    src = tmp_path / "store-evidence"
    src.mkdir()
    (src / "answer-crop.png").write_bytes(PNG)
    (src / "forum.html").write_text("<p>Bel 0900 8877 665</p>", encoding="utf-8")
    (src / "forum.safe.html").write_text("<p>Bel 0900 8877 665</p>", encoding="utf-8")
    (src / "forum.png").write_bytes(PNG)
    (src / "doc.pdf").write_bytes(b"%PDF-1.4 ...")
    return {k: str(src / n) for k, n in (("crop", "answer-crop.png"), ("forum", "forum.html"),
                                         ("forum_png", "forum.png"), ("pdf", "doc.pdf"))}


def _sha(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _context(paths: dict[str, str]) -> ReportContext:
    visits = {
        FORUM: {"status": "ok", "numbers": ["+319008877665"], "html_path": paths["forum"],
                "html_sha256": _sha(paths["forum"]), "screenshot_path": paths["forum_png"],
                "screenshot_sha256": _sha(paths["forum_png"]), "final_url": FORUM, "captured_at": T1},
        PDF: {"status": "ok", "numbers": ["+319008877665"], "notes": "PDF, 1 page(s)", "html_path": paths["pdf"],
              "html_sha256": _sha(paths["pdf"]), "final_url": PDF, "captured_at": T1},
        OWN: {"status": "ok", "numbers": ["+318000234567"], "final_url": OWN, "captured_at": T1},
    }
    sources = [{"url": u, "title": t, "domain": d} for u, t, d in (
        (FORUM, "Telnova storing <b>forum</b>", "klantenvragen.nl"), (PDF, "telnova.pdf", "docdeel.nl"),
        (OWN, "Klantenservice | Telnova", "telnova.nl"), ("https://www.weg.nl/x", "weg", "weg.nl"))]
    checks = check_sources(sources, visits, "+319008877665")
    return ReportContext(now=T1, brands=["Telnova"], answer_sources={"f-ai-1": checks},
                         officials={"Telnova": [{"e164": "+318000234567", "raw": "0800 023 4567", "source_url": OWN,
                                                 "published": 1}]},
                         answers_unread=[{"brand": "Energiq", "engine": "google", "query": "Energiq klantenservice",
                                          "device": "mobile", "answer_state": "unfinished", "captured_at": T1}])


def _rows(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header, *rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert tuple(header) == AI_ANSWER_COLUMNS
    return [dict(zip(header, r, strict=True)) for r in rows]


def test_ai_answers_csv_has_a_row_per_cited_source_with_its_evidence_and_no_platform_gets_the_answer(tmp_path):
    paths = _evidence(tmp_path)
    out = tmp_path / "report"
    bundle = write_bundle([_answer_finding(evidence_path=paths["crop"]), _ad_finding()], out,
                          context=_context(paths))
    rows = _rows(out / "ai_answers.csv")
    assert [(r["source_url"], r["source_carries_number"], r["source_is_pdf"]) for r in rows] == [
        (FORUM, "yes", "no"), (PDF, "yes", "yes"), (OWN, "no", "no"), ("https://www.weg.nl/x", "not visited", "no")]
    first = rows[0]
    assert first["answer_product"] == "Google's AI Overview" and first["phone_tel"] == "tel:+319008877665"
    assert first["where_found"] == ("0900 8877 665 in Google's AI Overview, found on forum.klantenvragen.nl/t/48213 "
                                    "and a PDF on docdeel.nl; 1 other source(s) not read")
    assert first["brand_official_numbers"] == "0800 0234567" and first["answer_state"] == "expanded"
    assert first["answer_text"].startswith("'=HYPERLINK")  # a formula in the answer's text stays text
    # the evidence named is in the folder, under its relative name
    for r in rows[:2]:
        assert r["source_evidence_file"].startswith("evidence/") and (out / r["source_evidence_file"]).is_file()
    assert (out / first["answer_crop_file"]).is_file() and (out / first["source_screenshot_file"]).is_file()
    # never an ad platform's: the Google Ads CSV and zip hold the ad alone
    assert bundle.sent["google_ads"] == ["f-ad-1"] and bundle.sent["microsoft_advertising"] == []
    with zipfile.ZipFile(bundle.platform_zips["google_ads"]) as zf:
        assert not any("forum" in n or n.endswith(".pdf") for n in zf.namelist())


def test_a_night_without_ai_answers_has_a_header_only_csv(tmp_path):
    write_bundle([_ad_finding()], tmp_path / "r", context=ReportContext(now=T1))
    assert _rows(tmp_path / "r" / "ai_answers.csv") == []


def test_report_html_shows_the_answer_apart_with_its_crop_number_officials_and_sources(tmp_path):
    paths = _evidence(tmp_path)
    out = tmp_path / "report"
    write_bundle([_answer_finding(evidence_path=paths["crop"]), _ad_finding()], out, context=_context(paths))
    html = (out / "report.html").read_text(encoding="utf-8")
    section = html[html.index('<h2 id="ai-answers">'):html.index('<h2 id="campaigns">')]
    findings = html[html.index('<h2 id="findings">'):html.index('<h2 id="ai-answers">')]
    assert 'id="f-f-ai-1"' in section and 'id="f-f-ai-1"' not in findings and 'id="f-f-ad-1"' in findings
    assert ("0900 8877 665 in Google&#39;s AI Overview, found on forum.klantenvragen.nl/t/48213 and a PDF on "
            "docdeel.nl") in section
    assert '<img src="data:image/png;base64,' in section  # the answer's crop, inlined
    assert "0800 0234567" in section and "answer expanded from &#39;Show more&#39;" in section
    # the sources: which carry the number, with their evidence; the raw page is named, never linked
    assert section.count('class="carries-yes"') == 2 and 'class="carries-no"' in section
    assert 'class="carries-not-visited"' in section
    assert 'href="evidence/store-evidence-forum.safe.html"' in section
    assert 'href="evidence/store-evidence-doc.pdf"' in section
    assert 'href="evidence/store-evidence-forum.html"' not in html
    # hostile text from the answer and a cited page's title is escaped
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in section
    assert "Telnova storing &lt;b&gt;forum&lt;/b&gt;" in section
    # an answer that never finished is recorded, not taken for "no answer"
    assert "could not be read whole" in section and "<strong>unfinished</strong>" in section
