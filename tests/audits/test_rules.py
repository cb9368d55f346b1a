from __future__ import annotations

from typing import Any

import pytest

from audits.brands import Brand
from audits.rules import AuditResult, Case, audit
from audits.store import Store

T1 = "2024-05-01T02:00:00Z"
KPN = Brand("KPN", ("kpn.com",), ("https://www.kpn.com/contact",), category="telecom")
ING = Brand("ING", ("ing.nl",), category="bank")
MS = Brand("Microsoft", ("microsoft.com",), phone_support=False)
OFFICIAL = "+318000402"  # KPN: 0800-0402
PREMIUM = "+319001234567"
MOBILE = "+31612345678"


def phone(e164: str, raw: str | None = None, number_type: str = "mobile", channel: str = "text") -> dict:
    return {"raw": raw or e164, "e164": e164, "number_type": number_type, "channel": channel}


def res(rank: int, phones: list[dict], kind: str = "ad", domain: str | None = "snelhulp-nl.com",
        placement: str = "top", **kw: Any) -> dict:  # fmt: skip
    r = {
        "kind": kind,
        "placement": placement,
        "rank": rank,
        "title": f"Result {rank}",
        "display_url": domain,
        "landing_url": f"https://{domain}/" if domain else None,
        "click_url": None,
        "domain": domain,
        "text": "Bel ons 24/7",
        "phones": phones,
        "box": None,
        "above_fold": True,
    }
    r.update(kw)
    return r


class World:
    def __init__(self) -> None:
        self.store = Store(":memory:")
        self.store.upsert_brands([KPN, ING, MS])
        self.run = self.store.start_run("nightly", T1)
        self.store.record_official("KPN", phone(OFFICIAL, "0800-0402", "toll_free"),
                                   "https://www.kpn.com/contact", "contact", T1, self.run)  # fmt: skip
        self.store.record_harvest(self.run, "KPN", "ok", "1 number", T1)
        self.store.record_harvest(self.run, "Microsoft", "empty", "no phone support", T1)

    def capture(self, brand: str, results: list[dict], engine: str = "google", device: str = "desktop",
                status: str = "ok") -> str:  # fmt: skip
        cap = {
            "run_id": self.run,
            "brand": brand,
            "engine": engine,
            "query": f"{brand} klantenservice",
            "device": device,
            "captured_at": T1,
            "status": status,
            "html_path": f"{engine}-{device}.html",
        }
        pg = {"engine": engine, "status": status, "query": cap["query"], "results": results}
        return self.store.record_capture(cap, pg)

    def audit(self) -> AuditResult:
        return audit(self.store, self.run)


@pytest.fixture
def world() -> World:
    return World()


def only(result: AuditResult) -> Case:
    assert len(result.findings) == 1, result.findings
    return result.findings[0]


def test_official_number_in_any_format_is_not_a_finding(world: World) -> None:
    world.capture(
        "KPN",
        [
            res(1, [phone(OFFICIAL, "+31 800 0402", "toll_free")]),
            res(2, [phone(OFFICIAL, "tel:08000402", "toll_free", "tel")], kind="organic"),
        ],
    )
    result = world.audit()
    assert result.findings == ()
    assert result.counts["sightings"] == 2 and result.counts["fine"] == 2


def test_brand_without_phone_support_any_number_is_scam(world: World) -> None:
    world.capture(
        "Microsoft",
        [
            res(
                1,
                [phone("+31201234567", number_type="fixed_line")],
                kind="organic",
                domain="pc-helpdesk.nl",
                placement="main",
            )
        ],
    )
    f = only(world.audit())
    assert (f.verdict, f.reason) == ("scam", "brand runs no phone customer service")
    assert f.severity == "medium" and f.platform == ""


def test_failed_or_missing_harvest_is_inconclusive_never_scam(world: World) -> None:
    world.store.record_harvest(world.run, "KPN", "failed", "HTTP 503", T1)
    world.capture("KPN", [res(1, [phone(PREMIUM, "0900-1234567", "premium_rate")])])
    world.capture("ING", [res(1, [phone(MOBILE)], domain="bank-hulp.nl")])  # no harvest recorded at all
    result = world.audit()
    assert [(f.brand, f.verdict, f.severity) for f in result.findings] == [
        ("ING", "inconclusive", "low"),
        ("KPN", "inconclusive", "low"),
    ]
    assert "official set unknown" in result.findings[1].reason and "failed" in result.findings[1].reason
    assert result.counts["scam"] == 0 and result.counts["inconclusive"] == 2


def test_own_domain_result_is_not_a_finding(world: World) -> None:
    world.capture(
        "KPN",
        [
            res(1, [phone(MOBILE)], kind="organic", domain="kpn.com", placement="main"),
            res(
                2,
                [phone(MOBILE)],
                kind="organic",
                domain=None,
                placement="main",
                landing_url="https://forum.kpn.com/t/1",
            ),
        ],
    )
    assert world.audit().findings == ()


def test_lookalike_domain_is_not_own(world: World) -> None:
    world.capture("KPN", [res(1, [phone(MOBILE)], domain="kpn.com.klantenservice-nl.com")])
    case = only(world.audit())
    # the number, and the domain dressed up as kpn.com: one ad, so one case with two reasons
    assert (case.key, case.verdict, case.numbers) == (
        ("KPN", "google_ads", "ad", "klantenservice-nl.com"), "scam", (MOBILE,))
    assert {(r["rule"], r["e164"]): r["verdict"] for r in case.reasons} == {
        ("unofficial_number", MOBILE): "scam", ("lookalike_domain", ""): "scam"}
    assert case.rules == ("lookalike_domain", "unofficial_number") and case.e164 == MOBILE


def test_verdicts_severities_and_platforms(world: World) -> None:
    world.capture(
        "KPN",
        [
            res(1, [phone(MOBILE)]),
            res(
                1,
                [phone(PREMIUM, number_type="premium_rate")],
                kind="organic",
                domain="bellen.nl",
                placement="main",
            ),
            res(
                2,
                [phone("+31201234567", number_type="fixed_line")],
                kind="organic",
                domain="startpagina.nl",
                placement="main",
            ),
        ],
    )
    world.capture("KPN", [res(1, [phone(MOBILE)], domain="snelhulp-nl.com")], engine="bing")
    world.capture("KPN", [res(1, [phone(MOBILE)], domain="snelhulp-nl.com")], engine="duckduckgo")
    got = {(f.engine, f.kind, f.e164): (f.verdict, f.severity, f.platform, f.platforms, f.engines)
           for f in world.audit().findings}
    # one case per ad and platform (brand, platform, "ad", advertiser domain): the same advertiser on Bing and
    # DuckDuckGo is one Microsoft Advertising case, its evidence the best-placed sighting, with every engine
    # it was seen on; on Google it is another case (another platform removes it)
    assert got == {
        ("google", "ad", MOBILE): ("scam", "high", "google_ads", ("google_ads",), ("google",)),
        # Bing's and DuckDuckGo's ads are Microsoft Advertising's: one case for that platform
        ("bing", "ad", MOBILE): ("scam", "high", "microsoft_advertising", ("microsoft_advertising",),
                                 ("bing", "duckduckgo")),
        ("google", "organic", PREMIUM): ("scam", "high", "", (), ("google",)),
        ("google", "organic", "+31201234567"): ("suspect", "medium", "", (), ("google",)),
    }


def test_formerly_published_number_is_suspect(world: World) -> None:
    world.store.record_official("KPN", phone("+31702343434", number_type="fixed_line"), "https://www.kpn.com/x",
                                "contact", T1, world.run)  # fmt: skip
    world.store.mark_unpublished("KPN", {OFFICIAL}, world.run)
    world.capture(
        "KPN",
        [
            res(
                1,
                [phone("+31702343434", number_type="fixed_line")],
                kind="organic",
                domain="gids.nl",
                placement="main",
            )
        ],
    )
    f = only(world.audit())
    assert f.verdict == "suspect" and "no longer publishes" in f.reason


def test_one_finding_per_key_keeps_best_ranked(world: World) -> None:
    world.capture(
        "KPN", [res(3, [phone(MOBILE), phone(MOBILE, "tel:+31612345678", channel="tel")])], device="desktop"
    )
    world.capture("KPN", [res(1, [phone(MOBILE, channel="call_button")])], device="mobile")
    world.capture("KPN", [res(1, [phone(MOBILE)], placement="bottom")], device="tablet")
    f = only(world.audit())
    assert (f.device, f.placement, f.rank) == ("mobile", "top", 1)


def test_blocked_captures_are_listed_as_not_audited(world: World) -> None:
    world.capture("KPN", [res(1, [phone(MOBILE)])], status="captcha")
    world.capture("KPN", [], engine="bing", status="consent")
    world.capture("KPN", [], engine="duckduckgo", status="empty")
    result = world.audit()
    assert result.findings == ()  # the captcha page's numbers are not audited
    assert sorted((c["engine"], c["status"]) for c in result.blocked) == [
        ("bing", "consent"),
        ("google", "captcha"),
    ]
    assert result.counts["blocked_captures"] == 2 and result.counts["audited_captures"] == 1


def test_audit_saves_findings_idempotently(world: World) -> None:
    world.capture("KPN", [res(1, [phone(PREMIUM, number_type="premium_rate")])])
    first = world.audit()
    second = world.audit()
    assert first.findings == second.findings
    (row,) = world.store.findings(run_id=world.run)
    assert (row["verdict"], row["platform"]) == ("scam", "google_ads")
    assert row["html_path"] == "google-desktop.html"
    assert audit(world.store, world.run, save=False).counts == first.counts


def test_a_crawl_without_its_own_harvest_uses_the_brands_latest_harvest(world: World) -> None:
    crawl_run = world.store.start_run("crawl", "2024-05-01T03:00:00Z")
    cap = {"run_id": crawl_run, "brand": "KPN", "engine": "google", "query": "KPN klantenservice",
           "device": "desktop", "captured_at": T1, "status": "ok"}  # fmt: skip
    world.store.record_capture(cap, {"results": [res(1, [phone(MOBILE)])]})
    assert only(audit(world.store, crawl_run, save=False)).verdict == "scam"  # the earlier harvest was ok
    # a newer harvest that failed makes the official set unknown again
    later = world.store.start_run("harvest", "2024-05-02T03:00:00Z")
    world.store.record_harvest(later, "KPN", "failed", "site down", "2024-05-02T03:00:05Z")
    assert only(audit(world.store, crawl_run, save=False)).verdict == "inconclusive"
    assert only(audit(world.store, crawl_run, harvest_run_id=world.run)).verdict == "scam"


def test_an_ad_whose_only_claim_to_the_brand_is_its_display_url_is_still_a_finding(world: World) -> None:
    # the page gave no landing URL; the display URL says kpn.com, which any advertiser can print
    world.capture("KPN", [res(1, [phone(MOBILE)], domain="kpn.com", landing_url=None)])
    finding = only(world.audit())
    assert (finding.e164, finding.verdict) == (MOBILE, "scam")


def test_a_number_made_official_by_hand_leaves_the_runs_findings_on_re_audit(world: World) -> None:
    world.capture("KPN", [res(1, [phone(MOBILE)])])
    world.audit()
    assert [f["e164"] for f in world.store.findings(run_id=world.run)] == [MOBILE]
    world.store.record_official("KPN", phone(MOBILE), "", "manual", T1, None, manual=True, reason="on the bill")
    world.audit()
    assert world.store.findings(run_id=world.run) == []
