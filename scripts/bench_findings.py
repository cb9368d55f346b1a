"""``findings list`` and ``report`` over a store of 100,000 findings (issue 20, item 11): time and peak RSS of each.

The store is made once (one night, one case per ad, through ``Store.upsert_findings`` in one transaction); each
command then runs in its own process, output to /dev/null, its peak RSS read from the kernel (``ru_maxrss`` of
the child). ``report`` writes the night's whole folder (report.html, findings.csv and .xlsx, the platform CSVs
and zips) under the store's folder, last, once. ``--python`` runs the commands with another checkout's
interpreter (the code before a change; with ``--pythonpath`` its source tree, e.g. a ``git archive`` of main).

Run alone: ``.venv/bin/python scripts/bench_findings.py [--findings 100000] [--python /work/main/.venv/bin/python]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from audits.brands import Brand  # noqa: E402
from audits.store import Store  # noqa: E402

COMMANDS = {"findings list": ["findings", "list"], "findings list --json": ["findings", "list", "--json"],
            "report": ["report"]}
# peak RSS targets, MB: the listing paged and streamed (1.7 GB before), the report streamed (1.3-1.9 GB before)
TARGET_MB = {"findings list": 200, "findings list --json": 200, "report": 300}


def make_store(path: Path, n: int) -> None:
    store = Store(path)
    store.skip_fsync()
    store.upsert_brands([Brand("KPN", ("kpn.com",), ("https://www.kpn.com/contact",))])
    run = store.start_run("run", "2026-05-01T02:00:00Z")
    findings = ({"brand": "KPN", "e164": f"+3190{i:08d}", "raw": f"0900 {i:08d}", "number_type": "premium_rate",
                 "verdict": "scam", "severity": "high", "reason": "premium-rate number in an ad",
                 "rule": "unofficial_number", "engine": "google", "kind": "ad", "domain": f"scam{i}.example",
                 "advertiser_domain": f"scam{i}.example", "title": f"KPN klantenservice {i}",
                 "text": "Bel direct 24/7 " * 8, "captured_at": "2026-05-01T02:00:00Z", "query": "kpn klantenservice",
                 "device": "desktop", "placement": "top", "rank": 1} for i in range(n))
    store.upsert_findings(run, findings)
    store.finish_run(run, "complete", {}, "2026-05-01T03:00:00Z")
    store.checkpoint()
    store.close()


def measure(python: str, folder: Path, args: list[str], pythonpath: str | None = None) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of ``serpaudit ARGS`` in a child process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SERPAUDIT_")}
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    code = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
            "subprocess.run([sys.executable, '-m', 'serpaudit', *sys.argv[1:]], stdout=subprocess.DEVNULL, "
            "stderr=subprocess.DEVNULL); "
            "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)")
    out = subprocess.run([python, "-c", code, *args], cwd=folder, env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    return float(out[0]), float(out[1])


def findings_figures(n: int = 100_000, python: str = sys.executable,
                     pythonpath: str | None = None) -> dict[str, tuple[float, float]]:
    """label -> (seconds, peak RSS in MB) of each of :data:`COMMANDS` over one store of ``n`` findings."""
    with tempfile.TemporaryDirectory(prefix="bench-findings-") as tmp:
        folder = Path(tmp)
        make_store(folder / "serpaudit.db", n)
        (folder / "serpaudit.toml").write_text('[serpaudit]\ndatabase = "serpaudit.db"\n', encoding="utf-8")
        return {label: measure(python, folder, args, pythonpath) for label, args in COMMANDS.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=100_000)
    parser.add_argument("--python", default=sys.executable, help="interpreter whose serpaudit runs the commands")
    parser.add_argument("--pythonpath", help="source tree to run the commands from (PYTHONPATH)")
    opts = parser.parse_args(argv)
    started = time.perf_counter()
    figures = findings_figures(opts.findings, opts.python, opts.pythonpath)
    for label, (seconds, mb) in figures.items():
        print(f"{label:24} {seconds:6.2f} s  peak RSS {mb:6.0f} MB  (target < {TARGET_MB[label]} MB)")
    print(f"({opts.findings:,} findings, {time.perf_counter() - started:.0f} s in all)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
