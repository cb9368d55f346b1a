"""Where a crawl's peak PSS is: the process tree's PSS by kind of process, at the moment of its peak.

``make bench`` gives one figure (scripts/bench_capture.py's ``PeakPss``); this says which processes hold it
(this Python, Playwright's driver, Chromium's browser, GPU, network and storage processes, its zygotes, each
renderer), each split into anonymous memory and file-backed or shared memory.  Run it as
``BENCH_CONCURRENCY=3 python scripts/bench_pss.py`` (one crawl of the default world, after a bare loop as in
``make bench``; ``BENCH_ROUNDS`` crawls in all).

The split matters when comparing runs: a file page's PSS is divided among every process that maps it, so
the pages of Chromium's binary count less while other Chromiums run on the machine (other crawls, browser
tests) and in full on an idle one.  On this shared machine the tree's file and shared part went from about
175 to 345 MB between runs of the same code while its anonymous part stayed within 490-530 MB.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path[:0] = [str(Path(__file__).resolve().parent)]

import bench_capture  # noqa: E402

FIELDS = ("Pss", "Pss_Anon", "Pss_File", "Pss_Shmem")


def kind_of(cmdline: bytes) -> str:
    """What a process of the crawl's tree is, from its command line (Chromium rewrites its own as one
    space-separated string, so both separators count)."""
    args = [a.decode(errors="replace") for a in cmdline.replace(b"\0", b" ").split(b" ") if a]
    if not args:
        return "?"
    exe = os.path.basename(args[0])
    flags = dict(a[2:].split("=", 1) for a in args if a.startswith("--") and "=" in a)
    if "python" in exe:
        return "python"
    if exe == "node":
        return "playwright driver"
    kind = flags.get("type")
    if kind is None:
        return "chromium browser" if "--remote-debugging-pipe" in args else exe
    if kind == "utility":
        return "utility " + flags.get("utility-sub-type", "?").split(".")[0]
    if kind == "zygote" and "--no-zygote-sandbox" in args:
        return "zygote (unsandboxed)"
    return kind


def _process(pid: int) -> tuple[str, dict[str, int]] | None:
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:  # gone meanwhile
        return None
    kb = {line.split(":")[0]: int(line.split()[1]) for line in rollup if line.split(":")[0] in FIELDS}
    return kind_of(cmdline), kb


def _sample_until_stdin_closes(root: int, skip: set[int]) -> None:
    """The sampler process: prints (as JSON) every process of the tree at its highest total PSS."""
    peak_kb, at_peak = 0, []
    skip.add(os.getpid())
    while True:
        # one read of the tree a sample: the processes kept at the peak are the ones its total was summed from
        found = [p for p in map(_process, bench_capture.tree_pids(root, skip)) if p]
        total_kb = sum(kb.get("Pss", 0) for _, kb in found)
        if total_kb > peak_kb:
            peak_kb, at_peak = total_kb, found
        ready, _, _ = select.select([sys.stdin], [], [], bench_capture.SAMPLE_EVERY_S)
        if ready and not sys.stdin.read(1):
            break
    print(json.dumps(at_peak))


def table(at_peak: list[tuple[str, dict[str, int]]]) -> list[str]:
    """The processes at the peak by kind, largest first: count, PSS, anonymous and file/shared, in MB."""
    kinds: dict[str, list[int]] = {}
    for kind, kb in at_peak:
        row = kinds.setdefault(kind, [0, 0, 0, 0])
        row[0] += 1
        row[1] += kb.get("Pss", 0)
        row[2] += kb.get("Pss_Anon", 0)
        row[3] += kb.get("Pss_File", 0) + kb.get("Pss_Shmem", 0)
    rows = sorted(kinds.items(), key=lambda item: -item[1][1])
    total = [sum(r[i] for _, r in rows) for i in range(4)]
    lines = [f"{'process':24} {'n':>3} {'PSS MB':>8} {'anon':>7} {'file+shm':>9}"]
    for kind, (n, pss, anon, shared) in [*rows, ("all", total)]:
        lines.append(f"{kind:24} {n:3d} {pss / 1024:8.1f} {anon / 1024:7.1f} {shared / 1024:9.1f}")
    renderers = sorted((kb.get("Pss", 0) for kind, kb in at_peak if kind == "renderer"), reverse=True)
    lines.append("renderers, MB each: " + " ".join(f"{kb / 1024:.0f}" for kb in renderers))
    return lines


class PeakByProcess(bench_capture.PeakPss):
    """:class:`bench_capture.PeakPss` that also keeps the tree's processes at the peak (``at_peak``)."""

    at_peak: list[Any] = []

    def __enter__(self) -> PeakByProcess:
        self._proc = subprocess.Popen([sys.executable, __file__, "--sample", str(os.getpid()), *map(str, self.skip)],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._proc is not None
        out, _ = self._proc.communicate(timeout=60)
        self.at_peak = [(kind, kb) for kind, kb in json.loads(out or "[]")]
        self.mb = sum(kb.get("Pss", 0) for _, kb in self.at_peak) / 1024
        print("\n".join(table(self.at_peak)), flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--sample"]:
        _sample_until_stdin_closes(int(sys.argv[2]), {int(pid) for pid in sys.argv[3:]})
        sys.exit(0)
    bench_capture.PeakPss = PeakByProcess  # type: ignore[misc]  # capture_figures samples with it
    concurrency = int(os.environ.get("BENCH_CONCURRENCY", "3"))
    figures = bench_capture.capture_figures(concurrency, int(os.environ.get("BENCH_ROUNDS", "1")))
    print(f"C={concurrency}: peak PSS {figures.peak_pss_mb:.0f} MB over {figures.rounds} round(s)")
