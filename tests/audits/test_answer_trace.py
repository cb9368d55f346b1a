"""Where an AI answer took its number from (audits.answer_trace), and AI-answer findings across brands and nights."""

from __future__ import annotations

from audits.answer_trace import check_sources, where_found
from audits.brands import Brand
from audits.campaigns import campaign_summary
from audits.lifecycle import apply_night
from audits.rules import audit
from audits.store import Store

SEEDED = "+319003322110"
FORUM = "https://forum.klantenvragen.nl/t/50977"
T = "2026-12-0{}T02:00:00Z"


def _src(url: str, domain: str) -> dict:
    return {"url": url, "title": url, "domain": domain}


def test_where_found_names_pages_by_host_and_path_and_pdfs_by_their_site():
    visits = {FORUM: {"status": "ok", "numbers": [SEEDED]},
              "https://www.docdeel.nl/d/x.pdf": {"status": "ok", "numbers": [SEEDED], "notes": "PDF, 2 page(s)"},
              "https://www.bank.nl/": {"status": "ok", "numbers": []},
              "https://www.scan.nl/s.pdf": {"status": "unread", "error": "PDF of 1 page(s) has no text layer"}}
    sources = [_src(FORUM, "klantenvragen.nl"), _src("https://www.docdeel.nl/d/x.pdf", "docdeel.nl"),
               _src("https://www.bank.nl/", "bank.nl"), _src("https://www.scan.nl/s.pdf", "scan.nl")]
    checks = check_sources(sources, visits, SEEDED)
    assert [c["carries"] for c in checks] == ["yes", "yes", "no", "not read"]
    assert where_found(checks) == ("found on forum.klantenvragen.nl/t/50977 and a PDF on docdeel.nl; "
                                   "1 other source(s) not read")
    assert where_found(checks[2:3]) == "on none of its 1 cited source(s)"
    assert where_found([]) == "the answer cites no source"


def _night(store: Store, n: int, answers: dict[str, bool]) -> str:
    run = store.start_run("run", T.format(n))
    for brand in ("Pakketpost Express", "Reisklok"):
        store.record_harvest(run, brand, "ok", "1 number", T.format(n))
        store.record_official(brand, {"raw": "088", "e164": "+31889901122" if brand[0] == "P" else "+31104506677",
                                      "number_type": "fixed_line", "channel": "text"},
                              "https://x/", "contact", T.format(n), run)
        phones = [{"raw": "0900 3322 110", "e164": SEEDED, "number_type": "premium_rate", "channel": "text"}]
        results = [{"kind": "ai_answer", "placement": "top", "rank": 1, "title": "Copilot", "text": "Bel 0900 3322 110",
                    "phones": phones if answers[brand] else [], "answer_state": "complete",
                    "sources": [_src(FORUM, "klantenvragen.nl")]}]
        store.record_capture({"run_id": run, "brand": brand, "engine": "bing", "query": f"{brand} klantenservice",
                              "device": "desktop", "captured_at": T.format(n), "status": "ok"},
                             {"engine": "bing", "status": "ok", "results": results})
    audit(store, run)
    apply_night(store, run, gone_after_nights=1)
    return run


def test_one_number_quoted_for_two_brands_is_one_campaign_and_lives_across_nights():
    store = Store(":memory:")
    store.upsert_brands([Brand("Pakketpost Express", ("pakketpostexpress.nl",)), Brand("Reisklok", ("reisklok.nl",))])
    _night(store, 1, {"Pakketpost Express": True, "Reisklok": True})
    findings = store.query_findings(rule="ai_answer_number")
    assert sorted(f["brand"] for f in findings) == ["Pakketpost Express", "Reisklok"]
    assert len({store.campaign_root(f["campaign"]) for f in findings}) == 1
    summary = campaign_summary(store, findings[0]["campaign"])
    assert summary is not None and summary["brands"] == ["Pakketpost Express", "Reisklok"]
    assert {f["status"] for f in findings} == {"new"}

    _night(store, 2, {"Pakketpost Express": True, "Reisklok": False})  # Reisklok's answer no longer quotes it
    by_brand = {f["brand"]: f for f in store.query_findings(rule="ai_answer_number", include_dismissed=True)}
    assert (by_brand["Pakketpost Express"]["status"], by_brand["Reisklok"]["status"]) == ("recurring", "gone")
