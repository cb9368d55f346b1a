"""crawler.engines.google on the real saved Google pages and on small Dutch snippets.

What each assertion checks was read off the page as a person sees it (rendered with Chromium).
"""

from __future__ import annotations

import socket
from urllib.parse import parse_qs, urlsplit

import pytest

from crawler.engines import get_engine, google
from crawler.models import SerpPage
from tests.support.serp_results import numbers, of

G = "google/"
_CACHE: dict[tuple[str, str], SerpPage] = {}


@pytest.fixture()
def page(serp_fixture):
    def load(name: str, region: str = "NL") -> SerpPage:
        key = (name, region)
        if key not in _CACHE:
            _CACHE[key] = google.parse(serp_fixture(G + name), region=region)
        return _CACHE[key]

    return load


# --- module contract -----------------------------------------------------------------------------------


def test_registry_and_name():
    assert get_engine("google") is google
    assert google.NAME == "google"


def test_search_url_dutch_default():
    url = google.search_url("klantenservice ziggo")
    parts = urlsplit(url)
    assert parts.scheme == "https" and parts.hostname == "www.google.nl" and parts.path == "/search"
    qs = parse_qs(parts.query)
    assert qs["q"] == ["klantenservice ziggo"] and qs["hl"] == ["nl"] and qs["gl"] == ["nl"]
    assert google.search_url("x", device="mobile") == google.search_url("x")


def test_search_url_by_region():
    assert urlsplit(google.search_url("a b", language="de", region="DE")).hostname == "www.google.de"
    assert urlsplit(google.search_url("a", region="BE")).hostname == "www.google.be"
    assert "q=a+b" in google.search_url("a b")


def test_consent_reject_selectors():
    sels = google.CONSENT_REJECT_SELECTORS
    assert 'button:has-text("Alles afwijzen")' in sels
    assert 'button:has-text("Reject all")' in sels
    assert any(s.startswith("form") for s in sels)


# --- status --------------------------------------------------------------------------------------------


def test_recaptcha_page_is_captcha_not_no_ads(page, serp_fixture):
    html = serp_fixture(G + "2023-blocked-recaptcha.html")
    assert google.classify(html) == "captcha"
    p = page("2023-blocked-recaptcha.html")
    assert p.status == "captcha" and p.results == ()
    assert p.query == ".com domains"  # from the page's "continue" URL


def test_sorry_url_is_captcha():
    sorry = "https://www.google.nl/sorry/index?continue=x"
    assert google.classify("<html><body>x</body></html>", sorry) == "captcha"


def test_no_results_page_is_empty(page, serp_fixture):
    assert google.classify(serp_fixture(G + "2023-desktop-en-no-results.html")) == "empty"
    p = page("2023-desktop-en-no-results.html")
    assert p.status == "empty" and p.results == ()
    assert p.query == "324j23i4jkdfjklndsklfmsdkl;fsdfds"


def test_dutch_no_results_is_empty():
    html = """<html><body><div id="search"><div id="topstuff"><p>Je zoekopdracht - <b>qqq</b> -
    heeft geen overeenkomstige documenten opgeleverd.</p></div></div></body></html>"""
    assert google.classify(html) == "empty"


CONSENT_NL = """<html><head><title>Voordat je verdergaat naar Google</title></head><body>
<h1>Voordat je verdergaat naar Google</h1>
<form action="https://consent.google.com/save" method="POST">
<input type="hidden" name="set_eom" value="true"><button>Alles afwijzen</button></form>
<form action="https://consent.google.com/save" method="POST">
<input type="hidden" name="set_eom" value="false"><button>Alles accepteren</button></form></body></html>"""


def test_consent_wall():
    assert google.classify(CONSENT_NL) == "consent"
    wall = "https://consent.google.com/ml?continue=x"
    assert google.classify("<html><body>hi</body></html>", wall) == "consent"
    p = google.parse(CONSENT_NL, "https://consent.google.com/ml?continue=https://www.google.nl/search?q%3Dkpn")
    assert p.status == "consent" and p.results == ()


def test_blocked_and_unknown():
    forbidden = "<html><title>Error 403 (Forbidden)</title><p>403. That’s an error.</p></html>"
    assert google.classify(forbidden) == "blocked"
    # A results page whose blocks we cannot read must never pass as "ok, no ads".
    changed = '<html><body><div id="rso"><div class="new">x</div></div></body></html>'
    assert google.classify(changed) == "unknown"
    assert google.parse("<html><body>something else</body></html>").status == "unknown"


# --- 2019 desktop, google.ch, call extensions ----------------------------------------------------------

CALL_EXT = "2019-desktop-de-ch-cloud-services-call-extensions.html"


def test_call_extensions_ads(page):
    p = page(CALL_EXT, "CH")
    assert p.status == "ok" and p.query == "cloud services"
    top, bottom = of(p, "ad", "top"), of(p, "ad", "bottom")
    assert [r.display_url for r in top] == [
        "www.bechtle-steffen.ch/cloud/solutions", "www.nine.ch/Cloud-Services",
        "www.dxc.technology/Cloud-Services", "azure.microsoft.com/Services/Cloud",
    ]
    assert [r.domain for r in top] == ["bechtle-steffen.ch", "nine.ch", "dxc.technology", "microsoft.com"]
    assert [r.rank for r in top] == [1, 2, 3, 4]
    assert [r.display_url for r in bottom] == ["www.nexellent.ch/Cloud/Services"] and bottom[0].rank == 1
    assert all("Anzeige" in r.text for r in top + bottom)
    assert all(r.click_url and "googleadservices.com/pagead/aclk" in r.click_url for r in top + bottom)
    # Landing URLs as the page has them: the visible href; the first ad only links through aclk (empty
    # adurl=), so its landing is the preconnect origin the page names.
    assert top[0].landing_url == "https://www.bechtle-steffen.ch/"
    assert top[1].landing_url == "https://www.nine.ch/de/produkte"
    assert top[3].landing_url.startswith("https://azure.microsoft.com/de-de/free/cloud-services/")
    assert bottom[0].landing_url.startswith("https://www.nexellent.ch/de/server-cloud/")
    assert top[0].title.startswith("Führende Cloud-Lösungen")


def test_call_extensions_phones(page):
    p = page(CALL_EXT, "CH")
    top, bottom = of(p, "ad", "top"), of(p, "ad", "bottom")
    assert numbers(top[0]) == {"+41564183333"}  # 056 418 33 33, Bechtle-Steffen
    assert numbers(bottom[0]) == {"+41448722000"}  # 044 872 20 00, nexellent
    assert top[0].phones[0].raw == "056 418 33 33" and top[0].phones[0].channel == "text"
    assert all(not r.phones for r in top[1:])
    assert {ph.e164 for ph in p.phones()} == {"+41564183333", "+41448722000"}


def test_call_extensions_organic_and_panels(page):
    p = page(CALL_EXT, "CH")
    organic = of(p, "organic")
    assert len(organic) > 90  # a num=100 page
    fs = of(p, "featured_snippet")
    assert len(fs) == 1 and fs[0].domain == "wikipedia.org" and fs[0].rank == 1
    assert organic[0].title == "Cloud Computing – Wikipedia" and organic[0].rank == 2
    assert organic[1].domain == "microsoft.com"
    assert [r.domain for r in of(p, "other")] == ["youtube.com"] * 3  # the video carousel
    kp = of(p, "knowledge_panel")
    assert kp[0].placement == "side" and kp[0].title == "Cloud Computing" and kp[0].domain == "wikipedia.org"


# --- 2019 desktop, google.ch, shopping + bottom text ads -----------------------------------------------


def test_de_ch_ads(page):
    p = page("2019-desktop-de-ch-ads.html", "CH")
    assert p.status == "ok" and p.query == "rückspiegel schwarz"
    assert of(p, "ad", "top") == []
    shopping = of(p, "shopping_ad", "top")
    assert len(shopping) == 15
    assert shopping[0].title == "Spiegel Bumm rund Standard schwarz"
    assert shopping[0].landing_url == "https://www.mofakult.ch/spiegel-rund-bumm-standard-schwarz"
    assert shopping[0].domain == "mofakult.ch" and "aclk" in shopping[0].click_url
    bottom = of(p, "ad", "bottom")
    assert [r.display_url for r in bottom] == ["www.pkwteile.ch/", "www.amazon.de/haushalt/spiegel+schwarz",
                                              "www.ebay.de/"]
    assert [r.domain for r in bottom] == ["pkwteile.ch", "amazon.de", "ebay.de"]
    assert bottom[0].landing_url == "https://www.pkwteile.ch/aussenspiegel"
    assert all(r.click_url for r in bottom)
    organic = of(p, "organic")
    assert len(organic) == 9 and organic[0].domain == "bikester.ch"
    assert organic[0].display_url.startswith("https://www.bikester.ch")
    assert p.phones() == []


# --- 2019 desktop, google.de, shopping + local pack ----------------------------------------------------

SHOP_LOCAL = "2019-desktop-de-shopping-ads-local-pack.html"


def test_shopping_local_pack(page):
    p = page(SHOP_LOCAL, "DE")
    assert p.status == "ok" and p.query == "car tires for sale"
    assert of(p, "ad") == []  # no text ads
    shopping = of(p, "shopping_ad")
    assert len(shopping) == 13 and all(r.placement == "top" and r.click_url for r in shopping)
    assert shopping[0].domain == "check24.de"
    local = of(p, "local")
    assert [r.title for r in local] == ["reifencom GmbH", "reifencom GmbH"]
    assert [numbers(r) for r in local] == [{"+4930200536930"}, {"+493020613830"}]  # Berlin numbers
    assert all(r.domain == "reifen.com" for r in local)
    organic = of(p, "organic")
    assert len(organic) == 10 and organic[0].domain == "discounttiredirect.com"


def test_us_number_in_organic_snippet(page):
    p = page(SHOP_LOCAL, "DE")
    (onlinetires,) = [r for r in of(p, "organic") if r.domain == "onlinetires.com"]
    assert [(ph.raw, ph.e164, ph.number_type) for ph in onlinetires.phones] == [
        ("(877) 465-8473", "+18774658473", "toll_free")
    ]
    # dates in snippets ("08.11.2018") are not phone numbers
    assert {ph.e164 for ph in p.phones()} == {"+4930200536930", "+493020613830", "+18774658473"}


# --- 2023 desktop (modern markup, "Sponsored") ---------------------------------------------------------


def test_com_domains(page):
    p = page("2023-desktop-en-com-domains.html", "US")
    assert p.status == "ok" and p.query == ".com domains"
    top, bottom = of(p, "ad", "top"), of(p, "ad", "bottom")
    assert [r.domain for r in top] == ["godaddy.com", "domains.google"]
    assert [r.display_url for r in top] == ["https://www.godaddy.com", "https://www.domains.google"]
    assert top[0].landing_url == "https://www.godaddy.com/offers/domain?isc=GDD2dom"
    assert top[1].landing_url == "https://domains.google/tld/com/"
    assert top[0].click_url.startswith("https://www.google.com/aclk?")
    assert [r.domain for r in bottom] == ["ionos.com"]
    assert bottom[0].landing_url == "https://www.ionos.com/domains/com-domain"
    assert all(r.text.startswith("Sponsored") for r in top + bottom)
    organic = of(p, "organic")
    assert len(organic) == 10 and organic[0].domain == "godaddy.com"
    assert organic[0].display_url == "https://www.godaddy.com › Tlds"
    assert organic[0].click_url is None
    assert [r.title for r in of(p, "knowledge_panel", "side")] == [".com"]
    assert p.phones() == []


def test_hotels_london(page):
    p = page("2023-desktop-en-hotels-london.html", "US")
    top = of(p, "ad", "top")
    assert [r.domain for r in top] == ["ihg.com", "tablethotels.com", "expedia.com"]
    assert top[1].display_url == "https://www.tablethotels.com › london › upscale-hotels"
    assert of(p, "ad", "bottom") == []
    organic = of(p, "organic")
    assert len(organic) == 8 and organic[0].domain == "cntraveler.com"
    assert p.phones() == []


def test_hotels_nyc_desktop(page):
    p = page("2023-desktop-en-hotels.html", "US")
    top = of(p, "ad", "top")
    assert [r.domain for r in top] == ["booking.com", "hotels.com"]
    assert top[0].display_url == "http://www.booking.com"
    assert top[0].landing_url == "https://www.booking.com/city/us/new-york.html"
    organic = of(p, "organic")
    assert len(organic) == 9 and organic[0].domain == "hotels.com"
    assert p.phones() == []


# --- 2023 mobile ---------------------------------------------------------------------------------------


def test_mobile_domain_call_button(page):
    p = page("2023-mobile-en-domain.html", "US")
    assert p.status == "ok" and p.query == "domain"
    assert [r.domain for r in of(p, "ad", "top")] == ["godaddy.com", "domains.google", "ionos.com"]
    assert [r.domain for r in of(p, "ad", "bottom")] == ["hostinger.com"]
    (oakland,) = [r for r in p.results if r.title == "Domain Oakland"]
    assert oakland.kind == "knowledge_panel" and oakland.placement == "main"
    assert [(ph.e164, ph.channel) for ph in oakland.phones] == [("+15108006138", "call_button")]
    assert oakland.domain == "thedomainoakland.com"
    # The number is also in the page's <script> data many times: only the button counts.
    assert [ph.e164 for ph in p.phones()] == ["+15108006138"]
    organic = of(p, "organic")
    assert organic[0].domain == "domain.com" and len(organic) == 3


def test_mobile_dell(page):
    p = page("2023-mobile-en-dell.html", "US")
    top = of(p, "ad", "top")
    assert [r.domain for r in top] == ["dell.com", "amazon.com"]
    assert top[0].display_url == "https://www.dell.com › laptops › home-&-work"
    assert of(p, "shopping_ad") == []  # product cards in the panel are free listings, no ad click
    organic = of(p, "organic")
    assert organic[0].domain == "dell.com" and len(organic) >= 5
    assert p.phones() == []


def test_mobile_hotels(page):
    p = page("2023-mobile-en-hotels.html", "US")
    top = of(p, "ad", "top")
    assert [r.domain for r in top] == ["booking.com", "hotels.com"]
    assert top[0].display_url == "http://www.booking.com › new-york › hotels"
    assert of(p, "organic")[0].domain == "hotels.com"


def test_every_fixture_classified(page):
    expected = {
        "2019-desktop-de-ch-ads.html": "ok", CALL_EXT: "ok", SHOP_LOCAL: "ok",
        "2023-blocked-recaptcha.html": "captcha", "2023-desktop-en-com-domains.html": "ok",
        "2023-desktop-en-hotels-london.html": "ok", "2023-desktop-en-hotels.html": "ok",
        "2023-desktop-en-no-results.html": "empty", "2023-mobile-en-dell.html": "ok",
        "2023-mobile-en-domain.html": "ok", "2023-mobile-en-hotels.html": "ok",
    }
    for name, status in expected.items():
        p = page(name)
        assert p.status == status, name
        for placement in ("top", "bottom", "main", "side"):
            ranks = [r.rank for r in p.results if r.placement == placement]
            assert ranks == list(range(1, len(ranks) + 1)), (name, placement)


# --- hand-written Dutch pages (the sandbox imitates this markup) ---------------------------------------

CLICK = ("https://www.googleadservices.com/pagead/aclk?sa=L&ai=XYZ&ohost=www.google.nl&sig=AOD64_1"
         "&adurl=https%3A%2F%2Fwww.snelle-klantenservice.nl%2Fziggo%3Fgclid%3D1&q=")
DUTCH = f"""<html><head><title>ziggo klantenservice - Google Zoeken</title>
<script>var x = "bel 0900-1111111";</script></head><body>
<form><textarea name="q">ziggo klantenservice</textarea></form>
<div id="main"><div id="center_col">
<div id="taw"><div id="tvcap"><div id="tads">
  <div data-text-ad="1">
    <span>Gesponsord</span>
    <a href="{CLICK}"><div role="heading" aria-level="3">Ziggo Klantenservice - Direct Hulp</div>
      <span role="text">www.snelle-klantenservice.nl</span></a>
    <div>Bel direct 0900-1234567 (80 ct/min). Altijd bereikbaar.</div>
    <div style="display:none">verborgen 0900-7654321</div>
    <a href="https://wa.me/31612345678">WhatsApp</a>
  </div>
  <div data-text-ad="1">
    <span>Gesponsord</span>
    <a href="https://www.ziggo.nl/klantenservice" data-rw="/aclk?sa=l&amp;ai=ABC&amp;adurl=">
      <h3>Ziggo | Officiële klantenservice</h3><cite>https://www.ziggo.nl › klantenservice</cite></a>
    <a href="tel:+31882121212" role="button" aria-label="Bellen">Bellen</a>
  </div>
</div></div></div>
<div id="rso">
  <div class="g"><a href="https://www.ziggo.nl/contact"><h3>Contact | Ziggo</h3>
    <cite>https://www.ziggo.nl › contact</cite></a>
    <div>Bel ons gratis op 0800-1234567.</div></div>
  <div class="g"><a href="https://nl.wikipedia.org/wiki/Ziggo"><h3>Ziggo - Wikipedia</h3></a>
    <div>Ziggo is een Nederlands telecombedrijf.</div><div hidden>088 999 9999</div></div>
</div>
<div id="bottomads"><div id="tadsb">
  <div data-text-ad="1"><span>Advertentie</span>
    <a href="https://www.googleadservices.com/pagead/aclk?sa=L&amp;ai=Q&amp;adurl=https://helpdesk-bellen.nl/">
    <h3>Storing? Bel Nu</h3><cite>helpdesk-bellen.nl</cite></a><div>Tel. 085 - 123 45 67</div></div>
</div></div>
</div></div></body></html>"""


def test_dutch_sponsored_ads():
    p = google.parse(DUTCH, "https://www.google.nl/search?q=ziggo+klantenservice&hl=nl&gl=nl")
    assert p.status == "ok" and p.query == "ziggo klantenservice"
    top = of(p, "ad", "top")
    assert len(top) == 2
    fake, real = top
    assert (fake.rank, fake.title, fake.display_url) == (1, "Ziggo Klantenservice - Direct Hulp",
                                                        "www.snelle-klantenservice.nl")
    assert fake.click_url == CLICK
    assert fake.landing_url == "https://www.snelle-klantenservice.nl/ziggo?gclid=1"  # decoded adurl=
    assert fake.domain == "snelle-klantenservice.nl"
    assert [(ph.e164, ph.number_type, ph.channel) for ph in fake.phones] == [
        ("+31612345678", "mobile", "whatsapp"), ("+319001234567", "premium_rate", "text"),
    ]
    assert "verborgen" not in fake.text and "Gesponsord" in fake.text
    assert real.rank == 2 and real.landing_url == "https://www.ziggo.nl/klantenservice"
    assert real.click_url == "https://www.google.nl/aclk?sa=l&ai=ABC&adurl="
    assert real.display_url == "https://www.ziggo.nl › klantenservice" and real.domain == "ziggo.nl"
    assert [(ph.e164, ph.channel) for ph in real.phones] == [("+31882121212", "call_button")]
    (bottom,) = of(p, "ad", "bottom")
    assert bottom.rank == 1 and bottom.landing_url == "https://helpdesk-bellen.nl/"
    assert bottom.domain == "helpdesk-bellen.nl" and numbers(bottom) == {"+31851234567"}


def test_dutch_organic_and_hidden_numbers():
    p = google.parse(DUTCH)
    organic = of(p, "organic")
    assert [(r.rank, r.domain, r.title) for r in organic] == [
        (1, "ziggo.nl", "Contact | Ziggo"), (2, "wikipedia.org", "Ziggo - Wikipedia"),
    ]
    assert organic[0].landing_url == "https://www.ziggo.nl/contact" and organic[0].click_url is None
    assert numbers(organic[0]) == {"+318001234567"}
    assert organic[1].phones == ()  # hidden element
    all_numbers = {ph.e164 for ph in p.phones()}
    assert "+319001111111" not in all_numbers  # <script>
    assert "+319007654321" not in all_numbers  # display:none
    assert "+31889999999" not in all_numbers  # hidden attribute
    assert [r.kind for r in p.results] == ["ad", "ad", "organic", "organic", "ad"]  # page order


def test_unknown_ad_markup_in_ad_container_is_still_read():
    html = """<html><body><div id="tads"><div class="x1"><span>Gesponsord</span>
    <a href="https://nep.nl/"><h3>Nep</h3></a><p>Bel 0900 8844</p></div></div>
    <div id="rso"><div class="g"><a href="https://a.nl/"><h3>A</h3></a></div></div></body></html>"""
    p = google.parse(html)
    (ad,) = of(p, "ad", "top")
    assert ad.domain == "nep.nl" and numbers(ad) == {"+319008844"}


def test_parse_is_pure(serp_fixture, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("parse() touched the network")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    html = serp_fixture(G + "2023-mobile-en-domain.html")
    assert google.parse(html) == google.parse(html)
