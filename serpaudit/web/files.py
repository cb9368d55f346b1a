"""Evidence files as the desk serves them: only from the evidence folder, only kinds that cannot run.

The store keeps absolute paths; a page links ``/evidence/<path inside the evidence folder>``. Serving goes
the other way and refuses anything that could leave the folder (``..``, an absolute path, a symlink out)
or that is a raw captured page: an attacker's HTML is only ever served as its sanitised ``.safe.html``
copy, under :data:`EVIDENCE_CSP`.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from serpaudit.crawl.evidence import SAFE_SUFFIX, safe_copy_path

IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp"}
# A sanitised page shown in the case page's iframe: a sandbox (no scripts, forms, pop-ups or top navigation),
# nothing loaded, framed by the desk alone.
EVIDENCE_CSP = ("sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; form-action 'none'; "
                "base-uri 'none'; frame-ancestors 'self'")


class EvidenceFiles:
    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()

    def url(self, path: Any) -> str | None:
        """The desk's URL of an evidence file the store names, or None when it is not inside the folder."""
        rel = self._inside(path)
        return None if rel is None else "/evidence/" + quote(rel.as_posix())

    def safe_copy_url(self, html_path: Any) -> str | None:
        """The URL of the sanitised copy of a captured page (never the raw page), if that copy exists."""
        if not html_path:
            return None
        safe = Path(safe_copy_path(str(html_path)))
        return self.url(safe) if safe.is_file() else None

    def local(self, path: Any) -> Path | None:
        rel = self._inside(path)
        return None if rel is None else self.root / rel

    def _inside(self, path: Any) -> PurePosixPath | None:
        if not path:
            return None
        try:
            resolved = Path(str(path)).resolve()
            return PurePosixPath(resolved.relative_to(self.root).as_posix())
        except (ValueError, OSError):
            return None

    def serve(self, rel: str) -> tuple[Path, str] | None:
        """``(file, media type)`` for ``/evidence/<rel>``, or None: outside the folder, not a file, or a kind
        the desk does not serve (a raw page, anything but images and sanitised copies)."""
        parts = PurePosixPath(rel).parts
        if not rel or rel.startswith("/") or "\\" in rel or "\x00" in rel or any(p in ("..", ".") for p in parts):
            return None
        path = (self.root / rel).resolve()
        if self.root not in path.parents or not path.is_file():
            return None
        if path.name.endswith(SAFE_SUFFIX):
            return path, "text/html; charset=utf-8"
        kind = IMAGE_TYPES.get(path.suffix.lower())
        return (path, kind) if kind else None
