"""scripts/bench_parse.py: the figures `make bench` prints for parse speed (the targets are met there, not here)."""

from __future__ import annotations

from crawler.engines import get_engine
from scripts import bench_parse


def test_median_and_worst_ratio_are_computed_over_the_right_pages():
    P = bench_parse.PageTime
    b = bench_parse.ParseBench([P("google/a", "google", 0.5, 0.010), P("bing/b", "bing", 0.5, 0.020),
                                P("google/c", "google", 0.5, 0.030), P("synthetic/x", "bing", 10.0, 1.2)])
    assert b.median_ms_per_mb == 40.0  # real pages only
    assert b.worst.name == "synthetic/x" and round(b.ratio(b.worst), 2) == 3.0  # 120 ms/MB over 40
    assert b.big_page_seconds == 1.2 and b.ok
    assert "median 40 ms/MB" in b.table()


def test_synthetic_pages_are_result_dense_pages_the_parsers_read():
    for engine in ("google", "bing", "duckduckgo"):
        html = bench_parse.synthetic_page(engine, 0.15)
        assert len(html) >= 0.15e6
        page = get_engine(engine).parse(html)
        assert page.status == "ok" and len(page.results) > 50
        assert sum(1 for r in page.results if r.kind == "ad" and r.phones) >= 5
