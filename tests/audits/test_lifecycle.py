"""Findings across nights: identity, status, triage, allow-list, takedowns (store + audit, no browser)."""

from __future__ import annotations

import re

import pytest

from audits.cases import case_id
from audits.lifecycle import apply_night
from audits.rules import audit
from audits.takedowns import followup_due, takedown_stats
from audits.triage import TriageError, change_state
from tests.support.findings_world import MOBILE, PREMIUM, Nights, ad

G = ("KPN", "google", "desktop")
GM = ("KPN", "google", "mobile")
B = ("KPN", "bing", "desktop")
BM = ("KPN", "bing", "mobile")
D = ("KPN", "duckduckgo", "desktop")


def test_the_same_ad_on_later_nights_is_one_case_with_its_sightings_linked() -> None:
    w = Nights()
    run1, s1 = w.night({B: [ad(PREMIUM)], BM: [ad(PREMIUM)]})
    run2, _ = w.night({B: [ad(PREMIUM)], D: [ad(PREMIUM, placement="bottom")]})  # DuckDuckGo shows Microsoft's ads
    f = w.one(rule="unofficial_number")
    assert (f["times_seen"], f["nights_seen"]) == (2, 2)
    assert (f["first_seen"], f["last_seen"]) == ("2024-05-01T02:00:00Z", "2024-05-02T02:00:00Z")
    assert f["engines"] == ["bing", "duckduckgo"] and f["devices"] == ["desktop", "mobile"]
    assert f["placements"] == ["bottom", "top"] and f["platforms"] == ["microsoft_advertising"]
    assert (f["case_kind"], f["channel"], f["numbers"]) == ("ad", "microsoft_advertising", [PREMIUM])
    assert f["status"] == "recurring" and s1.new == [f["id"]]
    assert f["advertiser_domain"] == "snelhulp-nl.com"
    # every sighting points at the capture and result it came from
    sightings = w.store.finding_sightings(f["id"])
    assert len(sightings) == 4
    for s in sightings:
        result = w.store.result(s["result_id"])
        assert result and result["capture_id"] == s["capture_id"]
    assert {s["run_id"] for s in sightings} == {run1, run2}
    # auditing a night again and re-applying it changes nothing: still one row, seen twice
    audit(w.store, run2)
    apply_night(w.store, run2)
    again = w.one(rule="unofficial_number")
    assert (again["times_seen"], again["status"], len(w.store.finding_sightings(f["id"]))) == (2, "recurring", 4)


def test_ids_are_short_stable_and_typeable() -> None:
    fid = case_id("KPN", "google_ads", "ad", "snelhulp-nl.com")
    assert fid == case_id("KPN", "google_ads", "ad", "snelhulp-nl.com")
    assert re.fullmatch(r"[0-9a-hjkmnp-tv-z]{7}", fid)
    assert fid != case_id("KPN", "google_ads", "ad", "other.nl")
    assert fid != case_id("KPN", "microsoft_advertising", "ad", "snelhulp-nl.com")


def test_gone_only_after_audited_nights_and_a_blocked_night_proves_nothing() -> None:
    w = Nights(gone_after_nights=2)
    w.night({G: [ad(PREMIUM)]})
    _, s2 = w.night({G: "captcha"})  # the job was not audited: no evidence either way
    f = w.one(rule="unofficial_number")
    assert f["status"] == "new" and (f["absent_nights"] or 0) == 0 and s2.not_proven == 1
    w.night({G: "blocked"})
    w.night({G: []})  # audited, and the ad is not there: one absent night
    f = w.one(rule="unofficial_number")
    assert (f["status"], f["absent_nights"]) == ("new", 1)
    w.night({G: "consent"})
    _, s6 = w.night({G: [ad(None, "elders.nl", kind="organic", placement="main")]})
    f = w.one(rule="unofficial_number")
    assert (f["status"], f["gone_at"], s6.gone) == ("gone", "2024-05-06", [f["id"]])
    _, s7 = w.night({G: [ad(PREMIUM)]})
    f = w.one(rule="unofficial_number")
    assert (f["status"], f["reopened_at"], s7.reopened) == ("reopened", "2024-05-07", [f["id"]])
    assert (f["times_seen"], f["nights_seen"]) == (2, 2)
    w.night({G: [ad(PREMIUM)]})
    assert w.one(rule="unofficial_number")["status"] == "recurring"


def test_a_case_seen_on_two_engines_is_not_absent_while_one_of_them_is_blocked() -> None:
    w = Nights(gone_after_nights=1)
    w.night({D: [ad(PREMIUM)], B: [ad(PREMIUM)]})
    w.night({D: [], B: "captcha"})
    assert w.one(rule="unofficial_number")["status"] == "new"
    w.night({D: [], B: []})
    assert w.one(rule="unofficial_number")["status"] == "gone"


def test_each_triage_transition_is_recorded_with_time_states_reason_and_user() -> None:
    w = Nights()
    w.night({G: [ad(PREMIUM)], B: [ad(MOBILE, "bellen-hulp.nl", number_type="mobile")]})
    a = w.one(e164=PREMIUM)["id"]
    b = w.one(e164=MOBILE)["id"]
    assert change_state(w.store, a, "confirmed", by="ana")["state"] == "confirmed"
    with pytest.raises(TriageError, match="platform"):
        change_state(w.store, a, "reported", by="ana")
    f = change_state(w.store, a, "reported", platform="google_ads", reference="case-7", on="2024-05-01", by="ana")
    assert (f["state"], f["reported_platform"], f["reported_at"], f["report_reference"]) == (
        "reported", "google_ads", "2024-05-01", "case-7")
    assert change_state(w.store, a, "resolved", reason="ad removed", by="bo")["state"] == "resolved"
    with pytest.raises(TriageError, match="reason"):
        change_state(w.store, b, "dismissed", by="ana")
    with pytest.raises(TriageError, match="already"):
        change_state(w.store, b, "open", by="ana")
    events = [(e["old_state"], e["new_state"], e["reason"], e["user"], e["platform"])
              for e in w.store.finding_events(a)]
    assert events == [("open", "confirmed", "", "ana", ""), ("confirmed", "reported", "", "ana", "google_ads"),
                      ("reported", "resolved", "ad removed", "bo", "")]
    assert all(e["at"] for e in w.store.finding_events(a))
    # a resolved finding that shows up again needs attention again
    w.night({G: [ad(PREMIUM)]})
    assert w.one(e164=PREMIUM)["state"] == "open"
    assert w.store.finding_events(a)[-1]["user"] == "serpaudit"


def test_a_dismissal_allow_lists_number_and_domain_and_holds_on_later_nights() -> None:
    w = Nights()
    w.night({G: [ad(MOBILE, "bellen-hulp.nl", number_type="mobile")]})
    fid = w.one(e164=MOBILE)["id"]
    change_state(w.store, fid, "dismissed", reason="the brand's call centre partner", by="ana")
    assert w.store.allowed("KPN", MOBILE, "bellen-hulp.nl")["reason"] == "the brand's call centre partner"
    w.night({G: [ad(MOBILE, "bellen-hulp.nl", number_type="mobile")]})
    f = w.one(e164=MOBILE)
    assert (f["state"], f["times_seen"]) == ("dismissed", 2)  # still counted
    assert w.store.query_findings() == [] and len(w.store.query_findings(include_dismissed=True)) == 1
    assert w.store.query_findings(state="dismissed")[0]["id"] == fid
    # the allow-list outlives the finding: found anew (its row lost), the pair starts dismissed
    w.store.db.execute("delete from findings where id = ?", [fid])
    w.night({G: [ad(MOBILE, "bellen-hulp.nl", number_type="mobile")]})
    assert w.one(e164=MOBILE)["state"] == "dismissed"
    # another domain with the same number is not covered
    w.night({G: [ad(MOBILE, "andere-hulp.nl", number_type="mobile")]})
    assert w.one(e164=MOBILE, advertiser_domain="andere-hulp.nl")["state"] == "open"


def test_takedown_days_median_worst_and_followup_per_platform() -> None:
    w = Nights(gone_after_nights=3)
    w.night({G: [ad(PREMIUM)], B: [ad(MOBILE, "bellen-hulp.nl", number_type="mobile")]})
    a, b = w.one(e164=PREMIUM)["id"], w.one(e164=MOBILE)["id"]
    change_state(w.store, a, "reported", platform="google_ads", on="2024-05-01", by="ana")
    change_state(w.store, b, "reported", platform="microsoft_advertising", on="2024-05-01", by="ana")
    w.night({G: [ad(PREMIUM)], B: [ad(MOBILE, "bellen-hulp.nl", number_type="mobile")]})  # day 2: both live
    w.night({G: "captcha", B: [ad(MOBILE, "bellen-hulp.nl", number_type="mobile")]}, day=3)  # proves nothing
    w.night({G: [], B: [ad(MOBILE, "bellen-hulp.nl", number_type="mobile")]}, day=4)  # google ad gone
    fa = w.one(e164=PREMIUM)
    assert (fa["taken_down_at"], fa["takedown_days"]) == ("2024-05-04", 3)
    assert fa["status"] == "recurring"  # gone needs 3 absent nights; the takedown is the first one
    fb = w.one(e164=MOBILE)
    assert fb["taken_down_at"] is None
    assert followup_due(fb, 7, "2024-05-04") is False and followup_due(fb, 3, "2024-05-04") is True
    stats = {s["platform"]: s for s in takedown_stats(w.store, followup_days=3)}
    assert stats["google_ads"] | {} == {"platform": "google_ads", "reported": 1, "taken_down": 1, "still_live": 0,
                                        "followup_due": 0, "median_days": 3, "worst_days": 3}
    assert stats["microsoft_advertising"]["still_live"] == 1 and stats["microsoft_advertising"]["followup_due"] == 1
    assert stats["microsoft_advertising"]["median_days"] is None
