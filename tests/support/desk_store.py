"""A small store for the desk's tests: two nights of ads with crops, screenshots and a landing page on disk.

``build_desk(tmp_path)`` writes ``serpaudit.toml`` (database, evidence and reports under ``tmp_path``) and
fills the store through the real audit and lifecycle; the ads:

* ``snelhulp-nl.com`` shows a premium number for KPN on Google (new on night 2: seen on both nights);
* ``kpn-hulp.nl`` shows a mobile number for KPN on Bing, and its landing page was visited;
* an attacker's ad for ING on Google whose title, display URL and domain are markup and script URLs.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from audits.ids import capture_id, result_id
from audits.lifecycle import apply_night
from audits.rules import audit
from audits.store import Store
from serpaudit.crawl.evidence import EvidenceFolder
from tests.support.findings_world import ING, KPN, MOBILE, OFFICIAL, PREMIUM

HOSTILE_TITLE = '<script>window.pwned=1</script>"><img src=x onerror="window.pwned=2">ING hulp'
HOSTILE_DOMAIN = '"><img src=x onerror=alert(1)>.example'
HOSTILE_URL = "javascript:window.pwned=3"
HOSTILE_NUMBER = "+319009876543"


@dataclass(frozen=True)
class DeskWorld:
    config: Path
    database: Path
    evidence: Path
    reports: Path
    runs: tuple[str, ...]

    def store(self) -> Store:
        return Store(self.database)


def _png(width: int, height: int, colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def _ad(domain: str, e164: str, rank: int, crop: tuple[str, str], *, title: str | None = None,
        display: str | None = None, landing: str | None = None) -> dict[str, Any]:
    return {"kind": "ad", "placement": "top", "rank": rank, "title": title or f"{domain} klantenservice",
            "display_url": display or f"https://www.{domain}/", "landing_url": landing or f"https://www.{domain}/",
            "click_url": None, "domain": domain, "text": "Bel ons 24/7", "box": [20, 120 + 110 * (rank - 1), 640, 96],
            "above_fold": True, "evidence_path": crop[0], "evidence_sha256": crop[1],
            "phones": [{"raw": e164, "e164": e164, "number_type": "premium_rate", "channel": "text"}]}


def build_desk(tmp_path: Path, nights: int = 2) -> DeskWorld:
    db, ev, rep = tmp_path / "desk.db", tmp_path / "evidence", tmp_path / "reports"
    config = tmp_path / "serpaudit.toml"
    config.write_text(f'[serpaudit]\ndatabase = "{db}"\nevidence_dir = "{ev}"\nreports_dir = "{rep}"\n',
                      encoding="utf-8")
    store = Store(db)
    store.upsert_brands([KPN, ING])
    runs = []
    for day in range(1, nights + 1):
        at = f"2026-11-{day:02d}T02:00:00+00:00"
        run = store.start_run("run", at)
        folder = EvidenceFolder(ev, run)
        for brand, e164 in OFFICIAL.items():
            store.record_official(brand, {"e164": e164, "raw": e164, "number_type": "toll_free"},
                                  f"https://www.{brand.lower()}.nl/contact", "contact", at, run)
            store.record_harvest(run, brand, "ok", "1 number", at)
        pages: dict[tuple[str, str], list[dict[str, Any]]] = {
            ("KPN", "bing"): [_ad("kpn-hulp.nl", MOBILE, 1, folder.write("crop-kpn-hulp", ".png",
                                                                         _png(680, 136, (250, 240, 200))))],
            ("ING", "google"): [_ad(HOSTILE_DOMAIN, HOSTILE_NUMBER, 1, folder.write("crop-ing", ".png",
                                    _png(680, 136, (230, 230, 250))), title=HOSTILE_TITLE, display=HOSTILE_URL,
                                    landing=HOSTILE_URL)],
        }
        if day >= 2:
            pages[("KPN", "google")] = [_ad("snelhulp-nl.com", PREMIUM, 1, folder.write(
                "crop-snelhulp", ".png", _png(680, 136, (255, 220, 220))))]
        for (brand, engine), results in pages.items():
            shot, shot_sha = folder.write(f"page-{brand}-{engine}", ".png", _png(1366, 1200, (245, 245, 245)))
            html, html_sha = folder.write(f"page-{brand}-{engine}", ".html", b"<html><body>results</body></html>")
            query = f"{brand} klantenservice"
            store.record_capture({"run_id": run, "brand": brand, "engine": engine, "query": query, "device": "desktop",
                                  "captured_at": at, "status": "ok", "html_path": html, "html_sha256": html_sha,
                                  "screenshot_path": shot, "screenshot_sha256": shot_sha},
                                 {"engine": engine, "status": "ok", "results": results})
            if engine == "bing":  # the landing page of kpn-hulp.nl, visited in isolation
                via = result_id(capture_id(run, brand, engine, query, "desktop"), "top", 1)
                page = (f"<html><body><h1>KPN storing?</h1><p>Bel {MOBILE}</p><script>window.pwned=4</script>"
                        "</body></html>").encode()
                lhtml, lsha = folder.write("landing-kpn-hulp", ".html", page)
                store.record_capture({"run_id": run, "brand": brand, "engine": engine, "query": query,
                                      "device": "desktop", "captured_at": at, "status": "ok", "kind": "landing",
                                      "via_result_id": via, "html_path": lhtml, "html_sha256": lsha},
                                     {"status": "ok", "results": [dict(results[0], rank=1)]})
        audit(store, run)
        apply_night(store, run)
        runs.append(run)
    store.close()
    return DeskWorld(config, db, ev, rep, tuple(runs))
