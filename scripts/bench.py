"""Benchmark: how fast the parsers read real result pages, and the memory they take.

Targets (a nightly run parses brands x engines x queries x devices pages, a few
thousand at most): a result page parses in under 1 s on average and the
process stays under 500 MB.  Then the whole demo pipeline in Chromium against
the sandbox web: under 5 s per capture, so 50 brands x 3 engines x 2 devices
fit in a night with room to spare.  Prints the figures and exits 1 when a
target is missed.  Uses ../shared/fixtures (or $SERPAUDIT_FIXTURES).
"""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

from crawler import contact
from crawler.engines import get_engine

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS_PER_PAGE = 1.0
TARGET_PEAK_MB = 500
TARGET_SECONDS_PER_CAPTURE = 5.0
ROUNDS = 3


def main() -> int:
    base = Path(os.environ.get("SERPAUDIT_FIXTURES") or ROOT.parent / "shared" / "fixtures") / "serp"
    if not base.is_dir():
        print(f"no fixtures at {base}; set SERPAUDIT_FIXTURES", file=sys.stderr)
        return 2
    pages = [(p.parent.name, p.read_text(encoding="utf-8", errors="replace")) for p in sorted(base.glob("*/*.html"))]
    mb = sum(len(h) for _, h in pages) / 1e6
    worst = ("", 0.0)
    start = time.perf_counter()
    for _ in range(ROUNDS):
        for engine, html in pages:
            t = time.perf_counter()
            get_engine(engine).parse(html)
            took = time.perf_counter() - t
            worst = max(worst, (engine, took), key=lambda w: w[1])
    elapsed = time.perf_counter() - start
    per_page = elapsed / (ROUNDS * len(pages))
    t = time.perf_counter()
    for _, html in pages:
        contact.parse(html)
    contact_per_page = (time.perf_counter() - t) / len(pages)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"serp pages: {len(pages)} ({mb:.1f} MB of HTML) x {ROUNDS} rounds")
    print(f"serp parse: {per_page * 1000:.0f} ms/page average, slowest {worst[1] * 1000:.0f} ms ({worst[0]}); "
          f"target < {TARGET_SECONDS_PER_PAGE * 1000:.0f} ms")
    print(f"contact parse of the same pages: {contact_per_page * 1000:.0f} ms/page")
    print(f"peak memory: {peak_mb:.0f} MB; target < {TARGET_PEAK_MB} MB")
    ok = per_page < TARGET_SECONDS_PER_PAGE and peak_mb < TARGET_PEAK_MB
    ok = bench_pipeline() and ok
    ok = bench_audit_history() and ok
    print("bench OK" if ok else "bench FAILED: a target was missed")
    return 0 if ok else 1


def bench_pipeline() -> bool:
    import tempfile

    from sandbox import DEFAULT_WORLD_PATH
    from serpaudit.demo import run_demo

    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        result = run_demo(DEFAULT_WORLD_PATH, Path(tmp), nights=1)  # one night: the per-capture figure
        took = time.perf_counter() - t
    captures = sum(result.run.summary.get("captures", {}).values())
    per_capture = took / max(captures, 1)
    print(f"demo pipeline: {took:.1f} s for {captures} search captures, {result.run.summary.get('landing_pages')} "
          f"landing pages and the harvest = {per_capture:.2f} s per capture; target < {TARGET_SECONDS_PER_CAPTURE} s")
    return per_capture < TARGET_SECONDS_PER_CAPTURE


def bench_audit_history() -> bool:
    from bench_audit import TARGET_RATIO, audit_history_ratio  # scripts/bench_audit.py

    t = time.perf_counter()
    ratio = audit_history_ratio()
    print(f"audit of one night over a year of history: {ratio:.2f}x the time over an empty store "
          f"({time.perf_counter() - t:.0f} s); target <= {TARGET_RATIO}")
    return ratio <= TARGET_RATIO


if __name__ == "__main__":
    sys.exit(main())
