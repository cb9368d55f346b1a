"""Tables of the audit store: columns, primary keys, foreign keys and indexes (no SQL here).

``audits.store`` creates them; the column names are the store's public data model
(they show up in Datasette and in the dicts the store returns).
"""

from __future__ import annotations

HARVEST_STATUSES = ("ok", "failed", "empty")
S, N = str, int
FINDING_COLUMNS = {
    "id": S, "brand": S, "e164": S, "engine": S, "kind": S, "domain": S, "number_type": S, "raw": S,
    "verdict": S, "reason": S, "severity": S, "platform": S, "query": S, "device": S, "placement": S,
    "rank": N, "title": S, "display_url": S, "landing_url": S, "click_url": S, "text": S,
    "captured_at": S, "html_path": S, "html_sha256": S, "screenshot_path": S, "screenshot_sha256": S,
    "evidence_path": S, "evidence_sha256": S,
    "first_seen": S, "last_seen": S, "first_run_id": S, "last_run_id": S,
    # across nights (issue 7; audits/store_findings.py): identity, lifecycle, triage, campaign, takedown
    "rule": S, "advertiser_domain": S, "status": S, "state": S, "times_seen": N, "nights_seen": N,
    "engines": S, "devices": S, "placements": S, "platforms": S, "absent_nights": N,
    "last_absent_night": S, "status_run_id": S,
    "gone_at": S, "reopened_at": S, "state_at": S, "state_reason": S, "reported_platform": S,
    "reported_at": S, "report_reference": S, "taken_down_at": S, "takedown_days": N, "campaign": S,
    "fingerprint": S,
}  # fmt: skip
TABLES: dict[str, tuple[dict[str, type], list[tuple[str, str, str]]]] = {
    "brands": (
        {"name": S, "domains": S, "contact_pages": S, "phone_support": N, "queries": S, "category": S,
         "note": S},
        [],
    ),
    "runs": ({"id": S, "command": S, "status": S, "started_at": S, "finished_at": S, "summary": S}, []),
    "harvests": (
        {"id": S, "run_id": S, "brand": S, "status": S, "detail": S, "at": S},
        [("run_id", "runs", "id"), ("brand", "brands", "name")],
    ),
    "official_numbers": (
        {"id": S, "brand": S, "e164": S, "raw": S, "number_type": S, "channel": S, "source_url": S,
         "found_by": S, "first_seen": S, "last_seen": S, "published": N, "manual": N, "removed": N,
         "reason": S, "removed_at": S, "run_id": S, "unpublished_run_id": S},
        [("brand", "brands", "name"), ("run_id", "runs", "id"), ("unpublished_run_id", "runs", "id")],
    ),
    "captures": (
        {"id": S, "run_id": S, "brand": S, "engine": S, "query": S, "device": S, "locale": S,
         "captured_at": S, "status": S, "page_status": S, "final_url": S, "user_agent": S,
         "html_path": S, "html_sha256": S, "screenshot_path": S, "screenshot_sha256": S, "error": S,
         "result_count": N,
         # landing visits: HTTP status of the page shown, redirect chain and refused navigations (JSON
         # lists of URLs), and notes (page read in part, screenshot clipped)
         "http_status": N, "redirect_chain": S, "refused": S, "notes": S},
        [("run_id", "runs", "id"), ("brand", "brands", "name")],
    ),
    "results": (
        {"id": S, "capture_id": S, "kind": S, "placement": S, "rank": N, "title": S, "display_url": S,
         "landing_url": S, "click_url": S, "domain": S, "text": S, "box": S, "above_fold": N,
         "evidence_path": S, "evidence_sha256": S, "advertiser_domain": S, "advertiser_domain_source": S,
         # AI answers (kind "ai_answer"): how far the answer got, and the pages it cites (a JSON list of
         # {url, title, domain})
         "answer_state": S, "sources": S},
        [("capture_id", "captures", "id")],
    ),
    "sightings": (
        {"id": S, "result_id": S, "capture_id": S, "raw": S, "e164": S, "number_type": S, "channel": S,
         "found_in": S},
        [("result_id", "results", "id"), ("capture_id", "captures", "id")],
    ),
    "findings": (
        FINDING_COLUMNS,
        [("brand", "brands", "name"), ("first_run_id", "runs", "id"), ("last_run_id", "runs", "id")],
    ),
}  # fmt: skip
INDEXES = {
    "captures": ["run_id"], "results": ["capture_id"], "sightings": ["capture_id", "result_id"],
    "harvests": ["run_id"], "official_numbers": ["brand"], "findings": ["brand"],
}  # fmt: skip
