"""A night in Chromium against the sandbox: Google's AI Overview gives a 0900 number; the pages it cites (a
forum post, a PDF, the brand's own page, a page that jumps to an ad click URL) are opened once each in an
isolated context, and the finding, ai_answers.csv and report.html say where the number was found."""

from __future__ import annotations

import csv
import io

import pytest

from tests.support.sandbox_runs import run_world, skip_without_chromium

pytestmark = pytest.mark.browser

CLICK = "https://www.googleadservices.com/pagead/aclk?sa=L&ai=DChcSE&adurl=https://www.x.nl/"
WORLD = f"""
[world]
name = "sources"

[[brands]]
name = "Telnova"
domains = ["telnova.nl"]
contact_pages = ["https://www.telnova.nl/klantenservice"]

[[sites]]
host = "www.telnova.nl"
  [[sites.pages]]
  path = "/klantenservice"
  title = "Klantenservice | Telnova"
  body = "<p>Bel gratis 0800 023 4567.</p>"

[[sites]]
host = "forum.klantenvragen.nl"
  [[sites.pages]]
  path = "/t/1"
  title = "Telnova bellen? - Klantenvragen"
  body = "<p>Ik belde Telnova op 0900 8877 665.</p>"
  [[sites.pages]]
  path = "/t/2"
  title = "Telnova hulp"
  body = \"\"\"<p>Bel 0900 8877 665.</p><script>location.href = "{CLICK}";</script>\"\"\"

[[sites]]
host = "www.docdeel.nl"
  [[sites.pages]]
  path = "/d/telnova.pdf"
  title = "Telnova klantenservice"
  content_type = "application/pdf"
  body = "Bel de Telnova storingslijn: 0900 8877 665 (24/7)."

[[sites]]
host = "www.x.nl"
  [[sites.pages]]
  path = "/"
  title = "x"
  body = "<p>x</p>"

[[serps]]
engine = "google"
query = "Telnova klantenservice"
  [serps.ai_answer]
  text = "Bel de klantenservice van Telnova op 0900 8877 665."
  sources = ["https://forum.klantenvragen.nl/t/1", "https://www.docdeel.nl/d/telnova.pdf",
             "https://www.telnova.nl/klantenservice", "https://forum.klantenvragen.nl/t/2"]
"""


def test_the_cited_pages_are_opened_once_and_the_finding_says_where_the_number_was_found(tmp_path):
    skip_without_chromium()
    outcome, store, web = run_world(tmp_path, WORLD, ["Telnova"])
    assert web.click_url_requests() == []  # the page that jumps to an ad click URL was refused
    assert outcome.not_audited == []  # tracing the sources is not the audit: the night is complete

    (finding,) = [f for f in outcome.findings if f["rule"] == "ai_answer_number"]
    assert finding["e164"] == "+319008877665" and finding["severity"] == "high"
    assert finding["reason"].endswith("found on forum.klantenvragen.nl/t/1, a PDF on docdeel.nl and "
                                      "forum.klantenvragen.nl/t/2")
    visits = {v["source_url"]: v for v in store.source_visits(outcome.run_id)}
    assert visits["https://www.docdeel.nl/d/telnova.pdf"]["numbers"] == ["+319008877665"]
    assert visits["https://www.docdeel.nl/d/telnova.pdf"]["html_path"].endswith(".pdf")
    assert visits["https://www.telnova.nl/klantenservice"]["numbers"] == ["+318000234567"]
    assert visits["https://forum.klantenvragen.nl/t/2"]["status"] == "refused"
    # once each: the forum post by the browser, the PDF by the browser and once more by its page
    opened = [u for _, u in web.requests if "klantenvragen" in u or "docdeel" in u]
    assert sorted(set(opened)) == ["https://forum.klantenvragen.nl/t/1", "https://forum.klantenvragen.nl/t/2",
                                   "https://www.docdeel.nl/d/telnova.pdf"]
    assert opened.count("https://forum.klantenvragen.nl/t/1") == 1

    folder = outcome.reports[0].parent
    rows = list(csv.DictReader(io.StringIO((folder / "ai_answers.csv").read_text(encoding="utf-8-sig"))))
    assert [(r["source_url"].rsplit("/", 1)[-1], r["source_carries_number"]) for r in rows] == [
        ("1", "yes"), ("telnova.pdf", "yes"), ("klantenservice", "no"), ("2", "yes")]
    assert all((folder / r["source_evidence_file"]).is_file() for r in rows)
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "0900 8877 665 in Google&#39;s AI Overview, found on forum.klantenvragen.nl/t/1" in html
    assert (folder / "google_ads.csv").read_text(encoding="utf-8-sig").count("\n") == 1  # header only
