"""A stored night of a hundred-odd cases that sort in every way the report's order has to get right.

Brands only case-folding orders as Python does (``Straße`` before ``STRASSEN``, ``ärbeid`` before ``Ärger``:
SQLite's ``lower`` folds ASCII only), every severity and verdict and ones outside them, ranks past 9 (numbers, not
text), cases alike but for when they were seen (the tie the store's own order breaks), shared numbers
(campaigns), every triage state, Google and Bing ads, and a crop for some.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from audits.brands import Brand
from audits.store import Store
from tests.support.ad_store import PNG

NIGHT = "2026-11-30T02:00:00+00:00"
BRANDS = ("Telnova", "telnova", "Straße", "STRASSEN", "Ärger", "ärbeid", "Bankiva", "zorg")
SEVERITIES = ("high", "low", "medium", None, "critical")
VERDICTS = ("scam", "suspect", "inconclusive", "scam", "weird")
STATES = ("open", "confirmed", "reported", "dismissed", "resolved", "open", "open")


def big_night(tmp_path: Path, n: int = 120) -> tuple[Store, str]:
    """(store, run id) of one night of ``n`` cases; every seventh has a crop in ``tmp_path/evidence``."""
    evidence = tmp_path / "evidence"
    evidence.mkdir(parents=True, exist_ok=True)
    store = Store(tmp_path / "db.sqlite")
    store.upsert_brands([Brand(name=b, domains=(f"b{i}.nl",)) for i, b in enumerate(BRANDS)])
    run_id = store.start_run("run", NIGHT)
    store.finish_run(run_id, "complete", {"captures": {"ok": 40}}, NIGHT)
    rows: list[dict[str, Any]] = []
    for i in range(n):
        engine = "bing" if i % 4 == 1 else "google"
        crop = ""
        if i % 7 == 0:
            (evidence / f"crop{i}.png").write_bytes(PNG)
            crop = str(evidence / f"crop{i}.png")
        rows.append({
            "brand": BRANDS[i % len(BRANDS)], "e164": f"+3190{(i // 3) % 40:07d}", "raw": f"0900 {i:07d}",
            "number_type": "premium_rate", "verdict": VERDICTS[i % len(VERDICTS)],
            "severity": SEVERITIES[(i // 2) % len(SEVERITIES)], "reason": f"reason {i}", "kind": "ad",
            "engine": engine, "platform": "microsoft_advertising" if engine == "bing" else "google_ads",
            "domain": f"shared{i % 3}.example", "advertiser_domain": f"scam{i}.example",
            "query": f"q{i % 2}", "device": ("desktop", "mobile")[i % 2], "placement": ("top", "bottom")[i % 2],
            "rank": (i * 7) % 13, "title": f"=HYPERLINK(\"http://x\") <b>ad {i}</b>",
            "text": f"Bel 0900 {i:07d}\nline; =cmd|' /C calc'!A0", "evidence_path": crop,
            "captured_at": f"2026-11-30T02:{i % 60:02d}:00+00:00",  # cases alike but for this: the tie
        })  # fmt: skip
    store.upsert_findings(run_id, rows)
    with store.transaction():
        for i, f in enumerate(store.findings(run_id=run_id)):
            state = STATES[i % len(STATES)]
            store.update_finding(f["id"], status=("new", "recurring", "reopened")[i % 3],
                                 state=None if state == "open" and i % 2 else state)
    return store, run_id
