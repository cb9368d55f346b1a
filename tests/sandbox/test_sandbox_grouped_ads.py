"""Sandbox Google serves the grouped sponsored layout ([engines.google] markup = "grouped"), and the parser
reads its groups at the top and at the bottom as ads (pure: SandboxWeb.respond, no browser)."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from crawler.drift import check
from crawler.engines import google
from sandbox.web import SandboxWeb
from sandbox.world import DEFAULT_WORLD_PATH, load_world
from tests.support.sandbox_runs import run_world, skip_without_chromium

DESKTOP = {"user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"}
MOBILE = {"user-agent": "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36"}
QUERY = "Telnova storing"
URL = "https://www.google.nl/search?q=Telnova+storing&hl=nl&gl=nl"


def grouped_world_text(query: str = QUERY, device: str | None = None, top: int = 5, bottom: int = 2) -> str:
    """The default world in the grouped layout, with ``top`` + ``bottom`` ads planted for ``query``."""
    text = DEFAULT_WORLD_PATH.read_text(encoding="utf-8").replace(
        "consent_wall = false", 'consent_wall = false\nmarkup = "grouped"', 1)
    hosts = ["www.telnova-support.nl", "www.te1nova.nl", "www.cloudora-helpdesk.nl", "www.bankiva-hulplijn.nl",
             "www.pakketpost-service.nl", "www.energiq-storingsdienst.nl", "www.zorgvragen-hulp.nl"]
    plant = f'\n[[serps]]\nengine = "google"\nquery = "{query}"\n' + (f'device = "{device}"\n' if device else "")
    for i in range(top + bottom):
        plant += (f'  [[serps.ads]]\n  placement = "{"top" if i < top else "bottom"}"\n  title = "Storing {i}"\n'
                  f'  landing_url = "https://{hosts[i]}/"\n  call = "0900 123 45{i:02d}"\n')
    return text + plant


def _web(tmp_path: Path, **kw) -> SandboxWeb:
    (tmp_path / "w.toml").write_text(grouped_world_text(**kw), encoding="utf-8")
    return SandboxWeb(load_world(tmp_path / "w.toml"))


def test_the_grouped_page_has_groups_of_four_at_most_and_no_label_on_an_ad(tmp_path):
    html = _web(tmp_path).respond("GET", URL, DESKTOP).text
    soup = BeautifulSoup(html, "lxml")
    groups = soup.select('[role=region][aria-label="Gesponsorde resultaten"]')
    assert [len(g.select("[data-text-ad]")) for g in groups] == [4, 1, 2]
    assert all(g.select_one("button").get_text() == "Gesponsorde resultaten verbergen" for g in groups)
    assert "Gesponsord</span>" not in html  # the label is on the group only
    assert groups[-1].find_parent(id="rso") is not None  # the bottom group sits among the organic results


def test_the_parser_reads_the_groups_as_top_and_bottom_ads_on_both_devices(tmp_path):
    web = _web(tmp_path)
    for headers in (DESKTOP, MOBILE):
        html = web.respond("GET", URL, headers).text
        page = google.parse(html, URL, region="NL")
        ads = [(r.placement, r.rank, r.title, r.phones[0].e164 if r.phones else None)
               for r in page.results if r.kind == "ad"]
        if headers is DESKTOP:  # the desktop card writes the call extension; the mobile one is a tel: button
            assert [a[3] for a in ads] == [f"+3190012345{i:02d}" for i in range(7)]
        assert [a[:3] for a in ads] == [("top", i + 1, f"Storing {i}") for i in range(5)] + [
            ("bottom", 1, "Storing 5"), ("bottom", 2, "Storing 6")]
        assert [r.kind for r in page.results].count("organic") == 2  # the brand's home and contact pages
        assert not check("google", html, page).drifted


@pytest.mark.browser
def test_a_night_in_chromium_reads_both_groups_and_flags_their_numbers(tmp_path):
    skip_without_chromium()
    text = grouped_world_text(query="Telnova klantenservice", device="desktop", top=2, bottom=2)
    outcome, store, web = run_world(tmp_path, text, ["Telnova"])
    ads = {(s["placement"], s["rank"], s["e164"]) for s in store.sightings(outcome.run_id)
           if s["kind"] == "ad" and s["capture_kind"] == "serp"}  # not the landing pages
    assert ads == {("top", 1, "+319001234500"), ("top", 2, "+319001234501"),
                   ("bottom", 1, "+319001234502"), ("bottom", 2, "+319001234503")}
    # each ad is one case holding every number it showed (its landing page's number may lead the case)
    assert {f"+3190012345{i:02d}" for i in range(4)} <= {n for f in outcome.scams for n in f["numbers"]}
    assert len(outcome.scams) == 4  # one case per ad
    # no drift: the groups are read
    assert {c["status"] for c in store.captures(outcome.run_id, kind="serp")} == {"ok"}
    assert web.click_url_requests() == []
