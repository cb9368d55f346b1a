"""advertiser_domain: click trackers unwrapped from the tracker table, never taken as the advertiser."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest

from crawler.engines import bing, duckduckgo, google
from crawler.trackers import TrackerTableError, advertiser, is_tracker, load_table, unwrap

SHOP = "https://www.telnova-support.nl/klantenservice?utm_source=google"

TRACKED = {
    "DoubleClick Search": "https://clickserve.dartsearch.net/link/click?lid=43700012345&ds_s_kwgid=58700001&ds_dest_url="
    + quote(SHOP, safe=""),
    "DoubleClick CM": "https://ad.doubleclick.net/ddm/clk/123456789;987654;q;dc_trk_aid=1;dc_lat=?" + SHOP,
    "DoubleClick via Search Ads": "https://ad.doubleclick.net/searchads/link/click?lid=1&ds_dest_url="
    + quote(SHOP, safe=""),
    "Marin": "https://tracker.marinsm.com/rd?cid=1234abc&mid=1234abc&mkwid=sXyz&pcrid=123&lp=" + quote(SHOP, safe=""),
    "Kenshoo": "https://6102.xg4ken.com/trk/v1?prof=1234&camp=5678&affcode=kw1&cid=abc&url=" + quote(SHOP, safe=""),
    "Kenshoo url[]": "https://6102.xg4ken.com/media/redir.php?prof=1&camp=2&affcode=kw&url[]=" + quote(SHOP, safe=""),
    "Adobe": "http://pixel.everesttech.net/3085/cq?ev_sid=10&ev_ltx=&url=" + quote(SHOP, safe=""),
    "Adform": "https://track.adform.net/C/?bn=123;crtbwp=x;cpdir=" + quote(SHOP, safe=""),
    "Awin": "https://www.awin1.com/cread.php?awinmid=1&awinaffid=2&ued=" + quote(SHOP, safe=""),
    "double-encoded": "https://clickserve.dartsearch.net/link/click?ds_dest_url="
    + quote(quote(SHOP, safe=""), safe=""),
}


@pytest.mark.parametrize("name", sorted(TRACKED))
def test_each_tracker_in_the_table_is_unwrapped(name):
    url = TRACKED[name]
    assert is_tracker(url)
    assert unwrap(url) == (SHOP, 1)
    assert advertiser(url, "www.telnova.nl") == ("telnova-support.nl", "unwrapped")


def test_nested_trackers_google_ad_through_doubleclick_search():
    inner = TRACKED["DoubleClick Search"]
    click = "https://www.googleadservices.com/pagead/aclk?sa=L&ai=DChc&adurl=" + quote(inner, safe="")
    assert unwrap(click) == (SHOP, 2)
    assert advertiser(click, None) == ("telnova-support.nl", "unwrapped")


def test_bing_click_with_base64_destination():
    import base64

    u = "a1" + base64.urlsafe_b64encode(TRACKED["Marin"].encode()).decode().rstrip("=")
    assert advertiser(f"https://www.bing.com/aclk?ld=e8x&u={u}", None) == ("telnova-support.nl", "unwrapped")


def test_plain_landing_url_is_the_advertisers_own():
    assert advertiser(SHOP, "www.telnova.nl") == ("telnova-support.nl", "url")
    assert not is_tracker(SHOP)


def test_tracker_that_hides_its_destination_falls_back_to_the_claimed_display_url():
    for hidden in ("https://clickserve.dartsearch.net/link/click?lid=1&ds_s_kwgid=2", "https://bit.ly/3xYz",
                   "https://6102.xg4ken.com/trk/v1?prof=1&camp=2"):
        assert unwrap(hidden)[0] is None
        assert advertiser(hidden, "www.telnova.nl › klantenservice") == ("telnova.nl", "claimed")
        assert advertiser(hidden, None) == (None, None)


def test_tracker_as_display_url_is_not_claimed():
    assert advertiser(None, "bit.ly/abc") == (None, None)


def test_tracker_param_that_is_not_a_url_is_not_followed():
    assert unwrap("https://tracker.marinsm.com/rd?lp=javascript:alert(1)")[0] is None


def test_table_errors_name_the_file_and_entry(tmp_path: Path):
    bad = tmp_path / "trackers.toml"
    bad.write_text('[[tracker]]\nname = "x"\nhosts = []\n', encoding="utf-8")
    with pytest.raises(TrackerTableError, match=r"trackers.toml: tracker\[0\]: field 'hosts'"):
        load_table(bad)
    bad.write_text('[[tracker]]\nhosts = ["a.nl"]\nparam = ["u"]\n', encoding="utf-8")
    with pytest.raises(TrackerTableError, match="unknown field 'param'"):
        load_table(bad)


# --- in the parsers ---------------------------------------------------------------------------------------


def _google_ad(adurl: str, display: str = "www.telnova.nl") -> str:
    click = "https://www.googleadservices.com/pagead/aclk?sa=L&ai=x&adurl=" + quote(adurl, safe="")
    return f"""<html><body><form id="tsf"><input name="q" value="telnova klantenservice"></form>
    <div id="tads"><div data-text-ad="1"><a href="{click}"><div role="heading">Telnova Helpdesk</div>
    <span>Gesponsord</span><cite>{display}</cite></a><div>Bel 0900 1234 567</div></div></div>
    <div id="rso"><div class="g"><a href="https://www.telnova.nl/"><h3>Telnova</h3></a></div></div>
    </body></html>"""


def test_google_ad_through_a_tracker_names_the_advertiser():
    page = google.parse(_google_ad(TRACKED["DoubleClick Search"]), "https://www.google.nl/search?q=x")
    ad = page.results[0]
    assert ad.kind == "ad" and ad.landing_url.startswith("https://clickserve.dartsearch.net/link/click?")  # as shown
    assert ad.domain == "dartsearch.net"
    assert (ad.advertiser_domain, ad.advertiser_domain_source) == ("telnova-support.nl", "unwrapped")
    organic = page.results[1]
    assert (organic.advertiser_domain, organic.advertiser_domain_source) == ("telnova.nl", "url")
    assert page.to_dict()["results"][0]["advertiser_domain"] == "telnova-support.nl"


def test_google_ad_through_a_hiding_tracker_is_claimed():
    page = google.parse(_google_ad("https://bit.ly/abc", "www.telnova-hulp.nl"), "https://www.google.nl/search?q=x")
    assert (page.results[0].advertiser_domain, page.results[0].advertiser_domain_source) == (
        "telnova-hulp.nl", "claimed")


TRACKER_DOMAINS = {"dartsearch.net", "doubleclick.net", "marinsm.com", "xg4ken.com", "everesttech.net",
                   "googleadservices.com", "bing.com", "duckduckgo.com", "yahoo.com"}


@pytest.mark.parametrize("engine,name", [
    (duckduckgo, "duckduckgo/2019-desktop-en-ads-top-bottom-side.html"),
    (bing, "bing/2019-desktop-de-ch-top-bottom-side-ads.html"),
    (bing, "bing/2021-desktop-en-coffee.html"),
    (google, "google/2019-desktop-de-ch-cloud-services-call-extensions.html"),
    (google, "google/2023-mobile-en-dell.html"),
])
def test_real_pages_every_ad_has_an_advertiser_that_is_no_tracker(engine, name, serp_fixture):
    ads = [r for r in engine.parse(serp_fixture(name)).results if r.kind in ("ad", "shopping_ad")]
    assert ads
    for ad in ads:
        assert ad.advertiser_domain and ad.advertiser_domain not in TRACKER_DOMAINS, (ad.title, ad.landing_url)
        assert ad.advertiser_domain_source in ("url", "unwrapped", "claimed")


def test_real_duckduckgo_adobe_ad_through_adobe_advertising_cloud(serp_fixture):
    page = duckduckgo.parse(serp_fixture("duckduckgo/2019-desktop-en-ads-top-bottom-side.html"))
    adobe = [r for r in page.results if r.domain == "everesttech.net"]
    assert len(adobe) == 1
    assert (adobe[0].advertiser_domain, adobe[0].advertiser_domain_source) == ("adobe.com", "unwrapped")


def test_the_host_index_finds_the_tracker_a_scan_of_the_table_finds():
    # every host a table entry names, with subdomains, lookalikes and unrelated hosts, against the table in order
    import random

    from crawler.trackers import _table, tracker_of

    table = _table()
    rng = random.Random(22)
    hosts = {"", "x", "localhost", "www.telnova.nl", "bing.com.evil.nl", "evilbing.com", "google", "google.",
             "www.google.nl", "google.co.uk", "ad.doubleclick.net.nl", "doubleclick.net"}
    for t in table:
        for h in t.hosts:
            bare = h.replace("*", rng.choice(["nl", "com", "co.uk", "x.y"]))
            hosts |= {bare, "a." + bare, "a.b." + bare, "x" + bare, bare + ".nl", bare.split(".", 1)[-1]}
    paths = {p for t in table for p in t.paths} | {"/", "", "/aclk", "/x/y", "/ddm/clk/1", "/link/click"}
    checked = 0
    for host in sorted(hosts):
        for path in sorted(paths):
            url = f"https://{host}{path}?q=1"
            expected = next((t for t in table if t.matches(host.lower(), path)), None)
            assert tracker_of(url) == expected, url
            checked += expected is not None
    assert checked > 50
