"""Older and alternative layouts: Google's 2019-2020 mobile/tablet cards and older call extensions, Bing's
location and call extensions, the old "unusual traffic" page; the number sweep and where it found each number.
The sandbox pages are served for desktop, mobile and tablet user agents alike."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from crawler import drift
from crawler.engines import bing, get_engine, google
from sandbox import DEFAULT_WORLD_PATH, SandboxWeb, load_world
from sandbox.serp_google import render_serp

UAS = {
    "desktop": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
    "mobile": "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile "
              "Safari/537.36",
    "tablet": "Mozilla/5.0 (iPad; CPU OS 16_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.0 "
              "Mobile/15E148 Safari/604.1",
}
# (engine, query) -> the advertiser and the number its top ad shows, from the default world
PLANTED = {
    ("google", "Telnova klantenservice"): ("telnova-support.nl", "+319001234567"),
    ("google", "Cloudora klantenservice"): ("cloudora-helpdesk.nl", "+31203698512"),
    ("google", "Pakketpost Express klantenservice"): ("pakketpost-service.nl", "+31628449107"),
    ("bing", "Cloudora klantenservice"): ("cloudora-hulplijn.nl", "+319002023030"),
    ("duckduckgo", "Bankiva klantenservice"): ("bankiva-hulplijn.nl", "+31854012233"),
}
URLS = {"google": "https://www.google.nl/search?q={}&hl=nl&gl=nl",
        "bing": "https://www.bing.com/search?q={}&setlang=nl&cc=NL", "duckduckgo": "https://duckduckgo.com/?q={}&kl=nl-nl"}


def _serve(engine: str, query: str, ua: str, markup: str = "current"):
    world = load_world(DEFAULT_WORLD_PATH)
    world.engines.setdefault(engine, {})["markup"] = markup
    url = URLS[engine].format(quote(query).replace("%20", "+"))
    html = SandboxWeb(world).respond("GET", url, {"user-agent": ua}).body.decode()
    return html, get_engine(engine).parse(html, url)


@pytest.mark.parametrize("device", sorted(UAS))
@pytest.mark.parametrize("engine,query,markup", [(e, q, m) for e, q in sorted(PLANTED)
                                                 for m in ("current", "2019") if m == "current" or e == "google"])
def test_planted_ads_and_numbers_on_every_device(engine, query, markup, device):
    html, page = _serve(engine, query, UAS[device], markup)
    advertiser, number = PLANTED[(engine, query)]
    ads = [r for r in page.results if r.kind == "ad" and r.placement == "top"]
    assert page.status == "ok" and ads
    ad = next(r for r in ads if r.advertiser_domain == advertiser)
    assert ad.advertiser_domain_source == "url" and ad.click_url and not ad.landing_url.startswith("/aclk")
    assert number in {p.e164 for p in ad.phones}
    assert all(p.found_in for p in ad.phones)
    assert not drift.check(engine, html, page).drifted


def _ad(title: str, landing: str, call: str | None, e164: str | None, **kw) -> dict:
    return {"placement": "top", "title": title, "display_url": landing.split("//")[1].rstrip("/"),
            "landing_url": landing, "description": "Dag en nacht bereikbaar.", "call": call, "call_e164": e164,
            "whatsapp": None, "whatsapp_e164": None, "sitelinks": [], **kw}


@pytest.mark.parametrize("mobile", [True, False], ids=["mobile-tablet", "desktop"])
def test_google_2019_cards_in_one_wrapper_are_separate_ads_with_their_own_numbers(mobile):
    page = {"query": "Telnova klantenservice", "device": "mobile" if mobile else "desktop", "markup": "2019",
            "organic": [{"title": "Telnova", "url": "https://www.telnova.nl/", "snippet": "Welkom",
                         "display_url": None}],
            "ads": [_ad("Telnova Hulp", "https://www.telnova-hulp.nl/", "0900 1234 567", "+319001234567"),
                    _ad("Telnova Storing", "https://www.telnova-storing.nl/", "020 369 8512", "+31203698512")]}
    html = render_serp(page)
    assert "data-text-ad=" not in html and ("mnr-c" in html) == mobile
    parsed = google.parse(html, "https://www.google.nl/search?q=Telnova+klantenservice")
    ads = [r for r in parsed.results if r.kind == "ad"]
    assert [(r.advertiser_domain, {p.e164 for p in r.phones}) for r in ads] == [
        ("telnova-hulp.nl", {"+319001234567"}), ("telnova-storing.nl", {"+31203698512"})]
    channel = "call_button" if mobile else "text"
    assert {p.channel for r in ads for p in r.phones} == {channel}
    assert not drift.check("google", html, parsed).drifted


def test_google_older_call_extension_through_an_ad_click_url_is_read_not_followed():
    tel_click = "/aclk?sa=l&ai=Cx&ctype=79&adurl=" + quote("tel:+319001234567", safe="")
    html = f"""<html><body><div id="tads"><ol><li class="ads-ad">
      <h3><a href="https://www.googleadservices.com/pagead/aclk?sa=L&ai=Cy&adurl=https%3A%2F%2Fwww.telnova-hulp.nl%2F">
      Telnova Hulp</a></h3><div class="ads-visurl"><span>Advertentie</span><cite>www.telnova-hulp.nl</cite></div>
      <div class="ads-creative">Dag en nacht.</div><a class="call" href="{tel_click}">Bellen</a></li></ol></div>
      <div id="rso"><div class="g"><a href="https://www.telnova.nl/"><h3>Telnova</h3></a></div></div></body></html>"""
    page = google.parse(html, "https://www.google.nl/search?q=telnova")
    ad = page.results[0]
    assert ad.kind == "ad" and ad.landing_url == "https://www.telnova-hulp.nl/"
    assert [(p.e164, p.channel, p.found_in) for p in ad.phones] == [("+319001234567", "call_button", "click_url")]


BING_LOCATION_AD = """<html><body><form><input id="sb_form_q" value="coffee hartford"></form><ol id="b_results">
<li class="b_ad"><ul><li><div class="sb_add sb_adTA"><h2><a href="https://www.bing.com/aclk?ld=e8&u=a1aHR0cHM6Ly93d3cuYmVhbnNob3AuY29tLw">
Bean Shop Hartford</a></h2><div class="b_caption"><div class="b_attribution"><cite>www.beanshop.com</cite></div>
<p><span class="b_adSlug">Ad</span>Fresh roasted coffee beans.</p>
<div class="b_factrow b_adlabel"><span>100 Pratt St, Hartford, CT</span> · <span>(860) 391-8302</span></div>
<div class="b_secondaryText"><span class="b_adcall">Call</span> 0900 202 3030</div></div></div></li></ul></li>
<li class="b_algo"><h2><a href="https://www.example.com/">Example</a></h2></li></ol></body></html>"""


def test_bing_location_and_call_extension_numbers_are_swept():
    page = bing.parse(BING_LOCATION_AD, "https://www.bing.com/search?q=coffee")
    ad = next(r for r in page.results if r.kind == "ad")
    assert ad.advertiser_domain == "beanshop.com" and ad.advertiser_domain_source == "url"
    got = {p.e164: (p.raw, p.found_in) for p in ad.phones}
    assert got["+18603918302"] == ("(860) 391-8302", "text")  # US number on an NL-region page
    assert got["+319002023030"] == ("0900 202 3030", "text")
    assert not drift.check("bing", BING_LOCATION_AD, page).drifted


def test_where_each_number_was_found():
    click = "https://www.googleadservices.com/pagead/aclk?sa=L&adurl=" + quote("https://www.telnova-hulp.nl/", safe="")
    html = f"""<html><body><div id="tads"><div data-text-ad="1"><a href="{click}">
      <div role="heading">Bel 0800 023 4567 gratis</div><span>Gesponsord</span><cite>www.telnova-hulp.nl</cite></a>
      <div>Storing? Bel 020 369 8512.</div><a href="https://www.telnova-hulp.nl/x">Of 06 41235789</a>
      <a href="tel:+319001234567">Bellen</a></div></div>
      <div id="rso"><div class="g"><a href="https://www.telnova.nl/"><h3>Telnova</h3></a></div></div></body></html>"""
    ad = google.parse(html, "https://www.google.nl/search?q=telnova").results[0]
    where = {p.e164: p.found_in for p in ad.phones}
    assert where == {"+318000234567": "title", "+31203698512": "text", "+31641235789": "link",
                     "+319001234567": "href"}


OLD_SORRY = """<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"><title>Sorry...</title>
</head><body><div style="max-width:400px;"><hr noshade size="1"><br><h1>We're sorry...</h1>
<p>... but your computer or network may be sending automated queries. To protect our users, we can't process your
request right now.</p></div><div>See <a href="https://support.google.com/websearch/answer/86640">Google Help</a> for
more information.</div><br><hr noshade size="1"><div style="font-size:10pt">&copy; Google</div></body></html>"""
OLD_UNUSUAL = """<html><head><title>https://www.google.nl/search?q=telnova</title></head><body>
<div><h1>Sorry...</h1><p>Our systems have detected unusual traffic from your computer network. Please try your
request again later. <a href="https://support.google.com/websearch/answer/86640">Why did this happen?</a></p>
<p>IP address: 198.51.100.23<br>Time: 2019-06-01T03:00:00Z<br>URL: https://www.google.nl/search?q=telnova</p>
</div></body></html>"""


@pytest.mark.parametrize("html", [OLD_SORRY, OLD_UNUSUAL], ids=["we-are-sorry", "unusual-traffic"])
@pytest.mark.parametrize("url", [None, "https://www.google.nl/sorry/index?continue=x", "https://www.google.nl/search?q=x"])
def test_old_unusual_traffic_pages_without_a_captcha_widget_are_blocked(html, url):
    assert google.classify(html, url) == "blocked"
    page = google.parse(html, url)
    assert page.status == "blocked" and page.results == ()


def test_the_recaptcha_page_stays_a_captcha(serp_fixture):
    assert google.classify(serp_fixture("google/2023-blocked-recaptcha.html")) == "captcha"
