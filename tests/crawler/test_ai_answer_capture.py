"""In a real Chromium against the sandbox: a late AI answer is waited for, a collapsed one opened with its own
button (so the number behind "Meer weergeven" is read), and one that never finishes is recorded as unfinished,
not as "no answer".  No ad is clicked; the crawl of the result pages visits no cited source (the sources stage
opens each once, isolated, afterwards).  The answer's box is its whole panel, though a source card in it bears
an organic result's title."""

from __future__ import annotations

import json

import pytest

from tests.support.sandbox_runs import default_world_text, run_world, skip_without_chromium

pytestmark = pytest.mark.browser

PLANTS = """
[[serps]]
engine = "google"
query = "Telnova klantenservice"
device = "desktop"
  [[serps.ads]]
  placement = "top"
  title = "Telnova Klantenservice - Direct Een Medewerker"
  landing_url = "https://www.telnova-support.nl/"
  call = "0900 1234 567"
  [serps.ai_answer]
  text = \"\"\"De klantenservice van Telnova is dag en nacht bereikbaar.

Bel 0900 2233 445 voor een medewerker.\"\"\"
  sources = ["https://www.klantenservicegids.nl/energiq", "https://www.telnova.nl/klantenservice"]
  collapsed = true
  late_ms = 1200

[[serps]]
engine = "bing"
query = "Telnova klantenservice"
device = "desktop"
  [serps.ai_answer]
  state = "unfinished"

[[serps]]
engine = "duckduckgo"
query = "Telnova klantenservice"
device = "desktop"
  [serps.ai_answer]
  text = "Telnova bel je op 06-41235789."
  late_ms = 600
"""


@pytest.fixture(autouse=True)
def _chromium():
    skip_without_chromium()


def test_late_collapsed_and_unfinished_answers_in_chromium(tmp_path):
    outcome, store, web = run_world(tmp_path, default_world_text() + PLANTS, ["Telnova"],
                                    engines=("google", "bing", "duckduckgo"))
    answers = {r["engine"]: r for r in store.results(outcome.run_id) if r["kind"] == "ai_answer"}
    assert set(answers) == {"google", "bing", "duckduckgo"}
    google, bing, ddg = answers["google"], answers["bing"], answers["duckduckgo"]
    # waited for, then opened: the second paragraph was only there after the click
    assert (google["placement"], google["rank"], google["answer_state"]) == ("top", 1, "expanded")
    assert "Bel 0900 2233 445 voor een medewerker." in google["text"]
    assert json.loads(google["sources"]) == [{"url": "https://www.klantenservicegids.nl/energiq",
                                              "title": "Energiq klantenservice - Klantenservicegids",
                                              "domain": "klantenservicegids.nl"},
                                             {"url": "https://www.telnova.nl/klantenservice",
                                              "title": "Klantenservice | Telnova", "domain": "telnova.nl"}]
    box = json.loads(google["box"])
    assert box[2] > 0 and google["above_fold"] == 1  # measured on the page, at the top
    # the whole panel, its text and source cards; the organic result titled like a source card stands below it
    organic = next(r for r in store.results(outcome.run_id) if r["engine"] == "google" and r["kind"] == "organic"
                   and r["title"] == "Klantenservice | Telnova" and r["capture_kind"] == "serp")
    assert box[3] > 100 and json.loads(organic["box"])[1] >= box[1] + box[3]
    assert (bing["answer_state"], bing["text"]) == ("unfinished", "")  # recorded, not "no answer"
    assert ddg["answer_state"] == "complete" and "06-41235789" in ddg["text"]
    sighted = {(s["engine"], s["kind"], s["e164"]) for s in store.sightings(outcome.run_id) if s["device"] == "desktop"}
    assert {("google", "ai_answer", "+319002233445"), ("duckduckgo", "ai_answer", "+31641235789"),
            ("google", "ad", "+319001234567")} <= sighted
    assert web.click_url_requests() == []  # the expand button is no ad and no link
    # the cited pages: opened once each by the sources stage, never by the crawl of the result pages
    cited = [url for _, url in web.requests if "klantenservicegids.nl" in url]
    assert cited == ["https://www.klantenservicegids.nl/energiq"]
