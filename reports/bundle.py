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

import errno
import hashlib
import logging
import os
import shutil
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from audits.evidence_files import as_captured, is_compressed, is_content_addressed, read_evidence, safe_copy_path
from reports.answers import answer_views, write_ai_answers_csv
from reports.context import ReportContext, finding_key
from reports.csv_report import write_findings_csv
from reports.html_report import write_html
from reports.outline import parse_box, write_outlined
from reports.platforms import PLATFORMS, evidence_files, to_report, write_platform_csv
from reports.summary import night_counts, night_sentences, subject
from reports.xlsx_report import write_xlsx

log = logging.getLogger(__name__)

EVIDENCE_DIR = "evidence"
# path key -> sha key; the sanitised copy of a captured page (issue 13) travels like the rest
PATH_KEYS = {"evidence_path": "evidence_sha256", "screenshot_path": "screenshot_sha256",
             "html_path": "html_sha256", "html_safe_path": "html_safe_sha256"}  # fmt: skip
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


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            h.update(block)
    return h.hexdigest()


def captured_sha256(path: Path) -> str:
    """The sha256 of what was captured: a gzipped page's over the page, any other file's over its bytes."""
    return hashlib.sha256(read_evidence(path)).hexdigest() if is_compressed(path) else sha256_file(path)


# a hard link cannot be made here: another disk, a file system or a folder that does not allow it
_NO_LINK = {errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EACCES}


def link_or_copy(src: Path, target: Path) -> None:
    """``target`` the same file as ``src``: a hard link, or a copy where none can be made."""
    try:
        os.link(src, target)
    except FileExistsError:
        if sha256_file(target) != sha256_file(src):  # an older folder's file of that name: this one wins
            target.unlink()
            link_or_copy(src, target)
    except OSError as exc:
        if exc.errno not in _NO_LINK:
            raise
        shutil.copyfile(src, target)


class EvidenceCopier:
    """Links (or copies) evidence files into ``<out_dir>/evidence/`` once each and answers their relative path."""

    def __init__(self, out_dir: Path, evidence_root: Path | None) -> None:
        self.out_dir = out_dir
        self.root = evidence_root or Path.cwd()
        self.dest = out_dir / EVIDENCE_DIR
        self.copied: dict[str, str] = {}  # source (absolute) -> relative path in the bundle
        self.sources: dict[str, Path] = {}  # relative path in the bundle -> source (absolute)

    def copy(self, path: Any, expected_sha: Any = None) -> str:
        if not path:
            return ""
        src = Path(str(path))
        src = Path(os.path.abspath(src if src.is_absolute() else self.root / src))
        if str(src) in self.copied:
            return self.copied[str(src)]
        if not src.is_file():
            log.warning("evidence file missing, not in the report: %s", src)
            self.copied[str(src)] = ""
            return ""
        # a content-addressed file keeps its name (its sha256); an older store's is named by run and job
        name = src.name if is_content_addressed(src) or not src.parent.name else f"{src.parent.name}-{src.name}"
        target = self.dest / name
        self.dest.mkdir(parents=True, exist_ok=True)
        if os.path.abspath(target) != str(src):
            link_or_copy(src, target)
        actual = captured_sha256(target)
        if expected_sha and actual != expected_sha:
            log.warning("evidence %s: sha256 %s differs from the recorded %s", src, actual, expected_sha)
        rel = f"{EVIDENCE_DIR}/{name}"
        self.copied[str(src)] = rel
        self.sources[rel] = src
        return rel

    def relocate(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """``row`` with every evidence path linked into the bundle and made relative to it."""
        out = dict(row)
        if row.get("html_path") and not row.get("html_safe_path"):
            out["html_safe_path"] = self._safe_sibling(row["html_path"])
        for path_key, sha_key in PATH_KEYS.items():
            if out.get(path_key):
                out[path_key] = self.copy(out[path_key], out.get(sha_key))
        if out.get("screenshot_path") and parse_box(out.get("box")) and not out.get("screenshot_outlined_path"):
            out["screenshot_outlined_path"] = self.outlined(out["screenshot_path"], out["box"])
            if out["screenshot_outlined_path"]:
                out["screenshot_outlined_sha256"] = sha256_file(self.out_dir / out["screenshot_outlined_path"])
        if out.get("html_safe_path") and not out.get("html_safe_sha256"):
            out["html_safe_sha256"] = sha256_file(self.out_dir / out["html_safe_path"])
        return out

    def outlined(self, rel_screenshot: str, box: Any) -> str:
        """The screenshot with ``box`` framed, made once per (screenshot, box): its relative path.

        A content-addressed screenshot's is kept beside it in the evidence folder (``<sha256>.outlined-<box>.png``,
        made from that screenshot alone, so the same on every night that shows the same page) and linked in;
        where the evidence folder takes no file (read-only), or for an older store's, it is written here."""
        source = self.out_dir / rel_screenshot
        box_key = hashlib.sha1(str(box).encode()).hexdigest()[:8]
        original = self.sources.get(rel_screenshot)
        if original is not None and is_content_addressed(original):
            name = f"{original.name.removesuffix('.png')}.outlined-{box_key}.png"
            rel = f"{EVIDENCE_DIR}/{name}"
            cached = original.with_name(name)
            if (self.out_dir / rel).is_file():
                return rel
            made = _outlined_in_store(original, box, cached)
            if made:
                link_or_copy(cached, self.out_dir / rel)
                return rel
        name = f"{Path(rel_screenshot).stem}-outlined-{box_key}.png"
        rel = f"{EVIDENCE_DIR}/{name}"
        if (self.out_dir / rel).is_file() or write_outlined(source, box, self.out_dir / rel):
            return rel
        return ""

    def _safe_sibling(self, html_path: Any) -> str:
        """The sanitised copy the evidence writer keeps beside a captured page (``x.html[.gz]`` -> ``x.safe.html``)."""
        src = Path(str(html_path))
        src = src if src.is_absolute() else self.root / src
        safe = Path(safe_copy_path(src))
        return str(safe) if safe.is_file() else ""


def _outlined_in_store(screenshot: Path, box: Any, cached: Path) -> bool:
    """``cached`` (beside ``screenshot`` in the evidence folder) is the outlined screenshot, made now if need be.
    Written aside and renamed: a report killed mid-write leaves no half image there."""
    if cached.is_file():
        return True
    part = cached.with_name(cached.name + ".part")
    try:
        if not write_outlined(screenshot, box, part):
            return False
        os.replace(part, cached)
        return True
    except OSError as exc:
        log.debug("outlined screenshot not kept in the evidence folder (%s): written in the report", exc)
        try:
            part.unlink(missing_ok=True)
        except OSError:
            pass
        return False


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
    """Write the whole report folder into ``out_dir`` (created if needed)."""
    ctx = context or ReportContext()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    copier = EvidenceCopier(out_dir, evidence_root)
    rows = [copier.relocate(f) for f in findings]
    blocked_rows = [copier.relocate(c) for c in blocked]
    paths = [write_findings_csv(rows, out_dir / "findings.csv", ctx.region)]
    answers = answer_views(rows, ctx, copier.relocate)
    paths.append(write_ai_answers_csv(answers, out_dir / "ai_answers.csv", ctx))
    csvs, zips, sent = {}, {}, {}
    for platform in PLATFORMS:
        chosen = to_report(rows, platform, ctx)
        csvs[platform] = write_platform_csv(chosen, out_dir / f"{platform}.csv", ctx)
        zips[platform] = write_zip(out_dir / f"{platform}.zip", out_dir,
                                   [csvs[platform].name, *evidence_files(chosen)])  # fmt: skip
        sent[platform] = [finding_key(f) for f in chosen]
        paths += [csvs[platform], zips[platform]]
    counts = night_counts(rows, run=run, blocked=blocked_rows, context=ctx, sent=sent)
    summary = "\n".join(night_sentences(counts))
    (out_dir / "summary.txt").write_text(summary + "\n", encoding="utf-8")
    paths.append(write_xlsx(rows, out_dir / "findings.xlsx", run=run, blocked=blocked_rows, context=ctx))
    paths.append(write_html(rows, out_dir / "report.html", run=run, blocked=blocked_rows, context=ctx,
                            sent=sent, answers=answers))  # fmt: skip
    paths.append(out_dir / "summary.txt")
    paths.append(write_manifest(out_dir))
    log.debug("wrote %d report files to %s", len(paths), out_dir)  # a temporary folder: its caller names the final one
    return Bundle(out_dir, paths, csvs, zips, sent, summary, subject(counts))


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
