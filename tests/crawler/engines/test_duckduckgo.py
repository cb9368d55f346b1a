"""crawler.engines.duckduckgo on the real saved DuckDuckGo page and on small Dutch snippets.

2019-desktop-en-ads-top-bottom-side.html, as a person sees it (rendered with Chromium; the
saved page lost its stylesheet, so the layout was read from the markup as well): one ad
above the results (Tata Communications), ten organic results, one ad below them (ONUG),
and in the right-hand column the Wikipedia "about" panel followed by one small ad (Adobe).
Every ad link goes through duckduckgo.com/y.js?u3= -> Yahoo cbclk RU= -> Bing aclick u=
(base64).  No phone number is shown anywhere on the page.
"""

from __future__ import annotations

import base64
import socket
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from crawler.engines import _common, duckduckgo, get_engine
from crawler.models import SerpPage
from tests.support.serp_results import numbers, of

D = "duckduckgo/"
FIXTURE = D + "2019-desktop-en-ads-top-bottom-side.html"
_CACHE: dict[str, SerpPage] = {}


@pytest.fixture()
def page(serp_fixture):
    if FIXTURE not in _CACHE:
        _CACHE[FIXTURE] = duckduckgo.parse(serp_fixture(FIXTURE))
    return _CACHE[FIXTURE]


def yjs(landing: str) -> str:
    """A current DuckDuckGo ad link: y.js wrapping a Bing aclk URL (u=a1 + base64 of the landing URL)."""
    u = "a1" + base64.urlsafe_b64encode(landing.encode()).decode().rstrip("=")
    bing = f"https://www.bing.com/aclk?ld=e8x&u={u}&rlid=1&ntb=1"
    return f"https://duckduckgo.com/y.js?ad_domain=x&ad_provider=bingv7aa&ad_type=txad&rut=1&u3={quote(bing, safe='')}"


# --- module contract -----------------------------------------------------------------------------------


def test_registry_name_and_no_consent_wall():
    assert get_engine("duckduckgo") is duckduckgo
    assert duckduckgo.NAME == "duckduckgo"
    assert duckduckgo.CONSENT_REJECT_SELECTORS == []


def test_search_url():
    url = duckduckgo.search_url("ziggo klantenservice")
    parts = urlsplit(url)
    assert (parts.scheme, parts.hostname, parts.path) == ("https", "duckduckgo.com", "/")
    assert parse_qs(parts.query) == {"q": ["ziggo klantenservice"], "kl": ["nl-nl"], "ia": ["web"]}
    assert url.startswith("https://duckduckgo.com/?q=ziggo+klantenservice&kl=nl-nl")
    assert parse_qs(urlsplit(duckduckgo.search_url("x", language="fr", region="BE")).query)["kl"] == ["be-fr"]
    assert duckduckgo.search_url("x", device="mobile") == duckduckgo.search_url("x")


def test_unwrap_click_urls():
    assert _common.landing_of(yjs("https://www.ziggo.nl/klantenservice")) == "https://www.ziggo.nl/klantenservice"
    lite = "//duckduckgo.com/l/?uddg=https%3A%2F%2Fwww.ziggo.nl%2Fcontact%3Fa%3D1&rut=abc"
    assert _common.landing_of(lite, "https://duckduckgo.com") == "https://www.ziggo.nl/contact?a=1"
    assert _common.landing_of("https://duckduckgo.com/y.js?ad_domain=x.nl&rut=1") is None  # target not in page
    assert _common.is_click_wrapper("https://duckduckgo.com/y.js?u3=x")
    assert not _common.is_click_wrapper("https://www.ziggo.nl/y.js?u3=x")


# --- status --------------------------------------------------------------------------------------------


def test_anomaly_page_is_captcha():
    html = """<html><body><div class="anomaly-modal__mask"><div class="anomaly-modal__modal">
    <div class="anomaly-modal__title">Unfortunately, bots use DuckDuckGo too.</div>
    <div class="anomaly-modal__description">Please complete the following challenge to confirm this
    search was made by a human.</div></div></div><script src="/anomaly.js?sv=1&cc=x"></script></body></html>"""
    assert duckduckgo.classify(html) == "captcha"
    p = duckduckgo.parse(html, "https://duckduckgo.com/?q=ziggo+klantenservice&kl=nl-nl")
    assert (p.status, p.query, p.results) == ("captcha", "ziggo klantenservice", ())
    assert duckduckgo.classify('<html><body><div id="anomaly-modal"></div></body></html>') == "captcha"


def test_no_results_is_empty():
    old = """<html><body><input id="search_form_input" name="q" value="xqzv"><div id="links" class="results">
    <div class="result result--no-result"><div class="no-results">No results.</div></div></div></body></html>"""
    assert duckduckgo.parse(old) == SerpPage(engine="duckduckgo", status="empty", query="xqzv")
    nl = """<html><body><div id="links"><div class="result result--no-result"><div class="no-results">
    Geen resultaten gevonden voor <b>xqzv</b>.</div></div></div></body></html>"""
    assert duckduckgo.classify(nl) == "empty"
    assert duckduckgo.classify("<html><body><p>Geen resultaten.</p></body></html>") == "empty"


def test_blocked_and_unknown():
    lite = """<html><body><div class="error-lite">If this error persists, please let us know:
    error-lite@duckduckgo.com</div></body></html>"""
    assert duckduckgo.classify(lite) == "blocked"
    assert duckduckgo.classify("<html><body><h1>403 Forbidden</h1></body></html>") == "blocked"
    # The JavaScript shell before any result is drawn (or new markup): never "ok without ads".
    shell = """<html><body><form id="search_form"><input id="search_form_input" name="q" value="ziggo"></form>
    <div id="react-layout"></div><script>DDG.deep.initialize("/d.js?q=ziggo")</script></body></html>"""
    assert duckduckgo.parse(shell) == SerpPage(engine="duckduckgo", status="unknown", query="ziggo")


def test_fixture_classified(serp_fixture):
    assert duckduckgo.classify(serp_fixture(FIXTURE)) == "ok"


# --- the saved page ------------------------------------------------------------------------------------


def test_fixture_layout(page):
    assert page.status == "ok" and page.query == "cloud service" and page.engine == "duckduckgo"
    assert [(r.kind, r.placement, r.rank) for r in page.results] == (
        [("ad", "top", 1)] + [("organic", "main", i) for i in range(1, 11)] + [("ad", "bottom", 1)]
        + [("knowledge_panel", "side", 1), ("ad", "side", 2)]
    )
    assert page.phones() == []


def test_fixture_ads(page):
    (top,) = of(page, "ad", "top")
    assert top.title == "Cloud services | Tier1 network with 1600 telcos"  # no "visited" tooltip
    assert top.display_url == "www.tatacommunications.com/Cloud_services/Enquire_now"
    assert top.domain == "tatacommunications.com"
    assert top.landing_url == (
        "https://www.tatacommunications.com/for-you/cloud-and-mhs/?MHS_Cloud_Platforms_Exact_Desktop"
        "&msclkid=8a005d564d111e5002ac002ded5cc1b1&utm_source=bing&utm_medium=cpc"
        "&utm_campaign=EU_FY20_Search_Core_Cloud%26MHS_Cloud_Platforms_Exact_Desktop"
        "&utm_term=cloud%20services&utm_content=cloud_services_Activation")
    assert top.click_url.startswith("https://duckduckgo.com/y.js?u3=https%3A%2F%2Fr.search.yahoo.com%2Fcbclk%2F")
    assert "Your browser indicates" not in top.text and "Managed Database Services" in top.text

    (bottom,) = of(page, "ad", "bottom")
    assert bottom.title == "Webinar Sponsored by Itential | ONUG September 11, 2019 10am"
    assert (bottom.display_url, bottom.domain) == ("www.onug.net", "onug.net")
    assert bottom.landing_url == (
        "https://www.onug.net/Enable-End-to-End-Automation-for-Multi-Domain-Enterprise-Networks-webinar"
        "?utm_source=QFA&utm_medium=cpc&utm_campaign=ONUGFall19bing&msclkid=724daef167591f91f072f38ac714c5bf")

    (side,) = of(page, "ad", "side")
    assert side.title == "Creative Cloud for Students | Save 60%. Only $19.99/month"
    assert side.display_url == "www.adobe.com/CreativeCloud/Students"
    # The advertiser's own tracking redirect is where the click lands first: kept as is.
    assert side.landing_url.startswith("http://pixel.everesttech.net/3085/cq?ev_sid=10&")
    assert "url=http%3A%2F%2Fwww.adobe.com%2Fcreativecloud%2Fbuy%2Fstudents.html" in side.landing_url
    assert side.domain == "everesttech.net"
    assert "Adobe Spark for Students" in side.text  # sitelinks


def test_fixture_organic_and_panel(page):
    organic = of(page, "organic")
    assert [r.domain for r in organic] == [
        "pcmag.com", "microsoft.com", "google.com", "sdxcentral.com", "microsoft.com", "microsoft.com",
        "wikipedia.org", "amazon.com", "microsoft.com", "google.com"]
    first = organic[0]
    assert first.title == "The Best Cloud Storage and File-Sharing Services for 2019 ..."
    assert first.landing_url == "https://www.pcmag.com/roundup/306323/the-best-cloud-storage-providers-and-file-syncing-services"
    assert first.display_url == first.landing_url and first.click_url is None
    assert organic[2].display_url == "https://cloud.google.com" and organic[2].landing_url == "https://cloud.google.com/"
    assert all("Your browser indicates" not in r.text for r in page.results)
    (panel,) = of(page, "knowledge_panel")
    assert (panel.title, panel.landing_url, panel.domain) == (
        "Cloud computing", "https://en.wikipedia.org/wiki/Cloud_computing", "wikipedia.org")
    assert "More at Wikipedia" not in panel.text  # the is-hidden bottom link


# --- Dutch snippets: the 2019+ markup (also the sandbox's), html.duckduckgo.com, and the React markup --

OLD = f"""<!DOCTYPE html><html lang="nl_NL"><head><title>ziggo klantenservice op DuckDuckGo</title></head>
<body class="body--serp"><form id="search_form" action="/"><input id="search_form_input" name="q"
 value="ziggo klantenservice"><input type="hidden" name="kl" value="nl-nl"></form>
<div id="links_wrapper"><div class="results--main">
<div id="ads" class="results--ads results--ads--main js-results-ads">
 <div class="result results_links highlight_a result--ad highlight_sponsored sponsored" id="ra-0"
  data-domain="www.snelle-klantenservice.nl"><div class="result__body links_main links_deep">
  <h2 class="result__title"><a class="result__a" href="{yjs("https://www.snelle-klantenservice.nl/ziggo")}">Ziggo
   <b>Klantenservice</b> 24/7</a><a class="result__check" href="#"><span class="result__check__tt">Your
   browser indicates if you've visited this link</span></a>
   <span class="badge--ad-wrap"><a class="badge--ad" href="https://duckduckgo.com/duckduckgo-help-pages/">Advertentie</a></span></h2>
  <div class="result__extras"><div class="result__extras__url"><a class="result__url"
   href="{yjs("https://www.snelle-klantenservice.nl/ziggo")}">www.snelle-klantenservice.nl/ziggo</a></div></div>
  <div class="result__snippet"><a href="#">Storing? Bel direct 0900-1234567.</a></div>
  <div class="result__snippet"><a href="https://wa.me/31612345678">WhatsApp ons</a></div>
  <div class="result__snippet is-hidden">Bel 0900-7654321</div>
  <div style="display:none">Bel 0900 2222222</div>
  <script>var n = "0900 1111111";</script>
 </div></div>
</div>
<div id="links" class="results js-results">
 <div class="result results_links_deep highlight_d" id="r1-0"><div class="result__body links_main links_deep">
  <h2 class="result__title"><a class="result__a" href="https://www.ziggo.nl/contact">Contact | Ziggo</a></h2>
  <div class="result__extras__url"><a class="result__url" href="https://www.ziggo.nl/contact"><span
   class="result__url__domain">https://www.ziggo.nl</span><span class="result__url__full">/contact</span></a></div>
  <div class="result__snippet">Bel gratis 0800-1234567.</div></div></div>
 <div class="result results_links_deep" id="r1-1"><div class="result__body">
  <h2 class="result__title"><a class="result__a" rel="nofollow"
   href="//duckduckgo.com/l/?uddg=https%3A%2F%2Fnl.wikipedia.org%2Fwiki%2FZiggo&amp;rut=abc">Ziggo - Wikipedia</a></h2>
  <a class="result__url" href="//duckduckgo.com/l/?uddg=https%3A%2F%2Fnl.wikipedia.org%2Fwiki%2FZiggo"
   >nl.wikipedia.org/wiki/Ziggo</a>
  <a class="result__snippet" href="#">Ziggo is een Nederlands telecombedrijf.</a></div></div>
 <div class="results--ads"><div class="result results_links result--ad" id="ra-1"><div class="result__body">
  <h2 class="result__title"><a class="result__a" href="{yjs("https://helpdesk-bellen.nl/")}">Helpdesk Bellen</a>
  <span class="badge--ad-wrap"><a class="badge--ad" href="#">Advertentie</a></span></h2>
  <a class="result__url" href="{yjs("https://helpdesk-bellen.nl/")}">helpdesk-bellen.nl</a>
  <div class="result__snippet">Bel 085 123 4567</div></div></div></div>
 <div class="result result--more" id="rld-1"><a class="result--more__btn" href="javascript:;">Meer resultaten</a></div>
</div></div>
<div class="results--sidebar js-results-sidebar"><div class="sidebar-modules"></div>
 <div class="js-sidebar-ads results--ads results--ads--rrail">
  <div class="result results_links result--ad result--ad--small" id="ra-2"><div class="result__body">
  <h2 class="result__title"><a class="result__a" href="{yjs("https://klantendienst-nu.nl/bel")}">Klantendienst Nu</a>
  <span class="badge--ad-wrap"><a class="badge--ad" href="#">Advertentie</a></span></h2>
  <a class="result__url" href="{yjs("https://klantendienst-nu.nl/bel")}">klantendienst-nu.nl</a>
  <div class="result__snippet">Bel 0900-8844 (€ 0,90 p/m)</div></div></div></div>
</div></div></body></html>"""


def test_dutch_ads_old_markup():
    p = duckduckgo.parse(OLD, "https://duckduckgo.com/?q=ziggo+klantenservice&kl=nl-nl&ia=web")
    assert p.status == "ok" and p.query == "ziggo klantenservice"
    assert [(r.kind, r.placement, r.rank) for r in p.results] == [
        ("ad", "top", 1), ("organic", "main", 1), ("organic", "main", 2), ("ad", "bottom", 1), ("ad", "side", 1)]
    (top,) = of(p, "ad", "top")
    assert (top.title, top.display_url, top.domain) == (
        "Ziggo Klantenservice 24/7", "www.snelle-klantenservice.nl/ziggo", "snelle-klantenservice.nl")
    assert top.landing_url == "https://www.snelle-klantenservice.nl/ziggo"  # y.js u3= -> Bing u=a1...
    assert top.click_url == yjs("https://www.snelle-klantenservice.nl/ziggo")
    assert [(ph.e164, ph.number_type, ph.channel) for ph in top.phones] == [
        ("+31612345678", "mobile", "whatsapp"), ("+319001234567", "premium_rate", "text")]
    assert "Advertentie" in top.text and "Your browser" not in top.text
    (bottom,) = of(p, "ad", "bottom")
    assert (bottom.domain, bottom.landing_url, numbers(bottom)) == (
        "helpdesk-bellen.nl", "https://helpdesk-bellen.nl/", {"+31851234567"})
    (side,) = of(p, "ad", "side")
    assert (side.domain, numbers(side)) == ("klantendienst-nu.nl", {"+319008844"})


def test_dutch_organic_and_hidden_numbers_old_markup():
    p = duckduckgo.parse(OLD)
    contact, wiki = of(p, "organic")
    assert (contact.title, contact.landing_url, contact.click_url, contact.domain) == (
        "Contact | Ziggo", "https://www.ziggo.nl/contact", None, "ziggo.nl")
    assert contact.display_url == "https://www.ziggo.nl/contact" and numbers(contact) == {"+318001234567"}
    # html.duckduckgo.com wraps links in /l/?uddg=: decoded, the wrapper kept as evidence
    assert wiki.landing_url == "https://nl.wikipedia.org/wiki/Ziggo" and wiki.domain == "wikipedia.org"
    assert wiki.click_url.startswith("https://duckduckgo.com/l/?uddg=")
    everything = {ph.e164 for ph in p.phones()}
    for hidden in ("+319007654321", "+319002222222", "+319001111111"):  # is-hidden, display:none, <script>
        assert hidden not in everything


REACT = f"""<!DOCTYPE html><html lang="nl-NL"><head><title>ziggo klantenservice op DuckDuckGo</title></head><body>
<form id="search_form"><input id="search_form_input" name="q" value="ziggo klantenservice"></form>
<section data-area="mainline"><ol class="react-results--main">
<li data-layout="ad"><div><article data-testid="ad" id="r1-a0">
  <div><a data-testid="result-extras-url-link" href="{yjs("https://www.snelle-klantenservice.nl/")}"
   ><span>snelle-klantenservice.nl</span></a></div>
  <h2><a data-testid="result-title-a" href="{yjs("https://www.snelle-klantenservice.nl/")}"
   ><span>Ziggo Klantenservice Bellen</span></a></h2>
  <div><span>Advertentie</span><span>Direct een medewerker: 0900 1234567</span></div></article></div></li>
<li data-layout="organic"><article data-testid="result" id="r1-0">
  <div><a data-testid="result-extras-url-link" href="https://www.ziggo.nl/klantenservice"
   ><span>www.ziggo.nl</span><span> › klantenservice</span></a></div>
  <h2><a data-testid="result-title-a" href="https://www.ziggo.nl/klantenservice"
   ><span>Klantenservice | Ziggo</span></a></h2>
  <div data-result="snippet"><span>Bel 0800 1234567 (gratis).</span></div></article></li>
<li data-layout="ad"><div><article data-testid="ad" id="r1-a1">
  <h2><a data-testid="result-title-a" href="{yjs("https://helpdesk-bellen.nl/ziggo")}"
   ><span>Helpdesk Bellen</span></a></h2>
  <div><span>Gesponsord</span> Bel 085 123 4567</div></article></div></li>
</ol></section>
<section data-area="sidebar"><div data-testid="about-module"><h2>Ziggo</h2><p>Telecombedrijf.</p>
  <a href="https://nl.wikipedia.org/wiki/Ziggo">Wikipedia</a></div></section></body></html>"""


def test_dutch_react_markup():
    p = duckduckgo.parse(REACT)
    assert p.status == "ok" and p.query == "ziggo klantenservice"
    assert [(r.kind, r.placement, r.rank, r.domain) for r in p.results] == [
        ("ad", "top", 1, "snelle-klantenservice.nl"), ("organic", "main", 1, "ziggo.nl"),
        ("ad", "bottom", 1, "helpdesk-bellen.nl"), ("knowledge_panel", "side", 1, "wikipedia.org")]
    top, organic, bottom, panel = p.results
    assert top.title == "Ziggo Klantenservice Bellen" and top.display_url == "snelle-klantenservice.nl"
    assert top.landing_url == "https://www.snelle-klantenservice.nl/" and numbers(top) == {"+319001234567"}
    assert organic.display_url == "www.ziggo.nl › klantenservice" and numbers(organic) == {"+318001234567"}
    assert organic.landing_url == "https://www.ziggo.nl/klantenservice" and organic.click_url is None
    assert bottom.landing_url == "https://helpdesk-bellen.nl/ziggo" and numbers(bottom) == {"+31851234567"}
    assert panel.title == "Ziggo"


def test_parse_is_pure(serp_fixture, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("parse() touched the network")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    html = serp_fixture(FIXTURE)
    assert duckduckgo.parse(html) == duckduckgo.parse(html)
    assert duckduckgo.parse(OLD) == duckduckgo.parse(OLD)
