"""The report folder: self-contained, relocatable, with one ready-to-upload zip per platform.

``write_bundle(findings, out_dir, ...)`` writes everything into ``out_dir`` (whoever calls it decides
where that folder lives and renames it into place):

    findings.csv  findings.xlsx  report.html  summary.txt  ai_answers.csv
    google_ads.csv  google_ads.zip  microsoft_advertising.csv  microsoft_advertising.zip
    evidence/...    SHA256SUMS

Evidence files (result crops, screenshots, captured pages, their sanitised copies) are hard-linked into
``evidence/`` from the content-addressed evidence folder (:mod:`audits.evidence_files`), beside each
screenshot one with the case's ad outlined (:mod:`reports.outline`), and every path written anywhere in
the folder is relative to it, so the folder can be zipped, mailed or copied to another machine and still
opens the same.  A hard link rather than a copy: on the evidence folder's disk it costs no bytes.  A hard
link rather than a symbolic one: every tool (zip, cp, scp, a mail client, Windows) sees a real file, where a
symbolic link would be stored as a link, or break as soon as the folder left the machine or the evidence
root moved, and retention pruning the evidence folder does not take a report's files away.  Where no hard
link can be made (another disk, a file system without them), the file is copied.  A captured page stays
gzipped in the folder (``<sha256>.html.gz``; ``gunzip`` gives the page, whose sha256 the CSVs state).
A file whose sha256 differs from the one the store recorded at capture time is kept but logged: the
manifest states what was actually shipped.
Each platform zip holds its CSV, real copies of exactly the evidence files that CSV names (a captured page
uncompressed, as ``<sha256>.html``: what a platform's reviewer opens, hashing to the CSV's sha256), and
``SHA256SUMS`` (``sha256sum -c`` format).  AI-answer findings go to no platform zip: ``ai_answers.csv`` holds them, with
the evidence of the pages their answers cite copied in like the rest (:mod:`reports.answers`).
"""

from __future__ import annotations

import hashlib
import logging
import zipfile
from collections.abc import Iterable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from audits.evidence_files import as_captured, read_evidence
from reports.answers import answer_views, write_ai_answers_csv
from reports.cells import csv_rows
from reports.context import ReportContext, campaign_rows, finding_key
from reports.csv_report import FINDINGS_COLUMNS, findings_row
from reports.evidence_copy import (  # noqa: F401  (sha256_file, link_or_copy: imported from here by callers)
    EVIDENCE_DIR,
    PATH_KEYS,
    EvidenceCopier,
    captured_sha256,
    link_or_copy,
    sha256_file,
)
from reports.html_report import write_html
from reports.ordered import OrderedFindings, in_report_order
from reports.platforms import PLATFORM_COLUMNS, PLATFORMS, evidence_files, platform_row, reported
from reports.summary import night_counts, night_sentences, subject
from reports.tally import NightTally
from reports.xlsx_report import write_xlsx

log = logging.getLogger(__name__)

_ZIP_TIME = (2000, 1, 1, 0, 0, 0)  # fixed: the same files give the same zip


@dataclass(frozen=True)
class Bundle:
    """What ``write_bundle`` wrote: the folder, its files, and who gets which finding."""

    dir: Path
    paths: list[Path]
    platform_csvs: dict[str, Path]
    platform_zips: dict[str, Path]
    # platform -> finding ids in its CSV tonight (the caller records them as sent once delivered)
    sent: dict[str, list[str]] = field(default_factory=dict)
    summary: str = ""
    subject: str = ""

    @property
    def analyst_files(self) -> list[Path]:
        return [self.dir / n for n in ("report.html", "findings.xlsx", "findings.csv", "summary.txt")
                if (self.dir / n).is_file()]  # fmt: skip


def write_zip(zip_path: Path, out_dir: Path, members: Iterable[str]) -> Path:
    """A zip of ``members`` (paths relative to ``out_dir``) plus their SHA256SUMS: real copies, a gzipped
    page as the page it is (``x.html.gz`` -> ``x.html``)."""
    names = list(dict.fromkeys(members))
    sums = []
    with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for n in names:
            data = read_evidence(out_dir / n)
            arcname = as_captured(n)
            info = zipfile.ZipInfo(arcname, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
            sums.append(f"{hashlib.sha256(data).hexdigest()}  {arcname}\n")
        info = zipfile.ZipInfo("SHA256SUMS", date_time=_ZIP_TIME)
        zf.writestr(info, "".join(sums).encode("utf-8"))
    return zip_path


def write_manifest(out_dir: Path) -> Path:
    """SHA256SUMS of every file in the folder (relative paths), for whoever receives it."""
    files = sorted(p for p in out_dir.rglob("*") if p.is_file() and p.name != "SHA256SUMS")
    lines = [f"{sha256_file(p)}  {p.relative_to(out_dir).as_posix()}\n" for p in files]
    path = out_dir / "SHA256SUMS"
    path.write_text("".join(lines), encoding="utf-8")
    return path


def write_bundle(
    findings: Iterable[Mapping[str, Any]],
    out_dir: Path,
    *,
    run: Mapping[str, Any] | None = None,
    blocked: Iterable[Mapping[str, Any]] = (),
    evidence_root: Path | None = None,
    context: ReportContext | None = None,
) -> Bundle:
    """Write the whole report folder into ``out_dir`` (created if needed).

    ``findings`` read from the store as :class:`reports.ordered.OrderedFindings` stream: each output reads them
    afresh in report order and writes as it reads, so a night of 100,000 cases is never in memory at once
    (what is kept: the ids each platform gets, the evidence files' names, counts); any other iterable is sorted
    into a list first."""
    ctx = context or ReportContext()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    copier = EvidenceCopier(out_dir, evidence_root)
    ordered = in_report_order(findings)
    rows: OrderedFindings | list[Mapping[str, Any]] = (
        ordered.mapped(copier.relocate) if isinstance(ordered, OrderedFindings)
        else [copier.relocate(f) for f in ordered])  # fmt: skip
    blocked_rows = [copier.relocate(c) for c in blocked]
    tally, sent, files = _write_csvs(rows, out_dir, ctx)
    answers = answer_views(tally.ai, ctx, copier.relocate)
    paths = [out_dir / "findings.csv", write_ai_answers_csv(answers, out_dir / "ai_answers.csv", ctx)]
    csvs, zips = {}, {}
    for platform in PLATFORMS:
        csvs[platform] = out_dir / f"{platform}.csv"
        zips[platform] = write_zip(out_dir / f"{platform}.zip", out_dir, [csvs[platform].name, *files[platform]])
        paths += [csvs[platform], zips[platform]]
    counts = night_counts(tally, run=run, blocked=blocked_rows, context=ctx, sent=sent)
    summary = "\n".join(night_sentences(counts))
    (out_dir / "summary.txt").write_text(summary + "\n", encoding="utf-8")
    campaigns = campaign_rows(rows, ctx, (tally.campaign_sizes, tally.campaign_named))
    paths.append(write_xlsx(rows, out_dir / "findings.xlsx", run=run, blocked=blocked_rows, context=ctx,
                            campaigns=campaigns, tally=tally))  # fmt: skip
    paths.append(write_html(rows, out_dir / "report.html", run=run, blocked=blocked_rows, context=ctx,
                            sent=sent, answers=answers, counts=counts, campaigns=campaigns, tally=tally))  # fmt: skip
    paths.append(out_dir / "summary.txt")
    paths.append(write_manifest(out_dir))
    log.debug("wrote %d report files to %s", len(paths), out_dir)  # a temporary folder: its caller names the final one
    return Bundle(out_dir, paths, csvs, zips, sent, summary, subject(counts))


def _write_csvs(rows: Iterable[Mapping[str, Any]], out_dir: Path, ctx: ReportContext
                ) -> tuple[NightTally, dict[str, list[str]], dict[str, dict[str, None]]]:
    """findings.csv and each platform's CSV, in one pass over the night: (its tally, the ids each platform's CSV
    holds, the evidence files each names, in order, each once)."""
    tally = NightTally()
    sent: dict[str, list[str]] = {p: [] for p in PLATFORMS}
    files: dict[str, dict[str, None]] = {p: {} for p in PLATFORMS}
    with ExitStack() as stack:
        findings_csv = stack.enter_context(csv_rows(out_dir / "findings.csv", FINDINGS_COLUMNS))
        platform_csvs = {p: stack.enter_context(csv_rows(out_dir / f"{p}.csv", PLATFORM_COLUMNS)) for p in PLATFORMS}
        for f in rows:
            tally.add(f)
            findings_csv(findings_row(f, ctx.region))
            for platform in PLATFORMS:  # one row per ad to report (a header-only file when there is none tonight)
                for chosen in reported((f,), platform, ctx):
                    sent[platform].append(finding_key(chosen))
                    files[platform].update(dict.fromkeys(evidence_files((chosen,))))
                    platform_csvs[platform](platform_row(chosen, ctx))
    return tally, sent, files


def write_reports(
    findings: Iterable[Mapping[str, Any]],
    out_dir: Path,
    *,
    run: Mapping[str, Any] | None = None,
    blocked: Iterable[Mapping[str, Any]] = (),
    evidence_root: Path | None = None,
    context: ReportContext | None = None,
) -> list[Path]:
    """:func:`write_bundle`, returning the files written (the single entry point callers use)."""
    return write_bundle(findings, out_dir, run=run, blocked=blocked, evidence_root=evidence_root,
                        context=context).paths  # fmt: skip
