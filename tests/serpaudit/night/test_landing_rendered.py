"""Landing pages that write their number where an HTML parse does not find it, visited by a real Chromium.

What a person sees on the page is what counts: each number below is read from the page the browser laid out
(crawler.rendered_text), beside the HTML, and the junk digits a person does not see spoil none of them.
"""

from __future__ import annotations

import json

import pytest

from tests.support.sandbox_runs import default_world_text, run_world, skip_without_chromium

pytestmark = pytest.mark.browser

# host -> (the page's body, the number a person sees on it)
PAGES = {
    "before": ('<style>.n::before { content: "Bel 0900 444 "; }</style><h1>Hulp</h1><p class="n">1001</p>',
               "+319004441001"),
    "after": ('<style>.n::after { content: "0900 444 1002"; }</style><h1>Hulp</h1><p class="n">Bel </p>',
              "+319004441002"),
    "junk": ('<style>.j { font-size: 0; }</style><h1>Hulp</h1>'
             '<p>Bel 0900 <span class="j">7</span>444<span class="j">97</span> 10<span class="j">5</span>03</p>',
             "+319004441003"),
    "input": ('<h1>Hulp</h1><label>Ons nummer <input readonly value="0900 444 1004"></label>', "+319004441004"),
    "svg": ('<h1>Hulp</h1><svg width="300" height="30"><text x="0" y="20">Bel 0900 444 1005</text></svg>',
            "+319004441005"),
    "shadow-open": ('<h1>Hulp</h1><div id="h"></div><script>document.getElementById("h")'
                    '.attachShadow({mode: "open"}).innerHTML = "<p>Bel 0900 444 1006</p>";</script>',
                    "+319004441006"),
    "shadow-closed": ('<h1>Hulp</h1><div id="h"></div><script>document.getElementById("h")'
                      '.attachShadow({mode: "closed"}).innerHTML = "<p>Bel 0900 444 1007</p>";</script>',
                      "+319004441007"),
    "frame": ('<h1>Hulp</h1><iframe srcdoc="<p>Bel 0900 444 1008</p>"></iframe>', "+319004441008"),
    "late": ('<h1>Hulp</h1><p id="n">Even geduld.</p><script>setTimeout(() => {'
             ' document.getElementById("n").textContent = "Bel 0900 444 1009"; }, 1500);</script>',
             "+319004441009"),
}
JUNK = ("+319007444971003", "+31900744497", "+319004449710503")  # what reading the junk digits too would give


def _world() -> str:
    sites = "".join(f'''
[[sites]]
host = "www.fotonix-{host}.nl"
  [[sites.pages]]
  path = "/"
  title = "Fotonix hulp"
  body = {json.dumps(body)}
''' for host, (body, _) in PAGES.items())
    ads = "".join(f'''
  [[serps.ads]]
  placement = "{'top' if i < 4 else 'bottom'}"
  title = "Fotonix Klantenservice {i}"
  landing_url = "https://www.fotonix-{host}.nl/"
''' for i, host in enumerate(PAGES))
    return f'''
[[brands]]
name = "Fotonix"
domains = ["fotonix.nl"]
contact_pages = ["https://www.fotonix.nl/contact"]

[[sites]]
host = "www.fotonix.nl"
  [[sites.pages]]
  path = "/contact"
  title = "Contact | Fotonix"
  body = "<h1>Contact</h1><p>Bel 0800 444 1000.</p>"
{sites}
[[serps]]
engine = "google"
query = "Fotonix klantenservice"
{ads}'''


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    skip_without_chromium()
    tmp = tmp_path_factory.mktemp("rendered")
    outcome, store, _ = run_world(tmp, default_world_text() + _world(), ["Fotonix"])
    landings = {json.loads(c["redirect_chain"])[0]: c for c in store.captures(outcome.run_id)
                if c["kind"] == "landing"}
    return outcome, store, landings


@pytest.mark.parametrize("host", list(PAGES))
def test_the_number_a_person_sees_is_read(night, host):
    outcome, store, landings = night
    cap = landings[f"https://www.fotonix-{host}.nl/"]
    number = PAGES[host][1]
    assert cap["status"] == "ok", cap["error"]
    assert number in {s["e164"] for s in store.sightings(outcome.run_id) if s["capture_id"] == cap["id"]}
    assert number in {f["e164"] for f in outcome.scams}


def test_the_ones_the_html_does_not_show_are_noted(night):
    _, _, landings = night
    for host in ("before", "input", "svg", "shadow-open", "frame"):
        cap = landings[f"https://www.fotonix-{host}.nl/"]
        assert "read from the rendered page only" in (cap["notes"] or "") and PAGES[host][1] in cap["notes"]


def test_junk_digits_a_person_does_not_see_make_no_finding(night):
    outcome, _, _ = night
    assert not {f["e164"] for f in outcome.findings} & set(JUNK)

