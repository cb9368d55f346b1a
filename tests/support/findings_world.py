"""A store with brands and official numbers, and nights of captures fed through audit + lifecycle."""

from __future__ import annotations

from typing import Any

from audits.brands import Brand
from audits.lifecycle import NightSummary, apply_night
from audits.rules import audit
from audits.store import Store

KPN = Brand("KPN", ("kpn.com",), ("https://www.kpn.com/contact",))
ING = Brand("ING", ("ing.nl",), ("https://www.ing.nl/contact",))
OFFICIAL = {"KPN": "+318000402", "ING": "+31202288888"}
PREMIUM = "+319001234567"
MOBILE = "+31612345678"


def ad(e164: str | None, domain: str = "snelhulp-nl.com", *, kind: str = "ad", rank: int = 1,
       placement: str = "top", display: str | None = None, number_type: str = "premium_rate") -> dict[str, Any]:
    phones = [{"raw": e164, "e164": e164, "number_type": number_type, "channel": "text"}] if e164 else []
    return {"kind": kind, "placement": placement, "rank": rank, "title": f"{domain} hulp",
            "display_url": display or domain, "landing_url": f"https://www.{domain}/", "click_url": None,
            "domain": domain, "text": "Bel ons", "phones": phones, "box": None, "above_fold": True}


class Nights:
    def __init__(self, store: Store | None = None, gone_after_nights: int = 2) -> None:
        self.store = store or Store(":memory:")
        self.store.upsert_brands([KPN, ING])
        self.gone_after = gone_after_nights
        self.day = 0

    def night(self, pages: dict[tuple[str, str, str], list[dict[str, Any]] | str],
              day: int | None = None, hour: int = 2) -> tuple[str, NightSummary]:
        """``{(brand, engine, device): results or a blocked status}`` for one sweep: at ``hour`` (UTC) of ``day``
        (default: one day later each time)."""
        self.day = self.day + 1 if day is None else day
        at = f"2024-05-{self.day:02d}T{hour:02d}:00:00Z"
        run = self.store.start_run("run", at)
        for brand, e164 in OFFICIAL.items():
            self.store.record_official(brand, {"e164": e164, "raw": e164, "number_type": "toll_free"},
                                       f"https://www.{brand.lower()}.nl/contact", "contact", at, run)
            self.store.record_harvest(run, brand, "ok", "1 number", at)
        for (brand, engine, device), page in pages.items():
            status = page if isinstance(page, str) else "ok"
            results = [] if isinstance(page, str) else page
            self.store.record_capture(
                {"run_id": run, "brand": brand, "engine": engine, "query": f"{brand} klantenservice",
                 "device": device, "captured_at": at, "status": status, "html_path": f"{engine}.html"},
                {"engine": engine, "status": status, "results": results})
        audit(self.store, run)
        return run, apply_night(self.store, run, gone_after_nights=self.gone_after)

    def one(self, **where: Any) -> dict[str, Any]:
        rows = [f for f in self.store.query_findings(include_dismissed=True)
                if all(f.get(k) == v for k, v in where.items())]
        assert len(rows) == 1, rows
        return rows[0]
