"""Evidence bytes per capture (issue 22, "Evidence that scales"), by kind, over the demo's first nights.

The default world's first ``nights`` nights (2 unless BENCH_EVIDENCE_NIGHTS says) are played in Chromium
against the sandbox web, as ``serpaudit demo`` does, into a temporary folder.  Then every file the nights
left in the evidence folder and the report folders is counted once by inode (a hard link costs nothing more,
a symbolic link nothing), by kind:

- ``pages``: the captured pages (raw HTML, plain or compressed, and the PDFs AI answers cite);
- ``screenshots``: the full-page screenshots the captures name;
- ``crops``: the crops of single results the results name;
- ``sanitised``: the sanitised copies of captured pages (``.safe.html``);
- ``outlined``: the screenshots with an ad outlined (in the report folders; since issue 22 made once, in the
  evidence folder, and linked);
- ``report copies``: the other evidence files in the report folders' ``evidence/`` (copies before issue 22);
- ``platform zips``: the platform zips of the report folders;
- ``report files``: the rest of the report folders (CSV, XLSX, report.html, summary, SHA256SUMS).

The divisor is the captures the nights stored (result pages, landing pages, cited sources).  The database is
not evidence and is not counted.  A second night is in the default because evidence is kept night after night:
what a night adds to the folders, once the first is there, is what a store grows by.

    python scripts/bench_evidence.py [NIGHTS]
"""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

# Measured on main at 42bd6f2 (2026-12-03), before evidence was compressed and content-addressed: this script,
# the default world's first two nights, 149 captures: 114.6 kB a capture (night 1 alone 118.2 kB; by kind, kB a
# capture: pages 2.8, screenshots 40.7, crops 10.9, sanitised 1.6, report copies 33.1 (the outlined screenshots
# among them: the lead's demo-out of that day has 15.4 kB a capture of them on night 1), platform zips 14.8,
# report files 10.6).
BASELINE_KB_PER_CAPTURE = 114.6
BASELINE_NOTE = "main 42bd6f2, 2026-12-03"
TARGET_CUT = 0.40  # at least 40% below the baseline

KINDS = ("pages", "screenshots", "crops", "sanitised", "outlined", "report copies", "platform zips", "report files")


@dataclass
class EvidenceFigures:
    captures: int
    nights: int
    bytes_by_kind: dict[str, int] = field(default_factory=dict)
    first_night_kb: float = 0.0  # per capture, night 1 alone

    @property
    def total(self) -> int:
        return sum(self.bytes_by_kind.values())

    @property
    def kb_per_capture(self) -> float:
        return self.total / 1024 / max(self.captures, 1)

    def kind_line(self) -> str:
        return ", ".join(f"{k} {self.bytes_by_kind.get(k, 0) / 1024 / max(self.captures, 1):.1f}" for k in KINDS)


def _named_evidence(db: Path) -> tuple[set[str], set[str], int]:
    """(screenshot files, crop files, captures) the store names."""
    with sqlite3.connect(db) as con:
        shots = {r[0] for r in con.execute("select screenshot_path from captures where screenshot_path is not null")}
        crops = {r[0] for r in con.execute("select evidence_path from results where evidence_path is not null")}
        count = con.execute("select count(*) from captures").fetchone()[0]
    return {str(Path(p).resolve()) for p in shots}, {str(Path(p).resolve()) for p in crops}, int(count)


def count_bytes(evidence_dir: Path, reports_dir: Path, shots: set[str], crops: set[str],
                only: set[str] | None = None) -> Counter[str]:
    """Bytes by kind of every file under the two folders (or of those in ``only``), each inode once."""
    seen: set[tuple[int, int]] = set()
    out: Counter[str] = Counter()
    for base, in_reports in ((evidence_dir, False), (reports_dir, True)):
        if not base.is_dir():
            continue
        for p in sorted(base.rglob("*")):
            if p.is_symlink() or not p.is_file() or (only is not None and str(p) not in only):
                continue
            st = p.stat()
            if (st.st_dev, st.st_ino) in seen:
                continue
            seen.add((st.st_dev, st.st_ino))
            out[_kind(p, in_reports, shots, crops)] += st.st_size
    return out


def _kind(p: Path, in_reports: bool, shots: set[str], crops: set[str]) -> str:
    name = p.name
    if "outlined-" in name and name.endswith(".png"):  # <stem>-outlined-<box>.png, <sha256>.outlined-<box>.png
        return "outlined"
    if in_reports:
        if p.parent.name == "evidence":
            return "report copies"
        return "platform zips" if name.endswith(".zip") else "report files"
    if name.endswith(".safe.html"):
        return "sanitised"
    full = str(p.resolve())
    if full in shots:
        return "screenshots"
    if full in crops:
        return "crops"
    if name.endswith((".html", ".html.gz", ".pdf", ".pdf.gz")):
        return "pages"
    return "crops" if name.endswith(".png") else "pages"


def measure(nights: int | None = None, progress: Callable[[str], None] | None = None) -> EvidenceFigures:
    """Play the default world's first ``nights`` nights and count what they left, by kind."""
    from sandbox import DEFAULT_WORLD_PATH, load_world
    from serpaudit.app.demo import demo_settings, run_demo
    from serpaudit.settings import Settings

    nights = nights or int(os.environ.get("BENCH_EVIDENCE_NIGHTS", "2"))
    with tempfile.TemporaryDirectory(prefix="bench-evidence-") as tmp:
        out = Path(tmp) / "demo"
        settings = demo_settings(load_world(DEFAULT_WORLD_PATH), out, Settings())
        dirs = (Path(settings.evidence_dir), Path(settings.reports_dir))
        first: dict[str, Counter[str]] = {}

        def on_job(_: object) -> None:  # the first job of night 2: night 1's folders are complete
            if not first and _report_folders(dirs[1]) == 1:
                first["files"] = _snapshot(*dirs)

        if progress:
            progress(f"evidence: playing the default world's first {nights} night(s) in Chromium ...")
        run_demo(DEFAULT_WORLD_PATH, out, Settings(), progress=on_job, nights=nights)
        db = Path(settings.database)
        shots, crops, captures = _named_evidence(db)
        total = count_bytes(*dirs, shots, crops)
        with sqlite3.connect(db) as con:
            first_run = con.execute("select id from runs order by started_at limit 1").fetchone()[0]
            first_captures = con.execute("select count(*) from captures where run_id = ?", [first_run]).fetchone()[0]
        night1 = count_bytes(*dirs, shots, crops, only=first.get("files")) if nights > 1 else total
        return EvidenceFigures(captures=captures, nights=nights, bytes_by_kind=dict(total),
                               first_night_kb=sum(night1.values()) / 1024 / max(int(first_captures), 1))


def _report_folders(reports_dir: Path) -> int:
    return sum(1 for d in reports_dir.iterdir() if d.is_dir() and not d.is_symlink()) if reports_dir.is_dir() else 0


def _snapshot(evidence_dir: Path, reports_dir: Path) -> set[str]:
    return {str(p) for base in (evidence_dir, reports_dir) if base.is_dir() for p in base.rglob("*") if p.is_file()}


def evidence_row(figures: EvidenceFigures) -> tuple[str, str, str, bool | None]:
    """(what, value, target, met) for bench.py's table."""
    value = (f"{figures.kb_per_capture:.1f} kB ({figures.captures} captures, {figures.nights} nights; night 1 alone "
             f"{figures.first_night_kb:.1f} kB; by kind: {figures.kind_line()})")
    if not BASELINE_KB_PER_CAPTURE:
        return "evidence bytes per capture", value, "(no baseline recorded)", None
    limit = BASELINE_KB_PER_CAPTURE * (1 - TARGET_CUT)
    return ("evidence bytes per capture", value,
            f"<= {limit:.1f} kB (40% below {BASELINE_KB_PER_CAPTURE:.1f} kB, {BASELINE_NOTE})",
            figures.kb_per_capture <= limit)


def main() -> int:
    nights = int(sys.argv[1]) if len(sys.argv) > 1 else None
    figures = measure(nights, progress=lambda m: print(f"bench: {m}", file=sys.stderr, flush=True))
    what, value, target, ok = evidence_row(figures)
    print(f"{what}: {value}; target {target}; met: {'n/a' if ok is None else 'yes' if ok else 'NO'}")
    print(f"bytes/capture {figures.kb_per_capture:.1f} kB")
    return 1 if ok is False else 0


if __name__ == "__main__":
    sys.exit(main())
