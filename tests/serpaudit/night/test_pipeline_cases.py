"""Single cases in a real Chromium against variants of the default world."""

from __future__ import annotations

import pytest

from tests.support.sandbox_runs import default_world_text, run_world, skip_without_chromium

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _chromium():
    skip_without_chromium()


def test_google_consent_wall_is_rejected_and_the_results_read(tmp_path):
    text = default_world_text().replace("consent_wall = false", "consent_wall = true")
    outcome, store, web = run_world(tmp_path, text, ["Telnova"])
    captures = [c for c in store.captures(outcome.run_id, kind="serp")
                if c["engine"] == "google" and c["device"] == "desktop"]
    assert [c["status"] for c in captures] == ["ok"]
    saves = [url for _, url in web.requests if url.startswith("https://consent.google.com/save")]
    assert saves and all("set_eom=true" in url for url in saves), "the reject button was never pressed"
    assert "+319001234567" in {f["e164"] for f in outcome.scams}
    assert web.click_url_requests() == []


def test_a_query_that_stays_on_the_consent_wall_is_recorded_as_consent_not_clean(tmp_path):
    text = default_world_text().replace(
        'query = "Woonfonds klantenservice"\nstatus = "captcha"',
        'query = "Woonfonds klantenservice"\nstatus = "consent"',
        1,
    )
    if 'status = "consent"' not in text:
        pytest.skip("default world no longer plants the Woonfonds CAPTCHA this test rewrites")
    outcome, store, _ = run_world(tmp_path, text, ["Woonfonds"])
    statuses = {c["status"] for c in store.captures(outcome.run_id) if c["engine"] == "google"}
    assert statuses == {"consent"}
    assert outcome.exit_code == 3  # not clean: part of the audit is missing


def test_robots_txt_that_forbids_the_contact_page_is_respected(tmp_path):
    text = default_world_text().replace(
        'host = "www.telnova.nl"', 'host = "www.telnova.nl"\nrobots = "User-agent: *\\nDisallow: /klantenservice\\n"', 1
    )
    outcome, store, web = run_world(tmp_path, text, ["Telnova"])
    assert ("GET", "https://www.telnova.nl/klantenservice") not in web.requests
    assert store.harvest_status(outcome.run_id, "Telnova") == "failed"
    # without a known official set no number is called a scam, only inconclusive (a lookalike domain still is)
    telnova = [r for f in outcome.findings if f["brand"] == "Telnova" for r in f["reasons"]
               if r["rule"] == "unofficial_number"]
    assert telnova and {r["verdict"] for r in telnova} == {"inconclusive"}


def test_mobile_call_button_number_is_read_from_its_tel_link(tmp_path):
    outcome, store, _ = run_world(tmp_path, default_world_text(), ["Telnova"], devices=("mobile",))
    mobile = [s for s in store.sightings(outcome.run_id)
              if (s["device"], s["capture_kind"], s["kind"]) == ("mobile", "serp", "ad")]
    assert ("+319001234567", "call_button") in {(s["e164"], s["channel"]) for s in mobile}
    top = next(s for s in mobile if s["e164"] == "+319001234567")
    assert top["evidence_path"]  # cropped screenshot of the ad with the button highlighted
