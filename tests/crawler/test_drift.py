"""The drift alarm: ads (or numbers in ads) the engine parser did not return make the capture `drift`."""

from __future__ import annotations

import pytest

from crawler import drift
from crawler.engines import get_engine
from sandbox import DEFAULT_WORLD_PATH, SandboxWeb, load_world
from sandbox.markup import drifted

DESKTOP_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
MOBILE_UA = "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile"
PAGES = {  # a planted page with an ad that shows a number, per engine
    "google": ("https://www.google.nl/search?q=Telnova+klantenservice&hl=nl&gl=nl", "+319001234567"),
    "bing": ("https://www.bing.com/search?q=Cloudora+klantenservice&setlang=nl&cc=NL", "+319002023030"),
    "duckduckgo": ("https://duckduckgo.com/?q=Bankiva+klantenservice&kl=nl-nl", "+31854012233"),
}


def _serp(engine: str, markup: str = "current", ua: str = DESKTOP_UA) -> tuple[str, str]:
    world = load_world(DEFAULT_WORLD_PATH)
    world.engines.setdefault(engine, {})["markup"] = markup
    url = PAGES[engine][0]
    return SandboxWeb(world).respond("GET", url, {"user-agent": ua}).body.decode(), url


@pytest.mark.parametrize("engine", sorted(PAGES))
@pytest.mark.parametrize("ua", [DESKTOP_UA, MOBILE_UA], ids=["desktop", "mobile"])
def test_sandbox_pages_as_served_do_not_drift(engine, ua):
    html, url = _serp(engine, ua=ua)
    page = get_engine(engine).parse(html, url)
    d = drift.check(engine, html, page)
    assert d.ads_seen >= 1 and d.ad_labels >= 1
    assert not d.drifted and d.message == "" and drift.alarm(engine, html, page) == ""


@pytest.mark.parametrize("engine", sorted(PAGES))
@pytest.mark.parametrize("ua", [DESKTOP_UA, MOBILE_UA], ids=["desktop", "mobile"])
def test_renamed_ad_markup_rings_the_alarm(engine, ua):
    html, url = _serp(engine, "drifted", ua)
    page = get_engine(engine).parse(html, url)
    assert page.status == "ok" and not [r for r in page.results if r.kind == "ad"]  # the parser missed them
    d = drift.check(engine, html, page)
    assert d.drifted and d.ads_parsed == 0 and d.ads_seen >= 1 and d.ads_missed
    name = {"google": "Google", "bing": "Bing", "duckduckgo": "DuckDuckGo"}[engine]
    assert d.message.startswith(f"{name} markup changed? {d.ad_labels} ad label")
    assert f"{d.ad_labels} ad label{'s' if d.ad_labels > 1 else ''} found, 0 ads parsed" in d.message
    assert drift.alarm(engine, html, page) == d.message


def test_numbers_in_missed_ads_are_named(engine="google"):
    html, url = _serp(engine, "drifted")
    d = drift.check(engine, html, get_engine(engine).parse(html, url))
    assert PAGES[engine][1] in d.numbers_seen and PAGES[engine][1] in d.numbers_missed
    assert "numbers in ads not parsed: +319001234567" in d.message
    assert any("0900 1234 567" in e for e in d.evidence)


def test_an_ad_whose_number_the_parser_dropped_drifts():
    """The parser returned the ad but not the number in it: a number the audit would never see."""
    html, url = _serp("google")
    page = get_engine("google").parse(html, url)
    stripped = type(page)(engine=page.engine, status=page.status, query=page.query,
                          results=tuple(r.__class__(**{**r.__dict__, "phones": ()}) for r in page.results))
    d = drift.check("google", html, stripped)
    assert d.numbers_missed == ("+319001234567",) and d.drifted and not d.ads_missed


def test_unknown_page_with_ads_drifts_and_blocked_pages_are_left_alone():
    html, url = _serp("google", "drifted")
    unknown = get_engine("google").parse(html.replace('id="rso"', 'id="r"').replace('id="search"', 'id="s"')
                                         .replace('id="center_col"', 'id="c"'), url)
    assert unknown.status == "unknown"
    assert drift.alarm("google", html, unknown).startswith("Google markup changed?")
    captcha = type(unknown)(engine="google", status="captcha", query=None)
    assert drift.alarm("google", html, captcha) == ""


def test_labels_in_eu_languages_and_headings():
    for word in ("Gesponsord", "Advertentie", "Sponsored", "Ad", "Anzeige", "Gesponsert", "Annonce", "Sponsorisé",
                 "Patrocinado", "Sponsorizzato", "Reklama", "Sponsrad"):
        html = (f'<html><body><div id="x"><div><span>{word}</span><a href="https://www.scam-hulp.nl/">'
                f'<h3>Hulp</h3></a><p>Bel 0900 1234 567</p></div></div></body></html>')
        d = drift.check("google", html, get_engine("google").parse(html))
        assert d.ad_labels == 1 and d.ads_seen == 1 and d.drifted, word
    # a section heading alone is not an ad; nor is the word inside running text
    html = ('<html><body><h1>Ads</h1><div><p>Ad hoc advies: bel 020 123 4567</p>'
            '<a href="https://www.x.nl/"><h3>X</h3></a></div></body></html>')
    d = drift.check("google", html, get_engine("google").parse(html))
    assert d.ad_labels == 0 and not d.drifted


def test_hidden_labels_do_not_count():
    html = ('<html><body><div style="display:none"><span>Gesponsord</span><a href="https://scam.nl/">x</a></div>'
            '<template><span>Ad</span><a href="https://scam2.nl/">y</a></template></body></html>')
    assert drift.check("google", html, get_engine("google").parse(html)).ad_labels == 0


REAL = ["bing/2019-desktop-ads-2.html", "bing/2019-desktop-de-ch-top-bottom-side-ads.html",
        "bing/2021-desktop-en-coffee.html", "bing/2021-desktop-en-no-results.html",
        "duckduckgo/2019-desktop-en-ads-top-bottom-side.html", "google/2019-desktop-de-ch-ads.html",
        "google/2019-desktop-de-ch-cloud-services-call-extensions.html",
        "google/2019-desktop-de-shopping-ads-local-pack.html", "google/2023-desktop-en-com-domains.html",
        "google/2023-desktop-en-hotels-london.html", "google/2023-desktop-en-hotels.html",
        "google/2023-mobile-en-dell.html", "google/2023-mobile-en-domain.html", "google/2023-mobile-en-hotels.html"]


@pytest.mark.parametrize("name", REAL)
def test_real_pages_parsed_well_do_not_drift(name, serp_fixture):
    engine = name.split("/")[0]
    html = serp_fixture(name)
    region = "CH" if "de-ch" in name else "NL"
    page = get_engine(engine).parse(html, region=region)
    d = drift.check(engine, html, page, region)
    assert not d.drifted, d.message
    ads = [r for r in page.results if r.kind in ("ad", "shopping_ad")]
    assert (d.ads_seen > 0) == bool(ads) or "shopping" in name


def test_real_page_with_ad_markup_renamed_drifts(serp_fixture):
    html = serp_fixture("google/2023-desktop-en-com-domains.html")
    renamed = drifted("google", html)
    page = get_engine("google").parse(renamed)
    assert not [r for r in page.results if r.kind == "ad"]
    msg = drift.alarm("google", renamed, page)
    assert msg.startswith("Google markup changed? 3 ad labels found, 0 ads parsed")
