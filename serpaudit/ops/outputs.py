"""Where a night's outputs go, and what is kept: per-run report folders, ``latest``, retention, disk.

- Reports of a run go to ``<reports_dir>/<date>_<run id>/``. They are written into a hidden
  temporary folder first and renamed into place, so a kill while writing never leaves CSVs of
  one run beside a report.html of another.
- A run's folder is written once and never replaced (:class:`ReportFolderExists`): it is the record of
  what that night found and what went to the platforms that night; a later rendering with later
  states would rewrite history (a re-run of ``report`` once turned "13 new" into "13 recurring").
- ``<reports_dir>/latest`` is a symlink to the newest full night's folder. A run limited with
  ``--brand`` gets its own folder (suffix ``_brands``) and never repoints ``latest``.
- Evidence of runs older than ``retention_days`` is deleted, except files a finding points to.
- A run refuses to start with less than ``min_free_disk_mb`` free.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from audits.evidence_files import CONTENT_DIR, is_content_addressed, safe_copy_path
from serpaudit.ops.names import slug

log = logging.getLogger(__name__)

LATEST = "latest"


class ReportFolderExists(FileExistsError):
    """The run's report folder is in place already: it is never rewritten."""

    def __init__(self, folder: Path) -> None:
        super().__init__(f"{folder} exists: a night's report folder is written once and never rewritten")
        self.folder = folder


class LowDiskError(Exception):
    """Less free disk than ``min_free_disk_mb``: the run does not start (exit 3)."""


def run_folder_name(run: dict[str, Any], limited: bool) -> str:
    date = (run.get("started_at") or "")[:10] or datetime.now(UTC).strftime("%Y-%m-%d")
    return f"{date}_{slug(run['id'], 64)}" + ("_brands" if limited else "")


def place_run_reports(write: Callable[[Path], list[Path]], reports_dir: Path, run: dict[str, Any], *,
                      limited: bool) -> list[Path]:
    """``write(folder)`` writes the report files into ``folder``; they land whole in the run's folder.

    Raises :class:`ReportFolderExists`, before writing anything, when the run's folder is in place (and
    when another process placed it while this one was writing: the first one stays)."""
    reports_dir.mkdir(parents=True, exist_ok=True)
    name = run_folder_name(run, limited)
    final = reports_dir / name
    if final.exists():
        raise ReportFolderExists(final)
    tmp = reports_dir / f".tmp-{name}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    written = write(tmp)
    try:
        os.rename(tmp, final)  # never onto a folder in place: rename(2) refuses a non-empty target
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if final.exists():
            raise ReportFolderExists(final) from exc
        raise
    if not limited:
        point_latest(reports_dir, name)
    return [final / p.relative_to(tmp) for p in written]


def point_latest(reports_dir: Path, name: str) -> None:
    link = reports_dir / LATEST
    tmp = reports_dir / f".{LATEST}-{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(name, target_is_directory=True)
    os.replace(tmp, link)  # atomic: readers see the old or the new folder, never none


def clean_stale_temp(reports_dir: Path) -> None:
    """Half-written report folders of killed runs."""
    if reports_dir.is_dir():
        for p in reports_dir.glob(".tmp-*"):
            shutil.rmtree(p, ignore_errors=True)


def check_free_disk(paths: list[Path], min_free_mb: int) -> None:
    for p in paths:
        probe = p
        while not probe.exists() and probe != probe.parent:
            probe = probe.parent
        free_mb = shutil.disk_usage(probe).free // (1024 * 1024)
        if free_mb < min_free_mb:
            raise LowDiskError(f"only {free_mb} MB free at {probe} (min_free_disk_mb is {min_free_mb}): "
                               "the run did not start; free some space or lower retention_days")


def prune_evidence(store: Any, evidence_root: Path, retention_days: int, now: datetime | None = None) -> int:
    """Delete evidence older than ``retention_days``, keeping what findings point to; returns files deleted.

    Content-addressed files (``<root>/sha256/``, since issue 22) go when nothing has stored them since the
    cutoff (the writer touches a file it finds already stored) and no finding names their sha256: with it go
    its sanitised copy and outlined screenshots.  An older store's run folders go run by run, as before."""
    if retention_days <= 0 or not evidence_root.is_dir():
        return 0
    cutoff_at = (now or datetime.now(UTC)) - timedelta(days=retention_days)
    cutoff = cutoff_at.isoformat(timespec="seconds")
    named = {Path(p) for p in store.finding_evidence_paths()}
    keep = {str(p.resolve()) for p in named} | {str(Path(safe_copy_path(p)).resolve()) for p in named}
    keep_shas = {p.name[:64] for p in named if is_content_addressed(p)}
    removed = 0
    content = evidence_root.resolve() / CONTENT_DIR
    if content.is_dir():
        for f in content.rglob("*"):
            if (f.is_file() and f.name[:64] not in keep_shas and str(f.resolve()) not in keep
                    and f.stat().st_mtime < cutoff_at.timestamp()):
                f.unlink()
                removed += 1
    for run_id in store.runs_started_before(cutoff):
        folder = evidence_root.resolve() / slug(run_id, 64)
        if not folder.is_dir():
            continue
        for f in folder.rglob("*"):
            if f.is_file() and str(f.resolve()) not in keep:
                f.unlink()
                removed += 1
        if not any(folder.iterdir()):
            folder.rmdir()
    if removed:
        log.info("retention: deleted %d evidence file(s) of runs before %s (evidence of findings kept)", removed,
                 cutoff[:10])
    return removed
