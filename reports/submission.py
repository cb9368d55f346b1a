"""A platform submission: the ads an analyst chose for one platform, as that platform's abuse team gets them.

``write_submission(ads, out_dir, platform, ctx)`` writes into ``out_dir`` (whoever calls it names the
folder and renames it into place)::

    <platform>.csv   one row per ad (the columns of :mod:`reports.platforms`)
    evidence/...     the screenshots, crops and pages the CSV names
    <platform>.zip   the CSV, exactly those evidence files, and their SHA256SUMS: the file to upload or mail
    SHA256SUMS       of every file in the folder

Each ad needs a ``report_reason`` (why it goes now); paths in the CSV are relative to the folder.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from reports.bundle import Bundle, EvidenceCopier, write_manifest, write_zip
from reports.context import ReportContext, finding_key, sort_key
from reports.platforms import PLATFORM_NAMES, PLATFORMS, evidence_files, write_platform_csv


def submission_subject(platform: str, n: int, day: str) -> str:
    """One line: the platform, how many ads, which day."""
    return f"{PLATFORM_NAMES.get(platform, platform)}: {n} ad{'s' if n != 1 else ''} with fake support numbers, {day}"


def write_submission(ads: Iterable[Mapping[str, Any]], out_dir: Path, platform: str, ctx: ReportContext, *,
                     evidence_root: Path | None = None) -> Bundle:
    """Write the submission folder of ``ads`` for ``platform`` into ``out_dir``; returns what it holds."""
    if platform not in PLATFORMS:
        raise ValueError(f"unknown platform {platform!r} (known: {', '.join(PLATFORMS)})")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    copier = EvidenceCopier(out_dir, evidence_root)
    rows = sorted(({**copier.relocate(a), "platform": platform} for a in ads), key=sort_key)
    csv_path = write_platform_csv(rows, out_dir / f"{platform}.csv", ctx)
    zip_path = write_zip(out_dir / f"{platform}.zip", out_dir, [csv_path.name, *evidence_files(rows)])
    manifest = write_manifest(out_dir)
    paths = sorted(p for p in out_dir.rglob("*") if p.is_file() and p != manifest) + [manifest]
    ids = [finding_key(r) for r in rows]
    return Bundle(out_dir, paths, {platform: csv_path}, {platform: zip_path}, {platform: ids}, "",
                  submission_subject(platform, len(ids), ctx.now[:10]))
