"""Rule ai_answer_number: a number in an engine's AI answer that the brand does not publish is a high-severity
finding of its own, kept out of every ad platform's CSV; an official number is fine; a brand without phone
support has every number in an answer flagged."""

from __future__ import annotations

from audits.brands import Brand
from audits.rules import audit
from audits.store import Store
from reports.context import ReportContext
from reports.platforms import to_report

T1 = "2026-12-03T02:00:00Z"
TELNOVA = Brand("Telnova", ("telnova.nl",), ("https://www.telnova.nl/klantenservice",))
CLOUDORA = Brand("Cloudora", ("cloudora.nl",), phone_support=False)
OFFICIAL, SCAM, FORUM = "+318000234567", "+319002233445", "+31203698512"


def _phone(e164: str, number_type: str = "premium_rate") -> dict:
    return {"raw": e164, "e164": e164, "number_type": number_type, "channel": "text", "found_in": "text"}


def _answer(phones: list[dict], engine: str = "google") -> dict:
    return {"kind": "ai_answer", "placement": "top", "rank": 1, "title": "AI-overzicht", "display_url": None,
            "landing_url": None, "click_url": None, "domain": None, "text": "Bel ...", "phones": phones,
            "box": [0, 120, 650, 300], "above_fold": True, "answer_state": "complete",
            "sources": [{"url": "https://forum.klantvragen.nl/t/1", "title": "Bellen", "domain": "klantvragen.nl"}]}


def _store():
    store = Store(":memory:")
    store.upsert_brands([TELNOVA, CLOUDORA])
    run = store.start_run("nightly", T1)
    store.record_official("Telnova", _phone(OFFICIAL, "toll_free"), "https://www.telnova.nl/klantenservice",
                          "contact", T1, run)
    store.record_harvest(run, "Telnova", "ok", "1 number", T1)
    store.record_harvest(run, "Cloudora", "empty", "no phone support", T1)
    return store, run


def _capture(store, run, brand: str, results: list[dict], engine: str = "google") -> None:
    cap = {"run_id": run, "brand": brand, "engine": engine, "query": f"{brand} klantenservice", "device": "desktop",
           "captured_at": T1, "status": "ok", "html_path": f"{engine}.html"}
    store.record_capture(cap, {"engine": engine, "status": "ok", "query": cap["query"], "results": results})


def test_an_unpublished_number_in_an_answer_is_a_high_finding_and_the_official_one_is_fine():
    store, run = _store()
    _capture(store, run, "Telnova", [_answer([_phone(OFFICIAL, "toll_free"), _phone(SCAM)])])
    _capture(store, run, "Telnova", [_answer([_phone(SCAM)], "bing")], engine="bing")
    result = audit(store, run)
    # one case per engine's answer and number: each engine is asked to correct its own answer
    assert [(f.brand, f.rule, f.e164, f.verdict, f.severity, f.engines) for f in result.findings] == [
        ("Telnova", "ai_answer_number", SCAM, "scam", "high", ("bing",)),
        ("Telnova", "ai_answer_number", SCAM, "scam", "high", ("google",))]
    for case in result.findings:
        assert (case.kind, case.case_kind, case.platform, case.platforms) == ("ai_answer", "ai_answer", "", ())
        assert case.key == ("Telnova", case.engine, "ai_answer", SCAM)


def test_a_brand_without_phone_support_has_every_number_in_an_answer_flagged():
    store, run = _store()
    _capture(store, run, "Cloudora", [_answer([_phone(FORUM, "fixed_line"), _phone(OFFICIAL, "toll_free")])])
    found = {(f.e164, f.rule, f.verdict, f.severity) for f in audit(store, run).findings}
    assert found == {(FORUM, "ai_answer_number", "scam", "high"), (OFFICIAL, "ai_answer_number", "scam", "high")}


def test_ai_answer_findings_never_go_to_an_ad_platform():
    store, run = _store()
    ad = {**_answer([_phone(SCAM)]), "kind": "ad", "rank": 2, "landing_url": "https://www.belhulp24.com/",
          "domain": "belhulp24.com", "answer_state": None, "sources": []}
    _capture(store, run, "Telnova", [_answer([_phone(SCAM)]), ad])
    audit(store, run)
    rows = store.findings()
    assert {r["rule"] for r in rows} == {"ai_answer_number", "unofficial_number"}

    ctx = ReportContext(now=T1)
    for platform in ("google_ads", "microsoft_advertising"):
        assert all(r["rule"] != "ai_answer_number" for r in to_report(rows, platform, ctx))
    assert [r["rule"] for r in to_report(rows, "google_ads", ctx)] == ["unofficial_number"]  # the ad does go
