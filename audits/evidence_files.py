"""How stored evidence files are named and read: content-addressed, captured pages compressed.

Since issue 22 every evidence file is stored once, under the sha256 of what was captured::

    <evidence root>/sha256/<first two hex digits>/<sha256><suffix>

- a captured page (``.html``) is stored gzipped as ``<sha256>.html.gz``; its sha256, its name and the hash
  the store records are over the page as it was served (the uncompressed bytes), so a platform's copy of the
  page, unzipped, hashes to what the store says;
- its sanitised copy is ``<sha256>.safe.html``, plain: a browser opens it as it is (it is small);
- screenshots, crops and PDFs are stored as they were captured (PNG and PDF are compressed already).

Two captures of the same bytes (a page unchanged since last night, a crop of the same ad) share one file.
Stores written before that (``<root>/<run id>/<name>.html``, plain) read the same through :func:`read_evidence`.

This module is the one place that knows the layout: the writer (serpaudit.crawl.evidence), the report folder and
platform zips (reports.bundle), the desk and the readers of stored pages (campaign fingerprints, ``serpaudit
parse``) use it, so none of them opens a stored page with a bare ``read_text``.
"""

from __future__ import annotations

import gzip
import re
import zlib
from pathlib import Path

CONTENT_DIR = "sha256"
GZIP_SUFFIX = ".gz"
SAFE_SUFFIX = ".safe.html"
COMPRESSED_SUFFIXES = (".html",)  # what is stored gzipped: text; PNG and PDF gain nothing from it
_GZIP_MAGIC = b"\x1f\x8b"
_CONTENT_NAME = re.compile(r"^[0-9a-f]{64}(\.|$)")


def content_path(root: Path, sha256: str, suffix: str) -> Path:
    """Where the file of ``sha256`` captured as ``suffix`` (``.html``, ``.png``) is stored under ``root``."""
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise ValueError(f"not a sha256: {sha256!r}")
    return root / CONTENT_DIR / sha256[:2] / f"{sha256}{stored_suffix(suffix)}"


def stored_suffix(suffix: str) -> str:
    return suffix + GZIP_SUFFIX if suffix in COMPRESSED_SUFFIXES else suffix


def is_content_addressed(path: str | Path) -> bool:
    """Whether ``path`` is named by its sha256 (a store since issue 22), not by run and job."""
    return bool(_CONTENT_NAME.match(Path(str(path)).name))


def compress(data: bytes) -> bytes:
    """gzip at level 9 with no time or name in the header: the same page gives the same file."""
    return gzip.compress(data, compresslevel=9, mtime=0)


def is_compressed(path: str | Path) -> bool:
    return str(path).endswith(GZIP_SUFFIX)


def read_evidence(path: str | Path) -> bytes:
    """The bytes that were captured: a ``.gz`` file decompressed, any other (an older store's plain page, a
    PNG) as it is.  Raises OSError (``gzip.BadGzipFile`` is one) when the file cannot be read."""
    data = Path(str(path)).read_bytes()
    if not (is_compressed(path) or data[:2] == _GZIP_MAGIC):  # a PNG, a PDF, a plain page: as they are
        return data
    try:
        return gzip.decompress(data)
    except (EOFError, zlib.error) as exc:  # cut short, or damaged: a clear error naming the file
        raise gzip.BadGzipFile(f"{path}: not a whole gzip file ({exc})") from exc


def read_page(path: str | Path) -> str:
    """A stored captured page as text (undecodable bytes replaced, as the parsers read a live page)."""
    return read_evidence(path).decode("utf-8", errors="replace")


def as_captured(path: str) -> str:
    """The path of the file as captured: ``evidence/x.html.gz`` -> ``evidence/x.html`` (what a platform zip
    holds, uncompressed); any other path as it is."""
    return path[: -len(GZIP_SUFFIX)] if is_compressed(path) else path


def safe_copy_path(html_path: str | Path) -> str:
    """Where the sanitised copy of the captured page ``html_path`` is: ``x.html`` or ``x.html.gz`` ->
    ``x.safe.html``, beside it."""
    p = str(html_path)
    for suffix in (".html" + GZIP_SUFFIX, ".html"):
        if p.endswith(suffix):
            return p[: -len(suffix)] + SAFE_SUFFIX
    return p + SAFE_SUFFIX
