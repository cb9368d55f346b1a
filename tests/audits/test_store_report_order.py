"""The store streams a night's findings in the report's order (audits.store_report): SQL's ORDER BY is
reports.context.sort_key, case-folding, unknown severities, numeric ranks and ties included."""

from __future__ import annotations

from reports.context import sort_key
from tests.support.big_night import big_night


def test_a_nights_findings_stream_in_the_order_the_report_sorts_them(tmp_path):
    store, run_id = big_night(tmp_path)
    streamed = list(store.report_findings(run_id))
    assert streamed == sorted(store.findings(run_id=run_id), key=sort_key)  # the same rows, in the same order
    assert len({f["id"] for f in streamed}) == len(streamed) == 120
    brands = list(dict.fromkeys(f["brand"] for f in streamed))
    assert brands.index("ärbeid") < brands.index("Ärger") and brands.index("Straße") < brands.index("STRASSEN")


def test_only_the_run_asked_for_and_the_rule_asked_for(tmp_path):
    store, run_id = big_night(tmp_path)
    other = store.start_run("run", "2026-12-01T02:00:00+00:00")
    store.upsert_findings(other, [{"brand": "zorg", "e164": "+319001111111", "verdict": "scam", "severity": "high",
                                   "kind": "ad", "engine": "google", "domain": "x.example",
                                   "captured_at": "2026-12-01T02:00:00+00:00"}])
    assert [f["e164"] for f in store.report_findings(other)] == ["+319001111111"]
    assert len(list(store.report_findings(run_id))) == 120
    assert list(store.report_findings(run_id, rule="ai_answer_number")) == []
