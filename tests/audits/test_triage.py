"""Triage that refuses mistakes: one state diagram, the case's own platform, dates that can be true, who."""

from __future__ import annotations

import itertools

import pytest

from audits.store_findings import STATES
from audits.triage import TRANSITIONS, TriageError, change_state, check_change, os_user
from tests.support.findings_world import MOBILE, PREMIUM, Nights, ad

G = ("KPN", "google", "desktop")
D = ("KPN", "duckduckgo", "desktop")


def _cases() -> tuple[Nights, dict[str, str]]:
    w = Nights()
    w.night({G: [ad(PREMIUM), ad(MOBILE, "bel-hulp.nl", kind="organic", placement="main", number_type="mobile")],
             D: [ad(MOBILE, "snelbellen.nl", number_type="mobile")]})  # fmt: skip
    ids = {f"{f['channel']}:{f['case_kind']}": f["id"] for f in w.store.query_findings()}
    assert set(ids) == {"google_ads:ad", "google:organic", "microsoft_advertising:ad"}
    return w, ids


def _args(new: str, channel: str) -> dict[str, str]:
    return {"reason": "why" if new == "dismissed" else "", "platform": channel if new == "reported" else "",
            "on": "2024-05-01" if new == "reported" else None}  # fmt: skip


@pytest.mark.parametrize(("old", "new"), list(itertools.product(STATES, STATES)))
def test_every_move_follows_the_one_state_diagram(old: str, new: str) -> None:
    w, ids = _cases()
    fid = ids["google_ads:ad"]
    w.store.update_finding(fid, state=old)
    before = w.store.finding(fid)
    if new in TRANSITIONS[old]:
        assert change_state(w.store, fid, new, by="ana", **_args(new, "google_ads"))["state"] == new
        assert w.store.finding_events(fid)[-1]["new_state"] == new
    else:
        with pytest.raises(TriageError, match=f"already {new}" if old == new else f"is {old}: it cannot become {new}"):
            change_state(w.store, fid, new, by="ana", **_args(new, "google_ads"))
        assert w.store.finding(fid) == before and w.store.finding_events(fid) == []


def test_the_refusals_the_issue_names() -> None:
    w, ids = _cases()
    ad_id = ids["google_ads:ad"]
    change_state(w.store, ad_id, "dismissed", reason="the brand's partner", by="ana")
    with pytest.raises(TriageError, match="dismissed: it cannot become resolved"):
        change_state(w.store, ad_id, "resolved", by="ana")
    with pytest.raises(TriageError, match="reason"):
        change_state(w.store, ids["google:organic"], "dismissed", reason="  ", by="ana")


def test_reported_goes_to_the_platform_of_the_cases_engine() -> None:
    w, ids = _cases()
    ms = ids["microsoft_advertising:ad"]  # a DuckDuckGo ad: Microsoft Advertising's
    with pytest.raises(TriageError, match="reported to microsoft_advertising, not google_ads"):
        change_state(w.store, ms, "reported", platform="google_ads", on="2024-05-01", by="ana")
    with pytest.raises(TriageError, match="needs --platform microsoft_advertising"):
        change_state(w.store, ms, "reported", on="2024-05-01", by="ana")
    assert change_state(w.store, ms, "reported", platform="microsoft_advertising", on="2024-05-01",
                        by="ana")["reported_platform"] == "microsoft_advertising"
    organic = ids["google:organic"]  # an organic result goes to the engine's own form
    with pytest.raises(TriageError, match="reported to google, not google_ads"):
        change_state(w.store, organic, "reported", platform="google_ads", on="2024-05-01", by="ana")
    assert change_state(w.store, organic, "reported", platform="google", on="2024-05-01", by="ana")["state"] == (
        "reported")


def test_a_report_date_is_neither_in_the_future_nor_before_the_first_sighting() -> None:
    w, ids = _cases()
    fid = ids["google_ads:ad"]  # first seen 2024-05-01
    for day, why in (("2999-01-01", "in the future"), ("2024-04-30", "before .* was first seen"),
                     ("01-05-2024", "not a date"), ("20240101", "not written YYYY-MM-DD"),
                     ("2024-W18-1", "not written YYYY-MM-DD")):  # fmt: skip
        with pytest.raises(TriageError, match=why):
            check_change(w.store, fid, "reported", platform="google_ads", on=day)
    assert w.store.finding(fid)["state"] == "open"
    assert change_state(w.store, fid, "reported", platform="google_ads", on="2024-05-01", by="ana")["reported_at"] == (
        "2024-05-01")


def test_every_event_says_who_the_os_user_by_default() -> None:
    w, ids = _cases()
    change_state(w.store, ids["google_ads:ad"], "confirmed")
    change_state(w.store, ids["google:organic"], "confirmed", by="ana@desk")
    assert w.store.finding_events(ids["google_ads:ad"])[0]["user"] == os_user()
    assert w.store.finding_events(ids["google:organic"])[0]["user"] == "ana@desk"


def test_a_command_naming_several_cases_changes_none_when_one_is_refused(tmp_path, monkeypatch) -> None:
    from audits.store import Store
    from serpaudit.app.errors import InputError
    from serpaudit.app.findings import findings_set_state

    db = tmp_path / "serpaudit.db"
    w = Nights(Store(db))
    w.night({G: [ad(PREMIUM)], D: [ad(MOBILE, "snelbellen.nl", number_type="mobile")]})
    google, ms = (f["id"] for f in sorted(w.store.query_findings(), key=lambda f: f["channel"]))
    (tmp_path / "serpaudit.toml").write_text('[serpaudit]\ndatabase = "serpaudit.db"\n')
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError, match="reported to microsoft_advertising, not google_ads"):
        findings_set_state(tmp_path / "serpaudit.toml", "reported", [google, ms], platform="google_ads",
                           on="2024-05-01")
    assert {f["state"] for f in Store(db).query_findings()} == {"open"}
    with pytest.raises(InputError, match="already open"):
        findings_set_state(tmp_path / "serpaudit.toml", "reopen", [google])
