"""Hostile landing pages planted in the sandbox web, visited by a real Chromium.

None may be stored as an audited page without its number, and a night holding one is
``incomplete`` with the reason.  Ad click URLs are never requested.
"""

from __future__ import annotations

import json

import pytest

from audits.evidence_files import read_evidence, read_page
from tests.support.sandbox_runs import default_world_text, run_world, skip_without_chromium

pytestmark = pytest.mark.browser

CLICK = "https://www.googleadservices.com/pagead/aclk?sa=L&ai=DChcSE&adurl=https://www.vitalux.nl/"
HOSTILE = f"""
[[brands]]
name = "Vitalux"
domains = ["vitalux.nl"]
contact_pages = ["https://www.vitalux.nl/contact"]

[[sites]]
host = "www.vitalux.nl"
  [[sites.pages]]
  path = "/contact"
  title = "Contact | Vitalux"
  body = "<h1>Contact</h1><p>Bel 0800 555 1234.</p>"
  [[sites.pages]]
  path = "/go"
  title = "Vitalux"
  redirect = {{ status = 302, location = "https://www.snel-geholpen.nl/" }}
  [[sites.pages]]
  path = "/"
  title = "Vitalux"
  body = "<h1>Vitalux</h1><p>Fax 0800 555 9999.</p>"

[[sites]]
host = "www.vitalux-stil.nl"
  [[sites.pages]]
  path = "/"
  title = "Vitalux hulp"
  body = \"\"\"<h1>Vitalux hulp</h1><p id="n">Stuur ons een bericht.</p>
<script>
const watched = navigator.webdriver || Object.getOwnPropertyNames(window).some(k => /serpaudit|playwright|__/i.test(k));
if (!watched) document.getElementById("n").textContent = "Bel 0900 666 7788.";
</script>\"\"\"

[[sites]]
host = "www.vitalux-vals.nl"
  [[sites.pages]]
  path = "/"
  title = "Vitalux service"
  body = \"\"\"<h1>Vitalux service</h1><p>Bel 0900 777 8899.</p>
<script>
const forged = "<html><body><p>Niets aan de hand.</p></body></html>";
for (const k of Object.getOwnPropertyNames(window).filter(k => /snapshot|serpaudit|binding/i.test(k))) {{
  const real = window[k];
  window[k] = function () {{ return real.call(this, forged); }};
}}
Object.defineProperty(Element.prototype, "outerHTML", {{ get() {{ return forged; }} }});
setTimeout(() => {{ location.href = "{CLICK}"; }}, 300);
</script>\"\"\"

[[sites]]
host = "www.snel-geholpen.nl"
  [[sites.pages]]
  path = "/"
  title = "Klantenservice"
  body = "<h1>Klantenservice</h1><p>Bel 0900 999 1122.</p>"

[[sites]]
host = "www.vitalux-jump.nl"
  [[sites.pages]]
  path = "/"
  title = "Vitalux hulp"
  body = \"\"\"<h1>Vitalux hulp</h1><p>Bel 0900 111 2233.</p>
<script>location.href = "{CLICK}";</script>\"\"\"

[[sites]]
host = "www.vitalux-refresh.nl"
  [[sites.pages]]
  path = "/"
  title = "Vitalux service"
  body = \"\"\"<meta http-equiv="refresh" content="0;url={CLICK}"><h1>Vitalux service</h1>
<p>Bel 0900 222 3344.</p>\"\"\"

[[sites]]
host = "www.vitalux-kapot.nl"
  [[sites.pages]]
  path = "/"
  title = "Vitalux"
  status = 500
  body = "<h1>Vitalux</h1><p>Bel 0900 333 4455.</p>"

[[sites]]
host = "www.vitalux-lang.nl"
  [[sites.pages]]
  path = "/"
  title = "Vitalux lang"
  body = \"\"\"<h1>Vitalux</h1><div style="height:120000px">scroll</div><p>Bel 0900 444 5566.</p>\"\"\"

[[sites]]
host = "www.vitalux-via.nl"
  [[sites.pages]]
  path = "/"
  title = "Vitalux via"
  redirect = {{ status = 302, location = "https://www.vitalux-eind.nl/" }}

[[sites]]
host = "www.vitalux-eind.nl"
  [[sites.pages]]
  path = "/"
  title = "Vitalux eind"
  body = "<h1>Vitalux</h1><p>Bel 0900 555 6677.</p>"

[[serps]]
engine = "google"
query = "Vitalux klantenservice"
  [[serps.ads]]
  title = "Vitalux Klantenservice"
  landing_url = "https://www.vitalux-jump.nl/"
  call = "0900 111 2233"
  [[serps.ads]]
  title = "Vitalux Klantenservice"
  landing_url = "https://www.vitalux-refresh.nl/"
  call = "0900 222 3344"
  [[serps.ads]]
  title = "Vitalux Klantenservice"
  landing_url = "https://www.vitalux-kapot.nl/"
  [[serps.ads]]
  placement = "bottom"
  title = "Vitalux Hulplijn"
  landing_url = "https://www.vitalux-lang.nl/"
  [[serps.ads]]
  placement = "bottom"
  title = "Vitalux Hulp"
  landing_url = "https://www.vitalux-via.nl/"
  [[serps.ads]]
  placement = "bottom"
  title = "Vitalux Stil"
  landing_url = "https://www.vitalux-stil.nl/"
  [[serps.ads]]
  placement = "bottom"
  title = "Vitalux Vals"
  landing_url = "https://www.vitalux-vals.nl/"
  [[serps.ads]]
  placement = "bottom"
  title = "Vitalux Officieel"
  display_url = "www.vitalux.nl"
  landing_url = "https://www.vitalux.nl/go"
  [[serps.ads]]
  placement = "bottom"
  title = "Vitalux Thuis"
  display_url = "www.vitalux.nl"
  landing_url = "https://www.vitalux.nl/"
"""


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    skip_without_chromium()
    tmp = tmp_path_factory.mktemp("hostile")
    outcome, store, web = run_world(tmp, default_world_text() + HOSTILE, ["Vitalux"])
    landings = {json.loads(c["redirect_chain"])[0]: c for c in store.captures(outcome.run_id)
                if c["kind"] == "landing"}
    return outcome, store, web, landings


def test_no_click_url_is_ever_requested(night):
    _, _, web, _ = night
    assert web.click_url_requests() == []


def test_a_jump_to_an_ad_click_url_is_refused_and_the_page_before_it_read(night):
    outcome, store, _, landings = night
    for host, number in (("vitalux-jump", "+319001112233"), ("vitalux-refresh", "+319002223344")):
        cap = landings[f"https://www.{host}.nl/"]
        assert cap["status"] == "refused"
        assert json.loads(cap["refused"])[0].startswith("https://www.googleadservices.com/pagead/aclk")
        assert "ad click URL" in cap["error"] and number in cap["error"]
        seen = {s["e164"] for s in store.sightings(outcome.run_id) if s["capture_id"] == cap["id"]}
        assert number in seen  # read from the DOM as it stood before the jump
        assert "Bel 0900" in read_page(cap["html_path"])  # the page kept as evidence is the one before the jump


def test_an_http_500_landing_page_is_not_audited_with_its_reason(night):
    _, _, _, landings = night
    cap = landings["https://www.vitalux-kapot.nl/"]
    assert (cap["status"], cap["http_status"], cap["error"]) == ("error", 500, "HTTP 500")


def test_a_very_tall_page_is_audited_with_its_screenshot_clipped(night):
    outcome, _, _, landings = night
    cap = landings["https://www.vitalux-lang.nl/"]
    assert cap["status"] == "ok" and "screenshot clipped" in cap["notes"]
    assert "+319004445566" in {f["e164"] for f in outcome.scams}  # the number below 120,000 px is read


def test_a_redirect_chain_is_recorded_with_the_final_url(night):
    outcome, _, _, landings = night
    cap = landings["https://www.vitalux-via.nl/"]
    assert cap["status"] == "ok" and cap["http_status"] == 200
    assert json.loads(cap["redirect_chain"]) == ["https://www.vitalux-via.nl/", "https://www.vitalux-eind.nl/"]
    assert cap["final_url"] == "https://www.vitalux-eind.nl/"
    assert "+319005556677" in {f["e164"] for f in outcome.scams}


def test_no_page_without_its_number_counts_as_audited_and_the_night_is_incomplete(night):
    outcome, store, _, landings = night
    for cap in landings.values():
        if cap["status"] == "ok" and "brand's own page" not in (cap["notes"] or ""):  # not read, by design
            assert cap["result_count"] == 1
            assert any(s["capture_id"] == cap["id"] for s in store.sightings(outcome.run_id))
    reasons = {c["error"] for c in outcome.not_audited}
    assert "HTTP 500" in reasons and any("ad click URL" in (r or "") for r in reasons)
    assert store.run(outcome.run_id)["status"] == "incomplete"


def test_results_with_identical_titles_each_keep_their_crop(night):
    outcome, store, _, _ = night
    ads = [r for r in store.results(outcome.run_id) if (r["device"], r["capture_kind"]) == ("desktop", "serp")
           and r["kind"] == "ad" and r["title"] == "Vitalux Klantenservice"]
    with_number = [r for r in ads if r["landing_url"] != "https://www.vitalux-kapot.nl/"]
    assert len(with_number) == 2 and all(r["evidence_path"] for r in with_number)
    boxes = [json.loads(r["box"]) for r in ads]
    assert len({b[1] for b in boxes}) == len(ads)  # three blocks at three positions, not one



def test_an_open_redirect_on_the_brands_own_domain_is_followed_and_judged_by_where_it_leads(night):
    outcome, store, _, landings = night
    cap = landings["https://www.vitalux.nl/go"]
    assert cap["status"] == "ok" and cap["final_url"] == "https://www.snel-geholpen.nl/"
    assert json.loads(cap["redirect_chain"]) == ["https://www.vitalux.nl/go", "https://www.snel-geholpen.nl/"]
    [finding] = [f for f in outcome.scams if f["e164"] == "+319009991122"]
    assert (finding["rule"], finding["verdict"], finding["severity"]) == ("unofficial_number", "scam", "high")
    assert finding["advertiser_domain"] == "snel-geholpen.nl"
    ad = [r for r in store.results(outcome.run_id) if r["landing_url"] == "https://www.vitalux.nl/go"
          and r["capture_kind"] == "serp"]
    assert ad and all((r["advertiser_domain"], r["advertiser_domain_source"]) == ("snel-geholpen.nl", "redirect")
                      for r in ad)


def test_the_brands_own_ad_that_stays_on_its_domain_is_visited_but_its_page_not_read(night):
    outcome, store, _, landings = night
    cap = landings["https://www.vitalux.nl/"]
    assert cap["status"] == "ok" and "brand's own page" in cap["notes"]
    assert not [s for s in store.sightings(outcome.run_id) if s["capture_id"] == cap["id"]]
    assert "+318005559999" not in {f["e164"] for f in outcome.findings}


def test_a_page_that_shows_its_number_only_to_people_shows_it_to_us(night):
    """navigator.webdriver is false and nothing of ours is on the page's window."""
    outcome, _, _, landings = night
    assert landings["https://www.vitalux-stil.nl/"]["status"] == "ok"
    assert "+319006667788" in {f["e164"] for f in outcome.scams}


def test_a_page_cannot_hand_over_a_forged_document_before_it_jumps(night):
    """Evidence is the browser's serialisation of the DOM (CDP), not what a page's own JavaScript returns."""
    import hashlib

    outcome, store, _, landings = night
    cap = landings["https://www.vitalux-vals.nl/"]
    assert cap["status"] == "refused" and "+319007778899" in cap["error"]
    stored = read_evidence(cap["html_path"])  # stored gzipped, its sha256 over the page as served
    assert b"Bel 0900 777 8899" in stored and b"Niets aan de hand" not in stored.split(b"<script>")[0]
    assert hashlib.sha256(stored).hexdigest() == cap["html_sha256"]
    assert "+319007778899" in {s["e164"] for s in store.sightings(outcome.run_id) if s["capture_id"] == cap["id"]}
