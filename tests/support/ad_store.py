"""A store holding one night of ads in every state a submission must tell apart (no browser, no sandbox)."""

from __future__ import annotations

from pathlib import Path

from audits.brands import Brand
from audits.cases import case_id
from audits.store import Store
from audits.triage import change_state

NIGHT = "2026-11-30T02:00:00+00:00"
# name -> (brand, number, advertiser domain, engine, verdict, what the analyst did or the lifecycle says)
ADS = {
    "open": ("Telnova", "+319001234567", "telnova-support.nl", "google", "scam", "new"),
    "confirmed": ("Telnova", "+319002023030", "telnova-hulp.nl", "google", "scam", "confirm"),
    "recurring": ("Energiq", "+319091234567", "energiq-storing.nl", "google", "suspect", "recurring"),
    "dismissed": ("Bankiva", "+31854012233", "bankiva-hulp.nl", "google", "scam", "dismiss"),
    "gone": ("Energiq", "+319097654321", "energiq-hulp.nl", "google", "scam", "gone"),
    "reported": ("Reisklok", "+319002233445", "reisklok-service.nl", "google", "scam", "reported"),
    "inconclusive": ("Heelzorg", "+319001112222", "heelzorg-hulp.nl", "google", "inconclusive", "new"),
    "bing": ("Telnova", "+319005556666", "telnova-help.nl", "bing", "scam", "new"),
}
PLATFORM = {"google": "google_ads", "bing": "microsoft_advertising"}
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82")


def ad_store(tmp_path: Path, settings_lines: str = "") -> tuple[Path, dict[str, str]]:
    """(settings file, name -> finding id) of a database with the night of :data:`ADS` and their evidence."""
    evidence = tmp_path / "evidence" / "night"
    evidence.mkdir(parents=True)
    store = Store(tmp_path / "db.sqlite")
    store.upsert_brands([Brand(name=b, domains=(f"{b.lower()}.nl",)) for b in {a[0] for a in ADS.values()}])
    run_id = store.start_run("run", NIGHT)
    store.finish_run(run_id, "complete", {"captures": {"ok": 8}, "scope": {"brands": None, "stages": [
        "harvest", "crawl", "audit", "report"]}}, NIGHT)
    rows = []
    for name, (brand, e164, domain, engine, verdict, _) in ADS.items():
        crop = evidence / f"{name}.png"
        crop.write_bytes(PNG)
        rows.append({"brand": brand, "e164": e164, "raw": e164, "number_type": "premium_rate", "verdict": verdict,
                     "reason": "premium-rate number", "severity": "high", "kind": "ad", "engine": engine,
                     "platform": PLATFORM[engine], "platforms": [PLATFORM[engine]], "domain": domain,
                     "advertiser_domain": domain, "query": f"{brand} klantenservice", "device": "desktop",
                     "placement": "top", "rank": 1, "captured_at": NIGHT, "title": f"{brand} klantenservice",
                     "evidence_path": str(crop)})
    store.upsert_findings(run_id, rows)
    ids = {name: case_id(a[0], PLATFORM[a[3]], "ad", a[2]) for name, a in ADS.items()}
    for name, fid in ids.items():
        store.update_finding(fid, status="new", state="open", platforms='["' + PLATFORM[ADS[name][3]] + '"]')
        what = ADS[name][5]
        if what in ("recurring", "gone"):
            store.update_finding(fid, status=what)
        elif what == "confirm":
            change_state(store, fid, "confirmed", by="analyst", at=NIGHT)
        elif what == "dismiss":
            change_state(store, fid, "dismissed", reason="the brand's partner", by="analyst", at=NIGHT)
        elif what == "reported":
            change_state(store, fid, "reported", platform="google_ads", on=NIGHT[:10], by="analyst", at=NIGHT)
    store.close()
    config = tmp_path / "serpaudit.toml"
    config.write_text(f'[serpaudit]\ndatabase = "{tmp_path / "db.sqlite"}"\nreports_dir = "{tmp_path / "reports"}"\n'
                      f'evidence_dir = "{tmp_path / "evidence"}"\nregion = "NL"\n{settings_lines}', encoding="utf-8")
    return config, ids
