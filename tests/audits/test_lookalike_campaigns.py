"""The rules lookalike_domain and own_ad_unpublished_number, and campaigns across brands (no browser)."""

from __future__ import annotations

import pytest

from audits.brands import Brand
from audits.campaigns import campaign_summaries, page_fingerprint
from audits.lookalike import imitation
from tests.support.findings_world import KPN, MOBILE, PREMIUM, Nights, ad

TELNOVA = Brand("Telnova", ("telnova.nl",), ())


@pytest.mark.parametrize("host", [
    "www.telnova-klantenservice.nl",  # hyphenated brand name
    "telnovaklantenservice.nl",
    "te1nova.nl",  # digit one for the letter l
    "xn--tlnova-3of.nl",  # Cyrillic е, as punycode
    "tеlnova.nl",  # Cyrillic е, as Unicode
    "telnovva.nl",  # a doubled letter
    "tlenova.nl",  # two letters swapped
    "telnova.hulp-nl.com",  # the brand as a subdomain
])
def test_lookalikes_are_caught(host):
    assert imitation(host, TELNOVA)


@pytest.mark.parametrize("host", [
    "www.telnova.nl", "klant.telnova.nl",  # the brand's own
    "nl.wikipedia.org", "telnova.startpagina.nl", "www.klantenservicegids.nl",  # neutral sites
    "energie-vergelijken.nl", "booking.com",  # ordinary words
])
def test_own_and_neutral_sites_are_not_lookalikes(host):
    assert imitation(host, TELNOVA) is None
    assert imitation(host, Brand("Energiq", ("energiq.nl",), ())) is None
    assert imitation(host, Brand("ING", ("ing.nl",), ())) is None


def test_lookalike_findings_with_and_without_a_number_and_only_for_ads_and_the_top_3():
    w = Nights()
    w.night({("KPN", "google", "desktop"): [
        ad(None, "kpn-storing.nl"),  # an ad without a number
        ad(None, "kpn-forum.nl", kind="organic", placement="main", rank=2),
        ad(None, "kpn-tips.nl", kind="organic", placement="main", rank=5),  # below the top 3
        ad(None, "kpn.com", kind="organic", placement="main", rank=1),  # the brand's own
    ]})
    got = {(f["advertiser_domain"], f["verdict"], f["severity"]) for f in w.store.query_findings()}
    assert got == {("kpn-storing.nl", "scam", "high"), ("kpn-forum.nl", "suspect", "medium")}


def test_the_brands_own_ad_with_an_unpublished_number_is_low_and_for_analysts_only():
    w = Nights()
    w.night({("KPN", "google", "desktop"): [ad(MOBILE, "kpn.com", number_type="mobile"),
                                            ad("+318000402", "kpn.com", rank=2)]})  # official: fine
    (f,) = w.store.query_findings()
    assert (f["rule"], f["e164"], f["severity"], f["platform"], f["platforms"]) == (
        "own_ad_unpublished_number", MOBILE, "low", "", [])


def test_one_number_for_two_brands_on_two_domains_is_one_campaign():
    w = Nights()
    w.night({("KPN", "google", "desktop"): [ad(PREMIUM, "snelhulp-nl.com")],
             ("ING", "google", "desktop"): [ad(MOBILE, "bank-hulp.nl", number_type="mobile")]})
    assert len({f["campaign"] for f in w.store.query_findings()}) == 2  # nothing shared yet
    # night 2: the KPN scammer's number shows up in ING's ad on bank-hulp.nl (the same ad, now with two
    # numbers: one case), joining both campaigns
    w.night({("ING", "google", "desktop"): [ad(PREMIUM, "bank-hulp.nl", rank=2)]})
    findings = w.store.query_findings()
    assert len(findings) == 2 and len({f["campaign"] for f in findings}) == 1
    ing = next(f for f in findings if f["brand"] == "ING")
    assert sorted(ing["numbers"]) == sorted([PREMIUM, MOBILE])
    (summary,) = campaign_summaries(w.store)
    assert summary["brands"] == ["ING", "KPN"] and summary["findings"] == 2
    assert summary["headline"].startswith(f"{PREMIUM} advertised for 2 brands on 2 domains since ")


def test_a_display_url_on_the_brands_own_domain_joins_nothing():
    w = Nights()
    w.night({("KPN", "google", "desktop"): [ad(PREMIUM, "snelhulp-nl.com", display="www.kpn.com")],
             ("ING", "google", "desktop"): [ad(MOBILE, "bank-hulp.nl", display="www.kpn.com",
                                               number_type="mobile")]})
    assert len({f["campaign"] for f in w.store.query_findings()}) == 2
    assert KPN.owns("www.kpn.com")


def test_the_same_page_under_other_domains_and_numbers_has_one_fingerprint():
    page = "<h1>Klantenservice {d}</h1><p>Bel direct {n}: wij helpen je 24 uur per dag met al je vragen.</p>"
    a = page_fingerprint(page.format(d="kpn-hulp.nl", n="0900 1234 567"))
    b = page_fingerprint(page.format(d="ing-hulp.nl", n="0900 7654 321"))
    assert a and a == b
    assert page_fingerprint("<p>Bel ons</p>") is None  # too little text to tell pages apart
