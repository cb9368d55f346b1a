"""crawler.engines.bing on the real saved Bing pages and on small Dutch snippets.

What each assertion checks was read off the page as a person sees it (rendered with
Chromium, 1280 px wide): ads above the results, ads below them, ads in the right rail,
organic results, the local pack and the knowledge panel.  None of the saved Bing pages
shows a phone number (checked for NL, CH, DE, ES and US numbers over the whole page),
so on them every result must come back without numbers.
"""

from __future__ import annotations

import base64
import socket
from urllib.parse import parse_qs, urlsplit

import pytest

from crawler.engines import _common, bing, get_engine
from crawler.models import SerpPage
from tests.support.serp_results import numbers, of

B = "bing/"
_CACHE: dict[str, SerpPage] = {}


@pytest.fixture()
def page(serp_fixture):
    def load(name: str) -> SerpPage:
        if name not in _CACHE:
            _CACHE[name] = bing.parse(serp_fixture(B + name))
        return _CACHE[name]

    return load


def aclk(landing: str, ld: str = "e8abc") -> str:
    """A 2021+ Bing ad click URL: u= is "a1" + urlsafe base64 of the landing URL, unpadded."""
    u = "a1" + base64.urlsafe_b64encode(landing.encode()).decode().rstrip("=")
    return f"https://www.bing.com/aclk?ld={ld}&u={u}&rlid=r1&ntb=1"


# --- module contract -----------------------------------------------------------------------------------


def test_registry_and_name():
    assert get_engine("bing") is bing
    assert bing.NAME == "bing"


def test_search_url():
    url = bing.search_url("ziggo klantenservice")
    parts = urlsplit(url)
    assert (parts.scheme, parts.hostname, parts.path) == ("https", "www.bing.com", "/search")
    qs = parse_qs(parts.query)
    assert qs == {"q": ["ziggo klantenservice"], "setlang": ["nl"], "cc": ["NL"]}
    assert url == "https://www.bing.com/search?q=ziggo+klantenservice&setlang=nl&cc=NL"
    assert parse_qs(urlsplit(bing.search_url("x", language="de", region="ch")).query) == {
        "q": ["x"], "setlang": ["de"], "cc": ["CH"]}
    assert bing.search_url("x", device="mobile") == bing.search_url("x")


def test_consent_reject_selectors():
    sel = bing.CONSENT_REJECT_SELECTORS
    assert sel[0] == "#bnp_btn_reject"
    assert 'button:has-text("Weigeren")' in sel and 'button:has-text("Reject")' in sel


# --- decoding the click URL ----------------------------------------------------------------------------


def test_decode_u_both_generations():
    # 2021+: "a1" + urlsafe base64 without padding
    assert _common.decode_bing_u("a1aHR0cHM6Ly93d3cuemlnZ28ubmwva2xhbnRlbnNlcnZpY2U") == \
        "https://www.ziggo.nl/klantenservice"
    # 2019: plain base64 of the percent-encoded URL (from 2019-desktop-de-ch-top-bottom-side-ads.html)
    assert _common.decode_bing_u("aHR0cHMlM2ElMmYlMmZkZS5hc2suY29tJTJmYXIlM2ZxJTNka2FmZmVlbWFzY2hpbmUlMj"
                                 "UyMGthdWZlbiUyNm8lM2Q3NTgxMzQlMjZyY2glM2RpbnRsOTUy") == \
        "https://de.ask.com/ar?q=kaffeemaschine%20kaufen&o=758134&rch=intl952"
    assert _common.decode_bing_u("a1!!!notbase64") is None
    assert _common.decode_bing_u("a1" + base64.urlsafe_b64encode(b"javascript:alert(1)").decode()) is None
    assert _common.landing_of("https://www.bing.com/aclk?ld=e8x") is None  # target not in the page
    assert _common.landing_of("/aclk?ld=e8&u=" + aclk("https://x.nl/").split("u=")[1]) == "https://x.nl/"


# --- status --------------------------------------------------------------------------------------------


def test_no_results_page_is_empty(serp_fixture):
    html = serp_fixture(B + "2021-desktop-en-no-results.html")
    assert bing.classify(html) == "empty"
    p = bing.parse(html)
    assert p.status == "empty" and p.results == ()
    assert p.query == "sfl234dsf14sfj323JJJJJfa345fdf45"


def test_dutch_no_results_is_empty():
    html = """<html lang="nl"><body><form id="sb_form"><input id="sb_form_q" name="q" value="xqzv"></form>
    <ol id="b_results"><li class="b_no"><h1>Er zijn geen resultaten voor <strong>xqzv</strong></h1>
    <ul><li>Controleer de spelling of probeer andere trefwoorden</li></ul></li></ol></body></html>"""
    p = bing.parse(html)
    assert (p.status, p.query, p.results) == ("empty", "xqzv", ())
    assert bing.classify("<html><body><p>Er zijn geen resultaten voor <b>x</b></p></body></html>") == "empty"


def test_captcha_pages():
    challenge = """<html><head><title>Bing</title></head><body><div id="b_captcha">
    <h1>One last step</h1><p>Please solve the challenge below to continue</p>
    <div class="cf-turnstile"></div></body></html>"""
    assert bing.classify(challenge) == "captcha"
    nl = "<html><body><h1>Nog één stap</h1><p>Controleer of je een mens bent.</p></body></html>"
    assert bing.classify(nl) == "captcha"
    assert bing.classify("<html><body><h1>Verify you are human</h1></body></html>") == "captcha"
    assert bing.classify("<html><body></body></html>", "https://www.bing.com/turing/captcha/challenge") == "captcha"
    p = bing.parse(nl, "https://www.bing.com/search?q=ziggo+klantenservice")
    assert p.status == "captcha" and p.results == () and p.query == "ziggo klantenservice"


def test_consent_wall_blocked_unknown():
    wall = """<html><body><div id="bnp_container"><div class="bnp_cookie_banner">Wij gebruiken cookies
    <button id="bnp_btn_accept">Accepteren</button><button id="bnp_btn_reject">Weigeren</button></div>
    </div></body></html>"""
    assert bing.classify(wall) == "consent"
    assert bing.classify("<html><body><h1>Access Denied</h1></body></html>") == "blocked"
    assert bing.classify("<html><body><h1>429 Too Many Requests</h1></body></html>") == "blocked"
    # A page we cannot read is "unknown", never an "ok" page without ads.
    changed = """<html><body><form><input id="sb_form_q" name="q" value="ziggo"></form><main id="b_new">
    <div class="result"><a href="https://www.ziggo.nl/">Ziggo</a></div></main></body></html>"""
    p = bing.parse(changed)
    assert (p.status, p.query, p.results) == ("unknown", "ziggo", ())


def test_cookie_banner_over_results_is_ok():
    html = ('<html><body><div id="bnp_container"><button id="bnp_btn_reject">Weigeren</button></div>'
            '<ol id="b_results"><li class="b_algo"><h2><a href="https://a.nl/">A</a></h2></li></ol></body></html>')
    assert bing.classify(html) == "ok"


# --- 2019-desktop-de-ch-top-bottom-side-ads.html: 4 top, 6 organic, 3 bottom, 5 right-rail ads --------


def test_de_ch_placements_and_order(page):
    p = page("2019-desktop-de-ch-top-bottom-side-ads.html")
    assert p.status == "ok" and p.query == "kaffeemaschine kaufen" and p.engine == "bing"
    assert [(r.kind, r.placement, r.rank) for r in p.results] == (
        [("ad", "top", i) for i in range(1, 5)] + [("organic", "main", i) for i in range(1, 7)]
        + [("ad", "bottom", i) for i in range(1, 4)] + [("ad", "side", i) for i in range(1, 6)]
    )


def test_de_ch_top_ads(page):
    top = of(page("2019-desktop-de-ch-top-bottom-side-ads.html"), "ad", "top")
    assert [(r.title, r.display_url, r.domain) for r in top] == [
        ("Alternative zu Mespresso - Kapselmaschine kaufen ab 9 Fr", "https://www.beanarella.ch", "beanarella.ch"),
        ("Kaffeemaschine bestellen - Kostenlos 3 Angebote erhalten", "https://www.gryps.ch/kaffeemaschine",
         "gryps.ch"),
        ("Kaffee Partner Kaffeeautomaten - Für den perfekten Service",
         "https://www.kaffee-partner.ch/kaffeeautomat", "kaffee-partner.ch"),
        ("Kaffeemaschinen kaufen - Top-Qualität", "http://www.schaefer-shop.ch/Kaffeemaschinen/Shop",
         "schaefer-shop.ch"),
    ]
    # landing URLs: base64 in aclick u= (2019: base64 of the percent-encoded URL)
    assert top[0].landing_url == "https://www.beanarella.ch/de/kaffeemaschinen/kapselmaschinen/spezial"
    assert top[1].landing_url.startswith(
        "https://www.gryps.ch/produkte/kaffeemaschinen-71/?msclkid=3876dedb21b612acb32b838a498950d7&utm_source=bing")
    assert top[2].landing_url.startswith("https://www.kaffee-partner.ch/de-CH/infos-anfordern.html?ctc=")
    assert top[3].landing_url.startswith("http://www.schaefer-shop.ch/kategorie/3232?cc=A002000")
    for r in top:
        assert r.click_url.startswith("https://www.bing.com/aclick?ld=")
        assert "u=" in r.click_url
        assert r.text.startswith(r.title) and "\nAd " in r.text
        assert r.phones == ()
    assert "Kaffeemaschine Candi - CHF 69.00" in top[0].text  # the ad's product extension


def test_de_ch_bottom_ads_repeat_first_three_top_ads(page):
    p = page("2019-desktop-de-ch-top-bottom-side-ads.html")
    top, bottom = of(p, "ad", "top"), of(p, "ad", "bottom")
    assert [r.domain for r in bottom] == ["beanarella.ch", "gryps.ch", "kaffee-partner.ch"]
    assert [(r.title, r.landing_url) for r in bottom] == [(r.title, r.landing_url) for r in top[:3]]


def test_de_ch_side_ads(page):
    side = of(page("2019-desktop-de-ch-top-bottom-side-ads.html"), "ad", "side")
    assert [(r.rank, r.domain) for r in side] == [
        (1, "zapmeta.ch"), (2, "pronto.com"), (3, "internetcorkboard.com"), (4, "ask.com"), (5, "visymo.com")]
    assert side[0].title == "Kaffeemaschinen Kaufen - Such Kaffeemaschinen Kaufen"
    assert side[0].display_url == "https://www.zapmeta.ch/Kaffeemaschinen Kaufen/Jetzt"
    assert side[0].landing_url == ("https://www.zapmeta.ch/ws?q=kaffeemaschinen%20kaufen&asid=zm_ch_ba_2_cg3_05"
                                   "&de=c&ac=286&msclkid=08ab1c5f3d9711868c69410e55a814bf")
    assert side[3].landing_url == "https://de.ask.com/ar?q=kaffeemaschine%20kaufen&o=758134&rch=intl952"
    assert side[4].landing_url == "https://search.visymo.com/ws?q=kaffemaschine%20kaufen&asid=vis_ch_ba_gc1_5&de=c"
    assert all(r.phones == () for r in side)


def test_de_ch_organic(page):
    organic = of(page("2019-desktop-de-ch-top-bottom-side-ads.html"), "organic")
    assert [r.domain for r in organic] == [
        "fust.ch", "mediamarkt.ch", "melectronics.ch", "jura.com", "amazon.de", "ricardo.ch"]
    first = organic[0]
    assert first.title == "Kaffeemaschinen und Teemaschinen - Günstig …"
    assert first.landing_url == "https://www.fust.ch/de/r/kuechengeraete/kaffeemaschinen-und-teemaschinen-10.html"
    assert first.display_url == first.landing_url and first.click_url is None
    assert organic[3].display_url == "https://ch.jura.com" and organic[3].landing_url == "https://ch.jura.com/de"
    assert all(r.phones == () for r in organic)


# --- 2019-desktop-ads-2.html: 4 top, 6 organic, 3 bottom, 5 right-rail ads ----------------------------


def test_ads_2(page):
    p = page("2019-desktop-ads-2.html")
    assert p.status == "ok" and p.query == "best cloud services"
    assert [(r.kind, r.placement) for r in p.results] == (
        [("ad", "top")] * 4 + [("organic", "main")] * 6 + [("ad", "bottom")] * 3 + [("ad", "side")] * 5)
    assert [r.domain for r in of(p, "ad", "top")] == ["onventoo.com", "gryps.ch", "united-domains.de", "tresorit.com"]
    assert [r.domain for r in of(p, "ad", "bottom")] == ["onventoo.com", "gryps.ch", "united-domains.de"]
    assert [r.domain for r in of(p, "ad", "side")] == [
        "visymo.com", "simpli.com", "t-online.de", "finecomb.com", "zapmeta.ch"]
    gryps = of(p, "ad", "top")[1]
    # the display URL as shown: "IT-<strong>Services</strong>/..." reads without gaps
    assert gryps.display_url == "https://www.gryps.ch/IT-Services/Cloud-Services"
    assert gryps.landing_url.startswith("https://www.gryps.ch/produkte/cloud-computing-17/?msclkid=")
    assert of(p, "ad", "top")[3].title == "Die besten Cloud für Business - Cloud-Speicher Vergleich 2019"
    assert of(p, "ad", "side")[1].landing_url == "https://www.simpli.com/ar?q=cloud%20services&o=765750&rch=intl848"
    organic = of(p, "organic")
    assert [r.domain for r in organic] == [
        "pcmag.com", "techradar.com", "lifewire.com", "heise.de", "techradar.com", "cloudwards.net"]
    assert organic[0].display_url == "https://www.pcmag.com/.../the-best-cloud-storage-providers-and-file-syncing-services"
    assert organic[0].landing_url == ("https://www.pcmag.com/roundup/306323/"
                                      "the-best-cloud-storage-providers-and-file-syncing-services")
    assert p.phones() == []


# --- 2021-desktop-en-coffee.html: 4 top ads, organic with a local pack, 4 bottom ads, entity panel ------


def test_coffee(page):
    p = page("2021-desktop-en-coffee.html")
    assert p.status == "ok" and p.query == "coffee"
    assert [(r.kind, r.placement, r.rank) for r in p.results] == (
        [("ad", "top", i) for i in range(1, 5)]
        + [("organic", "main", 1)] + [("local", "main", i) for i in range(2, 7)]
        + [("organic", "main", i) for i in range(7, 10)]
        + [("ad", "bottom", i) for i in range(1, 5)] + [("knowledge_panel", "side", 1)]
    )
    top = of(p, "ad", "top")
    assert [(r.display_url, r.domain) for r in top] == [
        ("http://www.amazon.es/Cafe-Te", "amazon.es"),
        ("https://es.topwebanswers.com/Coffee Machine/Información", "topwebanswers.com"),
        ("https://www.espresso-international.es", "espresso-international.es"),
        ("https://www.luxuryhotelsguides.com/book/online", "luxuryhotelsguides.com"),
    ]
    assert top[0].title == "Coffee Capsule - Cafeteras, Teteras, Accesorios"
    assert top[0].landing_url == ("http://www.amazon.es/s/?ie=UTF8&keywords=coffee+capsule&tag=bingamazonest-21"
                                  "&index=aps&hvadid=80676697937726&hvqmt=b&hvbmt=bb&hvdev=c&ref=pd_sl_5v3kwro887_b")
    assert top[3].landing_url == "https://www.luxuryhotelsguides.com/?hotelid=1421645&msclkid=cc5f9fc7caed1dce642fffce0dc8e95a"
    assert [r.domain for r in of(p, "ad", "bottom")] == [r.domain for r in top]
    organic = of(p, "organic")
    assert [r.domain for r in organic] == ["wordreference.com", "wikipedia.org", "medicalnewstoday.com", "timeout.com"]
    assert organic[0].display_url == "www.wordreference.com/es/translation.asp?tranword=coffee"
    assert organic[1].landing_url == "https://en.wikipedia.org/wiki/Coffee_(drink)"


def test_coffee_local_pack_and_panel(page):
    p = page("2021-desktop-en-coffee.html")
    local = of(p, "local")
    assert [(r.title, r.domain) for r in local] == [
        ("Brew Coffee", "one-week-in.com"), ("Coffee", None), ("SKYE Coffee", "facebook.com"),
        ("Three Marks Coffee", "threemarkscoffee.com"), ("Dalston Coffee", "dalstoncoffee.com"),
    ]
    assert local[0].landing_url == "https://one-week-in.com/best-coffee-shops-barcelona/"  # WEBSITE, not Tripadvisor
    assert "Carrer de Roger de Flor, 102, 08013, Barcelona" in local[0].text
    # the directions link carries "620 902 694" in its URL only: not a number shown on the page
    assert p.phones() == []
    (panel,) = of(p, "knowledge_panel")
    assert (panel.title, panel.placement, panel.landing_url) == ("Coffee", "side", "http://en.wikipedia.org/wiki/Coffee")
    assert panel.text.startswith("Coffee\nDrink\nCoffee is a brewed drink")
    assert "New content will be added" not in panel.text  # screen-reader-only text


def test_every_fixture_classified(serp_fixture):
    expected = {
        "2019-desktop-ads-2.html": "ok",
        "2019-desktop-de-ch-top-bottom-side-ads.html": "ok",
        "2021-desktop-en-coffee.html": "ok",
        "2021-desktop-en-no-results.html": "empty",
    }
    for name, status in expected.items():
        assert bing.classify(serp_fixture(B + name)) == status, name


# --- Dutch snippets --------------------------------------------------------------------------------------

FAKE = "https://www.snelle-klantenservice.nl/ziggo?msclkid=1"
# u= written out (not built with aclk()): base64 of FAKE, as Bing writes it
FAKE_CLICK = ("https://www.bing.com/aclk?ld=e8fake&amp;u=a1aHR0cHM6Ly93d3cuc25lbGxlLWtsYW50ZW5zZXJ2aWNlLm5sL3ppZ2dv"
              "P21zY2xraWQ9MQ&amp;rlid=1&amp;ntb=1")
WIKI_CK = "https://www.bing.com/ck/a?!&amp;&amp;p=abc&amp;u=a1aHR0cHM6Ly9ubC53aWtpcGVkaWEub3JnL3dpa2kvWmlnZ28&amp;ntb=1"
DUTCH = f"""<!DOCTYPE html><html lang="nl"><head><title>ziggo klantenservice - Zoeken</title>
<script>var tel = "0900 1111111";</script></head><body>
<form id="sb_form" action="/search"><input id="sb_form_q" name="q" type="search" value="ziggo klantenservice">
<input type="hidden" name="form" value="QBLH"></form>
<div id="bnp_container"><button id="bnp_btn_reject">Weigeren</button></div>
<main><ol id="b_results">
<li class="b_ad"><ul>
 <li><div class="sb_add sb_adTA">
  <h2><a href="{FAKE_CLICK}">Ziggo <strong>Klantenservice</strong> - Direct Hulp</a></h2>
  <div class="b_caption"><div class="b_attribution">
  <div class="b_adurl"><cite>www.snelle-klantenservice.nl/ziggo</cite></div>
  <a class="b_adcaret" href="javascript:void(0)" title="Over onze advertenties"></a></div>
  <p><span class="b_adSlug">Advertentie</span>Bel direct 0900-1234567 voor hulp bij storingen.</p>
  <div class="b_hide">Bel 0900-7654321</div>
  <div style="display:none">Bel 0900 2222222</div>
  <div hidden>Bel 088 999 9999</div>
  <script>document.write("0900 3333333")</script>
  <div class="b_secondaryText"><a href="https://wa.me/31612345678">WhatsApp ons</a></div></div>
  <div class="b_vlist2col b_deep"><ul>
  <li><a href="{aclk("https://www.snelle-klantenservice.nl/storing", "e8s")}">Storing melden</a></li></ul></div>
 </div></li>
 <li class="b_adLastChild"><div class="sb_add sb_adTA">
  <h2><a href="{aclk("https://www.ziggo.nl/klantenservice", "e8real")}">Ziggo Klantenservice</a></h2>
  <div class="b_caption"><div class="b_attribution"><cite>https://www.ziggo.nl › klantenservice</cite></div>
  <p><span class="b_adSlug">Advertentie</span>De officiële klantenservice van Ziggo.</p>
  <a href="tel:+31882121212" role="button">Bellen</a></div>
 </div></li>
</ul></li>
<li class="b_algo"><div class="b_title"><h2><a href="https://www.ziggo.nl/contact">Contact | Ziggo</a></h2></div>
 <div class="b_caption"><div class="b_attribution"><cite>https://www.ziggo.nl › contact</cite></div>
 <p>Bel gratis 0800-1234567 of chat met ons.</p></div></li>
<li class="b_algo"><h2><a href="{WIKI_CK}">Ziggo - Wikipedia</a></h2>
 <div class="b_caption"><cite>nl.wikipedia.org › wiki › Ziggo</cite>
 <p>Ziggo is een Nederlands telecombedrijf.</p></div></li>
<li class="b_ad b_adBottom"><ul><li><div class="sb_add sb_adTA">
  <h2><a href="{aclk("https://helpdesk-bellen.nl/", "e8bot")}">Helpdesk Bellen</a></h2>
  <cite>helpdesk-bellen.nl</cite><p><span class="b_adSlug">Advertentie</span>Bel 085 123 4567</p></div></li></ul></li>
</ol></main>
<aside><ol id="b_context">
<li class="b_ad"><ul><li><div class="sb_add sb_adTA">
  <h2><a href="{aclk("https://klantendienst-nu.nl/bel", "e8side")}">Klantendienst Nu</a></h2>
  <cite>klantendienst-nu.nl</cite>
  <p><span class="b_adSlug">Gesponsord</span>Bel 0900-8844 (€ 0,90 p/m)</p></div></li></ul></li>
<li class="b_ans"><div class="b_entityTP"><h2 class="b_entityTitle">Ziggo</h2>
 <div class="b_entitySubTitle">Bedrijf</div>
 <div>Klantenservice: 088 717 1717</div><a href="https://www.ziggo.nl/">Website</a></div></li>
</ol></aside></body></html>"""


def test_dutch_ads():
    p = bing.parse(DUTCH, "https://www.bing.com/search?q=ziggo+klantenservice&setlang=nl&cc=NL")
    assert p.status == "ok" and p.query == "ziggo klantenservice"
    assert [(r.kind, r.placement, r.rank) for r in p.results] == [
        ("ad", "top", 1), ("ad", "top", 2), ("organic", "main", 1), ("organic", "main", 2),
        ("ad", "bottom", 1), ("ad", "side", 1), ("knowledge_panel", "side", 2)]
    fake, real = of(p, "ad", "top")
    assert (fake.title, fake.display_url, fake.domain) == (
        "Ziggo Klantenservice - Direct Hulp", "www.snelle-klantenservice.nl/ziggo", "snelle-klantenservice.nl")
    assert fake.landing_url == FAKE  # decoded from u=a1...
    assert fake.click_url.startswith("https://www.bing.com/aclk?ld=e8fake&u=a1")
    assert [(ph.e164, ph.number_type, ph.channel) for ph in fake.phones] == [
        ("+31612345678", "mobile", "whatsapp"), ("+319001234567", "premium_rate", "text")]
    assert "Advertentie" in fake.text and "Storing melden" in fake.text
    assert "7654321" not in fake.text and "2222222" not in fake.text and "3333333" not in fake.text
    assert real.landing_url == "https://www.ziggo.nl/klantenservice" and real.domain == "ziggo.nl"
    assert real.display_url == "https://www.ziggo.nl › klantenservice"
    assert [(ph.e164, ph.channel) for ph in real.phones] == [("+31882121212", "call_button")]
    (bottom,) = of(p, "ad", "bottom")
    assert (bottom.domain, bottom.landing_url) == ("helpdesk-bellen.nl", "https://helpdesk-bellen.nl/")
    assert numbers(bottom) == {"+31851234567"}
    (side,) = of(p, "ad", "side")
    assert side.domain == "klantendienst-nu.nl" and numbers(side) == {"+319008844"}


def test_dutch_organic_panel_and_hidden_numbers():
    p = bing.parse(DUTCH)
    contact, wiki = of(p, "organic")
    assert (contact.title, contact.landing_url, contact.click_url) == (
        "Contact | Ziggo", "https://www.ziggo.nl/contact", None)
    assert contact.display_url == "https://www.ziggo.nl › contact" and numbers(contact) == {"+318001234567"}
    # newer Bing wraps organic links in /ck/a?u=a1...: decoded, the wrapper kept as evidence
    assert wiki.landing_url == "https://nl.wikipedia.org/wiki/Ziggo" and wiki.domain == "wikipedia.org"
    assert wiki.click_url.startswith("https://www.bing.com/ck/a?")
    (panel,) = of(p, "knowledge_panel")
    assert (panel.title, panel.landing_url, panel.domain) == ("Ziggo", "https://www.ziggo.nl/", "ziggo.nl")
    assert numbers(panel) == {"+31887171717"}
    everything = {ph.e164 for ph in p.phones()}
    for hidden in ("+319001111111", "+319003333333", "+319007654321", "+319002222222", "+31889999999"):
        assert hidden not in everything  # <script>, b_hide, display:none, hidden attribute


def test_ad_found_by_its_label_in_unknown_markup():
    html = f"""<html><body><ol id="b_results">
    <li class="b_new_ad"><div><span class="b_adSlug">Advertentie</span>
      <h2><a href="{aclk("https://nep-hulp.nl/")}">Nep Hulp</a></h2><p>Bel 0900 8844</p></div></li>
    <li class="b_algo"><h2><a href="https://a.nl/">A</a></h2></li></ol></body></html>"""
    p = bing.parse(html)
    assert [(r.kind, r.placement, r.domain) for r in p.results] == [
        ("ad", "top", "nep-hulp.nl"), ("organic", "main", "a.nl")]
    assert numbers(p.results[0]) == {"+319008844"}


def test_ad_after_organic_without_bottom_class_is_bottom():
    html = f"""<html><body><ol id="b_results"><li class="b_algo"><h2><a href="https://a.nl/">A</a></h2></li>
    <li class="b_ad"><ul><li><h2><a href="{aclk("https://b.nl/")}">B</a></h2></li></ul></li></ol></body></html>"""
    p = bing.parse(html)
    assert [(r.kind, r.placement, r.landing_url) for r in p.results] == [
        ("organic", "main", "https://a.nl/"), ("ad", "bottom", "https://b.nl/")]


def test_shopping_ads():
    html = f"""<html><body><ol id="b_results"><li class="b_ad b_adPA"><div class="pa_carousel">
    <div class="pa_item"><a class="pa_title" href="{aclk("https://winkel.nl/router")}">Router X</a>
      <div class="pa_seller">winkel.nl</div><div>€ 89,00</div></div>
    <div class="pa_item"><a class="pa_title" href="{aclk("https://shop.nl/router")}">Router Y</a>
      <div class="pa_seller">shop.nl</div></div></div></li>
    <li class="b_algo"><h2><a href="https://a.nl/">A</a></h2></li></ol></body></html>"""
    p = bing.parse(html)
    assert [(r.kind, r.placement, r.rank, r.title, r.domain) for r in p.results] == [
        ("shopping_ad", "top", 1, "Router X", "winkel.nl"), ("shopping_ad", "top", 2, "Router Y", "shop.nl"),
        ("organic", "main", 1, "A", "a.nl")]
    assert p.results[0].landing_url == "https://winkel.nl/router" and p.phones() == []


def test_parse_is_pure(serp_fixture, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("parse() touched the network")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    html = serp_fixture(B + "2021-desktop-en-coffee.html")
    assert bing.parse(html) == bing.parse(html)
    assert bing.parse(DUTCH) == bing.parse(DUTCH)
