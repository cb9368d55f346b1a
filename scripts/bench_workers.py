"""Benchmark: captures per minute of the crawl stage, the local crawler beside 1 and 2 `serpaudit worker`s.

All on this machine, against the sandbox web, through a real Redis: the distributed figures include the
broker round trips and the evidence travelling back to the coordinator.  Workers are warmed up (Chromium
started) before they are timed, as they are all night in production.  `bench_workers()` returns the figures
for the bench table; run as a script it prints them.  About two minutes on 2 idle cores.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from serpaudit.crawl.distributed.localcluster import Cluster, RedisUnavailable, redis_server

TIMED_BRANDS = ("Telnova", "Cloudora")  # 2 brands x 3 engines x 2 devices = 12 captures per figure
WARMUP_BRAND = "Bankiva"
BOUND_S = 600
QUIET = {"SERPAUDIT_VISIT_LANDING_PAGES": "false"}  # the crawl stage alone


def _crawl(cluster: Cluster, brands: tuple[str, ...], mode: str) -> float:
    """Seconds for one `serpaudit crawl` of ``brands``; raises if it did not store every capture."""
    args = [a for b in brands for a in ("--brand", b)]
    t = time.perf_counter()
    proc = cluster.serpaudit("crawl", mode, *args, env=QUIET)
    code = proc.wait(timeout=BOUND_S)
    took = time.perf_counter() - t
    if code not in (0, 3):  # 3: the sandbox's CAPTCHA page is "not audited", as it should be
        raise RuntimeError(f"serpaudit crawl {mode} exited {code}; see {cluster.root / 'coordinator.log'}")
    return took


def bench_workers(worker_counts: tuple[int, ...] = (1, 2)) -> dict[str, float]:
    """{"local": captures/min, "1 worker": ..., "2 workers": ...} for the crawl stage on this machine."""
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="serpaudit-bench-") as tmp:
        root = Path(tmp)
        with redis_server(root) as url:
            cluster = Cluster(root, url)
            n = len(cluster.jobs(list(TIMED_BRANDS)))
            figures["local"] = n / _crawl(cluster, TIMED_BRANDS, "--local") * 60
            try:
                for count in worker_counts:
                    cluster.start_workers(count - len(cluster.workers))
                    _crawl(cluster, (WARMUP_BRAND,), "--distributed")  # every worker's Chromium is up
                    label = f"{count} worker" + ("s" if count > 1 else "")
                    figures[label] = n / _crawl(cluster, TIMED_BRANDS, "--distributed") * 60
            finally:
                cluster.stop()
    return figures


def main() -> int:
    try:
        figures = bench_workers()
    except RedisUnavailable as exc:
        print(f"bench_workers: skipped: {exc}", file=sys.stderr)
        return 0
    local = figures["local"]
    for label, rate in figures.items():
        print(f"crawl stage, {label:<9}: {rate:5.1f} captures/min ({rate / local:.2f}x local)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
