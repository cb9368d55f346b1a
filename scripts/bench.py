"""`make bench`: one table of serpaudit's speed and memory, every target checked as a ratio in one run.

- crawler vs a bare Playwright loop, seconds per capture and their ratio, at concurrency 1, 2 and the
  default (``BENCH_CONCURRENCY=1,2,3``; scripts/bench_capture.py; the bare loop runs in one Chromium, the
  physical floor: load, wait for an AI answer still being written, screenshot): target at most 1.10x at C=1;
- parse speed over the real pages in ../shared/fixtures (and the synthetic large pages where the parser
  benchmark provides them): median ms per MB under 50, no page over 1 MB beyond 4x its size-proportional time;
- the peak PSS of the crawl's process tree at the default concurrency: under 800 MB, beside the one-lane
  figure (``pss1`` on the summary line);
- the audit's time over a year of synthetic history vs an empty store (scripts/bench_audit.py, where present);
- `serpaudit --help` start-up: under 0.5 s;
- a politeness-bound night, local and on 1, 2, 4 Celery workers on one egress and 2, 4 with their own
  (scripts/bench_workers.py, where present): 4 workers with their own egress at least 3.2x local's
  captures/min, a killed worker delaying the night under 90 s;
- evidence bytes per capture over the demo's first two nights, by kind (scripts/bench_evidence.py): at least
  40% below the figure measured on main before issue 22 (``BENCH_EVIDENCE=0`` leaves it out);
- ``findings list`` and ``findings list --json`` over 100,000 findings, time and peak RSS
  (scripts/bench_findings.py): under 200 MB (before paging and streaming: 1.7 GB); ``report`` over the same
  store (the whole folder: report.html, findings.csv and .xlsx, the platform CSVs and zips): under 300 MB
  (before streaming: 1.3 GB here, 1.9 GB in issue 20).

The last line sums it up for scripts.  Exits 1 when a target is missed.  The machine is shared and noisy:
every figure is a median, and crawler and bare loop are timed in the same rounds.
"""

from __future__ import annotations

import importlib
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from bench_capture import capture_figures, startup_figures  # noqa: E402

MAX_CAPTURE_RATIO = 1.10
MAX_PARSE_MS_PER_MB = 50.0
MAX_PARSE_WORST = 4.0
MAX_PEAK_PSS_MB = 800.0
MAX_STARTUP_S = 0.5
PARSE_ROUNDS = 3


@dataclass
class Row:
    what: str
    value: str
    target: str
    ok: bool | None  # None: not measured here


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor() or "unknown CPU")
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal:"))
    load = os.getloadavg()[0]
    return (f"{model}, {os.cpu_count()} cores, {mem_kb / 1024 / 1024:.0f} GB RAM, Python {platform.python_version()}, "
            f"load average {load:.1f} at start")


def default_concurrency() -> int:
    from serpaudit.settings import Settings

    return int(Settings().concurrency)


# -- parse --------------------------------------------------------------------------------------------

def parse_figures() -> dict[str, Any]:
    """{"median_ms_per_mb", "worst_ratio", "worst_page", "pages", "source"}.

    The parser benchmark's own figures where it exists (real fixtures and synthetic large pages); else
    the current parsers over the real fixtures alone.
    """
    measure = _optional("bench_parse", "measure")  # the parser benchmark: real and synthetic large pages
    if measure is not None:
        bench = measure()
        if not bench.real:
            raise SystemExit("bench: parse speed needs the real saved pages: none found at ../shared/fixtures; "
                             "set SERPAUDIT_FIXTURES to their folder")
        worst = bench.worst
        return {"median_ms_per_mb": bench.median_ms_per_mb, "worst_ratio": bench.ratio(worst),
                "worst_page": worst.name, "pages": len(bench.real), "source": "real fixtures; worst over 1 MB",
                "extra_rows": {"parse, the 10 MB result-dense page": (f"{bench.big_page_seconds:.2f} s", "< 2 s",
                                                                     bench.big_page_seconds < 2.0)}}
    from crawler.engines import get_engine

    base = Path(os.environ.get("SERPAUDIT_FIXTURES") or ROOT.parent / "shared" / "fixtures") / "serp"
    pages = [(p, p.parent.name, p.read_text(encoding="utf-8", errors="replace")) for p in sorted(base.glob("*/*.html"))]
    if not pages:
        raise SystemExit(f"no fixtures at {base}; set SERPAUDIT_FIXTURES")
    per_mb: dict[str, float] = {}
    for path, engine, html in pages:
        parse = get_engine(engine).parse
        parse(html)  # warm
        times = []
        for _ in range(PARSE_ROUNDS):
            t = time.perf_counter()
            parse(html)
            times.append(time.perf_counter() - t)
        per_mb[f"{engine}/{path.name}"] = statistics.median(times) * 1000 / (len(html.encode()) / 1e6)
    median = statistics.median(per_mb.values())
    worst_page = max(per_mb, key=lambda k: per_mb[k])
    return {"median_ms_per_mb": median, "worst_ratio": per_mb[worst_page] / median, "worst_page": worst_page,
            "pages": len(pages), "source": "current parsers, real fixtures only"}


def _optional(module: str, name: str) -> Callable[..., Any] | None:
    """A function another benchmark provides, or None where that benchmark does not exist (yet)."""
    try:
        return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]
    except (ImportError, AttributeError):
        return None


# -- the table ----------------------------------------------------------------------------------------

def main() -> int:
    rows: list[Row] = []
    started = time.perf_counter()
    print(f"machine: {machine()}")
    default_c = default_concurrency()
    captures = {}
    # C=1, 2 and the default (one lane per engine: 3; a 4th lane has no engine to run, so C=4 is C=3)
    wanted = [int(c) for c in os.environ.get("BENCH_CONCURRENCY", f"1,2,{default_c}").split(",")]
    for c in dict.fromkeys(wanted):
        log(f"crawler vs bare loop at C={c} ...")
        captures[c] = capture_figures(c, progress=log)
        f = captures[c]
        speedup = f" ({captures[1].crawler_s / f.crawler_s:.2f}x the captures/s of C=1)" if c != 1 and 1 in captures \
            else ""
        rows.append(Row(f"crawler vs bare, C={c}{' (default)' if c == default_c else ''}, s/capture",
                        f"{f.crawler_s:.2f} vs {f.bare_s:.2f} = {f.ratio:.2f}x ({f.rounds} rounds x {f.captures}; "
                        f"{f.ratio_nowait:.2f}x a bare loop that does not wait for the AI answers)" + speedup,
                        *((f"<= {MAX_CAPTURE_RATIO}x", f.ratio <= MAX_CAPTURE_RATIO)
                                     if c in (1, default_c) else ("(the targets are for C=1 and the default)", None))))
    peak = captures[default_c].peak_pss_mb
    pss1 = captures[1].peak_pss_mb if 1 in captures else None  # one lane: what the lanes beside it add
    rows.append(Row(f"peak PSS of the crawl's process tree, C={default_c}", f"{peak:.0f} MB"
                    + (f" (one lane: {pss1:.0f} MB)" if pss1 is not None else ""),
                    f"< {MAX_PEAK_PSS_MB:.0f} MB", peak < MAX_PEAK_PSS_MB))

    log("parse speed ...")
    parse = parse_figures()
    rows.append(Row(f"parse, ms/MB median over {parse.get('pages', '?')} pages ({parse['source']})",
                    f"{parse['median_ms_per_mb']:.0f}", f"< {MAX_PARSE_MS_PER_MB:.0f}",
                    parse["median_ms_per_mb"] < MAX_PARSE_MS_PER_MB))
    rows.append(Row("parse, worst page vs its size-proportional time", f"{parse['worst_ratio']:.1f}x "
                    f"({parse.get('worst_page', '?')})", f"<= {MAX_PARSE_WORST:.0f}x",
                    parse["worst_ratio"] <= MAX_PARSE_WORST))
    for label, value in (parse.get("extra_rows") or {}).items():
        rows.append(Row(label, str(value[0]), str(value[1]), value[2]))

    audit_ratio = _optional("bench_audit", "audit_history_ratio")
    audit, audit_target = None, 1.3
    if audit_ratio is not None:
        from bench_audit import TARGET_RATIO as audit_target

        log("audit over a year of history ...")
        audit = float(audit_ratio())
    rows.append(Row("audit, a year of history vs an empty store", f"{audit:.2f}x" if audit is not None else "n/a",
                    f"<= {audit_target}x", audit <= audit_target if audit is not None else None))

    log("start-up ...")
    start = startup_figures()
    rows.append(Row("start-up, serpaudit --help", f"{start.help_s:.2f} s (a bare python: {start.python_s:.2f} s)",
                    f"< {MAX_STARTUP_S} s", start.help_s < MAX_STARTUP_S))

    workers = _optional("bench_workers", "bench_workers")
    scale4 = None
    if workers is not None and os.environ.get("BENCH_WORKERS", "1") != "0":
        log("a politeness-bound night: local, 1, 2, 4 workers on one egress, 2 and 4 with their own ...")
        from bench_workers import bench_rows
        from bench_workers import scale4 as scale4_of

        try:
            nights = workers()
            rows.extend(Row(*row) for row in bench_rows(nights))
            scale4 = scale4_of(nights)
        except Exception as exc:  # Redis missing or a worker failed: said, not hidden
            rows.append(Row("politeness-bound night with workers", f"not measured: {exc}", "", None))

    evidence = None
    measure_evidence = _optional("bench_evidence", "measure")
    if measure_evidence is not None and os.environ.get("BENCH_EVIDENCE", "1") != "0":
        log("evidence bytes per capture ...")
        from bench_evidence import evidence_row

        evidence = measure_evidence(progress=log)
        rows.append(Row(*evidence_row(evidence)))

    findings_figures = _optional("bench_findings", "findings_figures")
    findings, report = None, None
    if findings_figures is not None:
        log("findings list and report over 100,000 findings ...")
        from bench_findings import TARGET_MB

        findings = findings_figures()
        for label, (seconds, mb) in findings.items():
            limit = TARGET_MB.get(label, 200)
            rows.append(Row(f"{label}, 100,000 findings", f"{seconds:.1f} s, peak RSS {mb:.0f} MB", f"< {limit} MB",
                            mb < limit))
        report = findings.pop("report", None)  # the summary's "findings list" peak stays the listing's

    print_table(rows)
    print(f"({time.perf_counter() - started:.0f} s)")
    missed = [r.what for r in rows if r.ok is False]
    if missed:
        print("targets missed: " + "; ".join(missed))
    print(f"bench: crawler/bare {captures[1].ratio:.2f} at C=1; parse median {parse['median_ms_per_mb']:.0f} ms/MB, "
          f"worst {parse['worst_ratio']:.1f}x; peak PSS {peak:.0f} MB; "
          + (f"pss1 {pss1:.0f} MB; " if pss1 is not None else "") + "audit year/empty "
          + (f"{audit:.2f}" if audit is not None else "n/a")
          + (f"; bytes/capture {evidence.kb_per_capture:.0f} kB" if evidence is not None else "")
          + (f"; scale4 {scale4:.2f}x" if scale4 is not None else "")
          + (f"; findings list 100k peak {max(mb for _, mb in findings.values()):.0f} MB" if findings else "")
          + (f"; report 100k {report[0]:.0f} s peak {report[1]:.0f} MB" if report else ""))
    return 1 if missed else 0


def print_table(rows: list[Row]) -> None:
    cells = [("measure", "value", "target", "met")] + [
        (r.what, r.value, r.target, "" if r.ok is None else ("yes" if r.ok else "NO")) for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(4)]
    for n, c in enumerate(cells):
        print("| " + " | ".join(v.ljust(w) for v, w in zip(c, widths, strict=True)) + " |")
        if n == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")


if __name__ == "__main__":
    sys.exit(main())
