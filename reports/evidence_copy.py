"""Evidence files linked (or copied) into a report folder, each once, with every path made relative to it.

Part of :mod:`reports.bundle` (whose docstring says why hard links, and how a gzipped page travels); kept
apart so a folder's writer and a platform submission (:mod:`reports.submission`) share one copier.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from audits.evidence_files import is_compressed, is_content_addressed, read_evidence, safe_copy_path
from reports.outline import parse_box, write_outlined

log = logging.getLogger(__name__)

EVIDENCE_DIR = "evidence"
# path key -> sha key; the sanitised copy of a captured page (issue 13) travels like the rest
PATH_KEYS = {"evidence_path": "evidence_sha256", "screenshot_path": "screenshot_sha256",
             "html_path": "html_sha256", "html_safe_path": "html_safe_sha256"}  # fmt: skip

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
        # each output reads the findings afresh and relocates them again: what costs a read of a file, once
        self._sha: dict[str, str] = {}  # relative path -> its sha256
        self._safe: dict[str, str] = {}  # captured page -> its sanitised copy ("" when none)
        self._outlined: dict[tuple[str, str], str] = {}  # (screenshot, box) -> its outlined copy

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
            html = str(row["html_path"])
            if html not in self._safe:
                self._safe[html] = self._safe_sibling(html)
            out["html_safe_path"] = self._safe[html]
        for path_key, sha_key in PATH_KEYS.items():
            if out.get(path_key):
                out[path_key] = self.copy(out[path_key], out.get(sha_key))
        if out.get("screenshot_path") and parse_box(out.get("box")) and not out.get("screenshot_outlined_path"):
            key = (str(out["screenshot_path"]), str(out["box"]))
            if key not in self._outlined:
                self._outlined[key] = self.outlined(out["screenshot_path"], out["box"])
            out["screenshot_outlined_path"] = self._outlined[key]
            if out["screenshot_outlined_path"]:
                out["screenshot_outlined_sha256"] = self.sha256(out["screenshot_outlined_path"])
        if out.get("html_safe_path") and not out.get("html_safe_sha256"):
            out["html_safe_sha256"] = self.sha256(out["html_safe_path"])
        return out

    def sha256(self, rel: str) -> str:
        """The sha256 of a file in the folder, read once."""
        if rel not in self._sha:
            self._sha[rel] = sha256_file(self.out_dir / rel)
        return self._sha[rel]

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
