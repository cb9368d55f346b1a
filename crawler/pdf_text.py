"""The text of a PDF an AI answer cites (scammers upload "customer service" PDFs for the AI to quote).

Read with pypdf (pure Python, no native code to trust with a hostile file), within budgets: at most
``max_pages`` pages and ``max_chars`` characters, and never more than ``max_bytes`` of file.  A PDF that
cannot be read (encrypted, malformed, or text drawn as pictures so there is no text layer) is said so, in
:attr:`PdfText.unread`: recorded as not read, never as "does not carry the number".
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

log = logging.getLogger(__name__)

MAX_PAGES = 50
MAX_BYTES = 20_000_000


@dataclass(frozen=True)
class PdfText:
    text: str
    pages: int  # pages in the file (0 when it could not be opened)
    unread: str = ""  # why no text could be read, "" when some was
    truncated: str = ""  # why reading stopped early, "" when the whole file was read


def is_pdf(data: bytes, content_type: str = "") -> bool:
    """A PDF by its first bytes (a server may call it anything) or, failing that, its content type."""
    return data[:1024].lstrip()[:5] == b"%PDF-" or content_type.split(";")[0].strip().lower() == "application/pdf"


def pdf_text(data: bytes, *, max_chars: int | None = None, max_pages: int = MAX_PAGES,
             max_bytes: int = MAX_BYTES) -> PdfText:
    """The text of the PDF ``data`` within the budgets, or why it could not be read."""
    if len(data) > max_bytes:
        return PdfText("", 0, unread=f"PDF of {len(data):,} bytes, over the {max_bytes:,}-byte budget: not read")
    try:
        from pypdf import PdfReader  # imported here: only nights that meet a PDF pay for it
        from pypdf.errors import PyPdfError

        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            return PdfText("", 0, unread="PDF is encrypted: not read")
        count = len(reader.pages)
        chunks: list[str] = []
        size = 0
        truncated = ""
        for i, page in enumerate(reader.pages):
            if i >= max_pages:
                truncated = f"read the first {max_pages} of {count} pages"
                break
            chunk = page.extract_text() or ""
            chunks.append(chunk)
            size += len(chunk)
            if max_chars is not None and size >= max_chars:
                truncated = f"read the first {max_chars:,} characters (max_page_chars), {i + 1} of {count} pages"
                break
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        log.info("PDF not read: %s: %s", exc.__class__.__name__, exc)
        return PdfText("", 0, unread=f"PDF could not be read ({exc.__class__.__name__})")
    text = "\n".join(chunks)
    if max_chars is not None:
        text = text[:max_chars]
    if not text.strip():
        return PdfText("", count, unread=f"PDF of {count} page(s) has no text layer (scanned or drawn): not read")
    return PdfText(text, count, truncated=truncated)
