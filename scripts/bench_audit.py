"""Audit of one night over a store holding a year of synthetic history, against the same night over an empty store.

The history is made the way nights make it: 365 nights of captures (brands x engines x devices), each
audited and joined to the case file (``audits.lifecycle.apply_night``), with scam ads that come and go
(a new domain every week, a number that recurs for months, lookalike domains, blocked pages).  The
measured night is the same set of captures recorded into a copy of that store and into an empty one;
the ratio of the median times (audit + lifecycle) is what ``make bench`` prints.  Target (issue 22): at most 1.3.

Run alone: ``.venv/bin/python scripts/bench_audit.py [--nights 365]``.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from audits.brands import Brand  # noqa: E402
from audits.ids import capture_id, result_id, stable_id  # noqa: E402
from audits.lifecycle import apply_night  # noqa: E402
from audits.rules import audit  # noqa: E402
from audits.store import Store  # noqa: E402
from crawler.engines import ENGINE_NAMES  # noqa: E402

BRANDS = [Brand(f"Merk{i:02d}", (f"merk{i:02d}.nl",), (f"https://www.merk{i:02d}.nl/contact",)) for i in range(8)]
DEVICES = ("desktop",)
START = date(2025, 1, 1)
TARGET_RATIO = 1.3


def _phone(e164: str, number_type: str = "premium_rate") -> dict:
    return {"raw": e164, "e164": e164, "number_type": number_type, "channel": "text"}


def _result(rank: int, domain: str, phones: list[dict], kind: str = "ad", placement: str = "top") -> dict:
    return {"kind": kind, "placement": placement, "rank": rank, "title": f"{domain} klantenservice",
            "display_url": domain, "landing_url": f"https://www.{domain}/", "click_url": None, "domain": domain,
            "text": "Bel direct", "phones": phones, "box": None, "above_fold": True}


def record_night(store: Store, n: int) -> str:
    """Night ``n``: every brand on every engine; scams that come and go with the weeks.

    Loaded as bare rows in one transaction (``Store.load_rows``: the rows ``Store.record_capture``
    writes, with its ids): a year of history must be quick to make; the audit measured afterwards is
    the real one.
    """
    day = START + timedelta(days=n)
    at = f"{day.isoformat()}T02:00:00Z"
    run = store.start_run("run", at)
    week = n // 7
    captures, results, sightings = [], [], []
    for bi, brand in enumerate(BRANDS):
        official = f"+3180000{bi:02d}00"
        store.record_official(brand.name, _phone(official, "toll_free"), brand.contact_pages[0], "contact", at, run)
        store.record_harvest(run, brand.name, "ok", "1 number", at)
        for ei, engine in enumerate(ENGINE_NAMES):
            for device in DEVICES:
                query = f"{brand.name} klantenservice"
                cid = capture_id(run, brand.name, engine, query, device)
                blocked = (n + bi + ei) % 29 == 0
                captures.append({"id": cid, "run_id": run, "brand": brand.name, "engine": engine, "query": query,
                                 "device": device, "kind": "serp", "captured_at": at,
                                 "status": "captcha" if blocked else "ok"})
                if blocked:
                    continue
                page = [
                    # a domain and number that change every week: a steady stream of new findings
                    _result(1, f"hulp{week}-{bi}.nl", [_phone(f"+319001{week % 100:02d}{bi:02d}{ei}")]),
                    # one number that recurs all year for every brand (a campaign)
                    _result(2, f"bel-service{bi % 4}.nl", [_phone("+319009999999")]),
                    # a lookalike domain without a number, every other month
                    *([_result(3, f"{brand.name.lower()}-klantenservice.nl", [])] if (n // 60) % 2 == 0 else []),
                    _result(1, brand.domains[0], [_phone(official, "toll_free")], kind="organic", placement="main"),
                    _result(2, f"gids{bi}.nl", [_phone(official, "toll_free")], kind="organic", placement="main"),
                ]
                for r in page:
                    rid = result_id(cid, r["placement"], r["rank"])
                    results.append({"id": rid, "capture_id": cid, **{k: r[k] for k in (
                        "kind", "placement", "rank", "title", "display_url", "landing_url", "domain", "text")}})
                    for p in r["phones"]:
                        sightings.append({"id": stable_id(rid, p["e164"], p["channel"]), "result_id": rid,
                                          "capture_id": cid, **{k: p[k] for k in ("raw", "e164", "number_type",
                                                                                  "channel")}})
    with store.transaction():
        for table, rows in (("captures", captures), ("results", results), ("sightings", sightings)):
            store.load_rows(table, rows)
    return run


def _night(store: Store, run: str) -> None:
    audit(store, run)
    apply_night(store, run, gone_after_nights=2)


def build_history(path: Path, nights: int) -> Store:
    store = Store(path)
    store.skip_fsync()  # history only: no fsync per night while making it
    store.upsert_brands(BRANDS)
    for n in range(nights):
        _night(store, record_night(store, n))
    return store


def _timed(db: Path, night: int) -> float:
    store = Store(db)
    store.upsert_brands(BRANDS)
    run = record_night(store, night)
    t0 = time.perf_counter()
    _night(store, run)
    elapsed = time.perf_counter() - t0
    store.close()
    return elapsed


def audit_history_ratio(nights: int = 365, repeats: int = 9) -> float:
    """Median seconds of one night's audit over a year of history / over an empty store."""
    logging.disable(logging.WARNING)  # a year of planted CAPTCHAs would fill the terminal (make bench too)
    try:
        return _ratio(nights, repeats)
    finally:
        logging.disable(logging.NOTSET)


def _ratio(nights: int, repeats: int) -> float:
    with tempfile.TemporaryDirectory(prefix="bench-audit-") as tmp:
        base = Path(tmp)
        history = build_history(base / "year.db", nights)
        history.checkpoint()
        history.close()
        year, empty = [], []
        for i in range(repeats):  # alternate, so machine noise falls on both sides alike
            copy = base / f"year-{i}.db"
            shutil.copy(base / "year.db", copy)
            year.append(_timed(copy, nights))
            empty.append(_timed(base / f"empty-{i}.db", nights))
        return statistics.median(year) / statistics.median(empty)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nights", type=int, default=365, help="nights of history (default 365)")
    parser.add_argument("--repeats", type=int, default=9, help="measured nights on each side (medians; default 9)")
    args = parser.parse_args()
    t0 = time.perf_counter()
    ratio = audit_history_ratio(args.nights, args.repeats)
    print(f"audit of one night: {args.nights} nights of history / empty store = {ratio:.2f}x "
          f"(target <= {TARGET_RATIO}; {time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
