"""advertiser_domain step 2: a tracker that hides its destination is resolved by the landing visit."""

from __future__ import annotations

import sqlite_utils

from audits.store import Store
from serpaudit.night.advertiser import resolve_from_landings
from tests.audits.test_store import KPN, T1, capture, page, result

HIDDEN = "https://clickserve.dartsearch.net/link/click?lid=1&ds_s_kwgid=2"
UNWRAPPABLE = "https://clickserve.dartsearch.net/link/click?lid=1&ds_dest_url=https%3A%2F%2Fwww.kpn-hulp.nl%2F"


def _store() -> Store:
    s = Store(":memory:")
    s.upsert_brands([KPN])
    return s


def test_claimed_advertiser_is_replaced_by_the_landing_visits_final_url():
    s = _store()
    hidden = result(1, [], title="hidden", landing_url=HIDDEN, display_url="www.kpn.com", domain="dartsearch.net",
                    advertiser_domain="kpn.com", advertiser_domain_source="claimed")
    plain = result(2, [], title="plain", landing_url=UNWRAPPABLE, domain="dartsearch.net",
                   advertiser_domain="kpn-hulp.nl", advertiser_domain_source="unwrapped")
    unvisited = result(3, [], title="unvisited", landing_url="https://bit.ly/x", display_url="www.kpn-bellen.nl",
                       advertiser_domain="kpn-bellen.nl", advertiser_domain_source="claimed")
    s.record_capture(capture("r1"), page(hidden, plain, unvisited))
    via = {r["rank"]: r["id"] for r in s.results("r1")}
    landing_result = {k: v for k, v in hidden.items() if not k.startswith("advertiser")}
    s.record_capture(capture("r1", kind="landing", via_result_id=via[1],
                             final_url="https://www.kpn-storing-hulp.nl/bel"), page(landing_result))
    s.record_capture(capture("r1", kind="landing", via_result_id=via[3], status="error",
                             final_url="https://bit.ly/x"), None)

    assert resolve_from_landings(s, "r1") == 2  # the ad and the landing capture's copy of it
    rows = s.results("r1")
    by = {(r["capture_kind"], r["title"]): r for r in rows}
    assert (by[("serp", "hidden")]["advertiser_domain"], by[("serp", "hidden")]["advertiser_domain_source"]) \
        == ("kpn-storing-hulp.nl", "landing")
    assert by[("landing", "hidden")]["advertiser_domain"] == "kpn-storing-hulp.nl"
    assert by[("landing", "hidden")]["device"] == "desktop"  # the device of the result page it came from
    assert by[("serp", "plain")]["advertiser_domain_source"] == "unwrapped"  # read from the URL: kept
    # the visit failed: the display URL stays the only word, marked as a claim
    assert by[("serp", "unvisited")]["advertiser_domain_source"] == "claimed"
    assert resolve_from_landings(s, "r1") == 0  # idempotent


def test_old_database_gains_the_advertiser_columns(tmp_path):
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    db["results"].create({"id": str, "capture_id": str, "kind": str}, pk="id")
    Store(path)
    assert {"advertiser_domain", "advertiser_domain_source"} <= set(sqlite_utils.Database(path)["results"].columns_dict)


def test_a_resumed_run_does_not_open_a_landing_page_it_already_read(tmp_path):
    from crawler.browser import PageCapture
    from serpaudit.crawl.evidence import EvidenceFolder
    from serpaudit.night.landing import visit_landing_pages

    class CountingBrowser:
        def __init__(self, fail: set[str]) -> None:
            self.opened: list[str] = []
            self.fail = fail

        def visit(self, url: str) -> PageCapture:
            self.opened.append(url)
            status = 500 if url in self.fail else 200
            return PageCapture(url, url, status, "<html><body>Bel 0900 1234 567</body></html>", b"", "UA",
                               "desktop", T1, redirect_chain=(url,))

    s = _store()
    s.record_capture(capture("r1"), page(result(1, [], domain="kpn-hulp.nl"), result(2, [], domain="kpn-bel.nl")))
    evidence = EvidenceFolder(tmp_path, "r1")
    first = CountingBrowser(fail={"https://kpn-bel.nl/"})
    assert visit_landing_pages(first, s, "r1", {"KPN": KPN}, evidence, region="NL") == 1
    assert sorted(first.opened) == ["https://kpn-bel.nl/", "https://kpn-hulp.nl/"]
    # killed and resumed: only the page that failed is tried again
    again = CountingBrowser(fail=set())
    assert visit_landing_pages(again, s, "r1", {"KPN": KPN}, evidence, region="NL") == 2
    assert again.opened == ["https://kpn-bel.nl/"]


def test_a_tracker_that_names_its_destination_is_not_opened_the_destination_is():
    from serpaudit.night.landing import landing_targets

    def row(rank: int, landing_url: str) -> dict:
        return {**result(rank, [], landing_url=landing_url), "brand": "KPN"}

    own = "https://clickserve.dartsearch.net/link/click?lid=3&ds_dest_url=https%3A%2F%2Fwww.kpn.com%2Fservice"
    found = landing_targets([row(1, UNWRAPPABLE), row(2, HIDDEN), row(3, own)], {"KPN": KPN})
    targets = {t["landing_url"]: t["visit_url"] for t in found}
    assert targets == {UNWRAPPABLE: "https://www.kpn-hulp.nl/",  # the tracker would only log a click
                       HIDDEN: HIDDEN,  # hides where it leads: opened to find out
                       # the brand's own page too (an open redirect there would hide a scam site), marked so:
                       # its numbers are read only if the visit leaves the brand's domains
                       own: "https://www.kpn.com/service"}
    assert [t["landing_url"] for t in found if t.get("own_domain")] == [own]
