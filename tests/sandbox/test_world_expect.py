"""World expectations about AI answers ([[expect_answer]], [[expect_campaign]]), a page's own markup variant,
and PDF pages, as the default world uses them."""

from __future__ import annotations

import tomllib

import pytest

from crawler.engines import google
from crawler.pdf_text import pdf_text
from sandbox import SandboxWeb
from sandbox.world import DEFAULT_WORLD_PATH, WorldError, load_world, parse_world

BASE = """
[world]
name = "t"
nights = 2
[[brands]]
name = "Telnova"
domains = ["telnova.nl"]
[[brands]]
name = "Bankiva"
domains = ["bankiva.nl"]
[[sites]]
host = "www.telnova.nl"
  [[sites.pages]]
  path = "/"
  title = "Telnova"
[[sites]]
host = "www.bankiva.nl"
  [[sites.pages]]
  path = "/"
  title = "Bankiva"
"""


def _parse(extra: str):
    return parse_world(tomllib.loads(BASE + extra), "t.toml")


def test_answer_and_campaign_expectations_are_read_per_night():
    world = _parse("""
[[expect_answer]]
engine = "google"
query = "Telnova klantenservice"
state = "unfinished"
nights = [2]
[[expect_campaign]]
number = "0900 3322 110"
brands = ["Telnova", "Bankiva"]
""")
    assert world.night(1).expected_answers == [] and world.night(2).expected_answers[0]["state"] == "unfinished"
    assert world.night(1).expected_campaigns[0]["e164"] == "+319003322110"


@pytest.mark.parametrize(("extra", "message"), [
    ('[[expect_answer]]\nengine = "google"\nquery = "q"\nstate = "gone"', "expect_answer[0].state: must be one of"),
    ('[[expect_campaign]]\nnumber = "0900 3322 110"\nbrands = ["Telnova"]', "at least two brands"),
    ('[[expect_campaign]]\nnumber = "0900 3322 110"\nbrands = ["Telnova", "Nobody"]',
     "expect_campaign[0].brands[1]: 'Nobody' is not a brand"),
    ('[[serps]]\nengine = "google"\nquery = "q"\nmarkup = "drifted"', "serps[0].markup: must be one of"),
])  # fmt: skip
def test_bad_expectations_name_the_field(extra, message):
    with pytest.raises(WorldError) as err:
        _parse(extra)
    assert message in str(err.value) and "t.toml" in str(err.value)


def test_the_default_world_plants_grouped_ads_on_one_page_and_a_pdf_an_answer_cites():
    world = load_world(DEFAULT_WORLD_PATH)
    web = SandboxWeb(world)
    url = "https://www.google.nl/search?q=Cloudora+klantenservice&hl=nl&gl=nl"
    html = web.respond("GET", url, {"user-agent": "Mozilla/5.0 X11"}).body.decode()
    assert html.count("Gesponsorde resultaten verbergen") == 2  # a group at the top and one at the bottom
    ads = [(r.placement, r.rank) for r in google.parse(html, url).results if r.kind == "ad"]
    assert ads == [("top", 1), ("bottom", 1)]
    other = web.respond("GET", "https://www.google.nl/search?q=Telnova+klantenservice", {}).body.decode()
    assert "Gesponsorde resultaten" not in other  # the engine's own markup everywhere else
    pdf = web.respond("GET", "https://www.docdeel.nl/d/verzekerlijk-klantenservice.pdf", {})
    assert pdf.headers["content-type"] == "application/pdf" and "0900 4411 228" in pdf_text(pdf.body).text
