"""Small PDFs for the sandbox web: a world page with ``content_type = "application/pdf"`` is served as a PDF
whose text is the page's title and body (the "customer service" PDFs scammers upload for AI answers to quote).

A real PDF (catalog, page tree, one page per 40 lines, a Helvetica text layer, cross-reference table), so
the crawler reads it the way it reads any PDF it meets.  ``text_layer=False`` draws nothing readable: the
scanned PDF a reader cannot get text from.
"""

from __future__ import annotations

import re

LINES_PER_PAGE = 40
_TAGS = re.compile(r"<[^>]*>")


def _escape(line: str) -> bytes:
    raw = line.encode("cp1252", errors="replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def body_lines(title: str, body: str) -> list[str]:
    """The page's title and its body as plain lines (markup dropped: a world writes PDFs as text)."""
    text = _TAGS.sub("\n", body)
    lines = [title] if title else []
    lines += [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    return lines


def make_pdf(lines: list[str], *, text_layer: bool = True) -> bytes:
    pages = [lines[i:i + LINES_PER_PAGE] for i in range(0, len(lines), LINES_PER_PAGE)] or [[]]
    objects: list[bytes] = []  # object n is objects[n - 1]
    n_pages = len(pages)
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(n_pages))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    for i, page in enumerate(pages):
        if text_layer:
            ops = [b"BT /F1 11 Tf 56 790 Td 14 TL"]
            ops += [b"(" + _escape(line) + b") '" for line in page]
            ops.append(b"ET")
        else:  # grey bars where the lines would be: something to see, nothing to read
            ops = [b"0.6 g"] + [f"56 {780 - 14 * j} {min(480, 6 * len(line))} 8 re f".encode()
                                for j, line in enumerate(page)]
        stream = b"\n".join(ops)
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >>"
                       f" /Contents {5 + 2 * i} 0 R >>".encode())
        objects.append(f"<< /Length {len(stream)} >>\nstream\n".encode() + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
