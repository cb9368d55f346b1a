"""Evidence files on disk: content-addressed, captured pages compressed, and sanitised copies of pages.

Every file is stored once under the sha256 of what was captured (:mod:`audits.evidence_files` has the
layout): no part of a path comes from a URL or a brand name, so nothing can climb out of the evidence folder
or collide, and a page or screenshot unchanged since an earlier capture is not stored again.  A captured page
is stored gzipped (``<sha256>.html.gz``), its sha256 over the page as served.  gzip, from the standard
library, rather than zstd: Python 3.11 has no zstd without a new dependency, gzip opens with every tool an
analyst or a platform has, and at these sizes (5-50 kB) zstd would save a few hundred bytes a page more.

A captured page is attacker-controlled: opened as it is, its scripts would run on the analyst's machine and
its trackers would learn that it was looked at.  So every page written here gets a sanitised sibling
``<sha256>.safe.html`` (see :func:`safe_copy_path`), plain so that a browser opens it: scripts, event
handlers, frames, plug-ins, forms' targets and every external load removed, under a Content-Security-Policy
that forbids them anyway.  Reports link the sanitised copy; the raw file and its sha256 stay the evidence,
never opened by default.
"""

from __future__ import annotations

import base64
import hashlib
import html as html_lib
import os
import threading
from pathlib import Path

import nh3

from audits.evidence_files import CONTENT_DIR, SAFE_SUFFIX, compress, content_path, safe_copy_path
from serpaudit.ops.names import slug

__all__ = ["SAFE_CSP", "SAFE_SUFFIX", "EvidenceFolder", "EvidenceWriteError", "key_hash", "safe_copy_path",
           "sanitise_html", "sha256_of", "slug"]


def key_hash(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:12]


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class EvidenceWriteError(OSError):
    """Evidence could not be written (a full disk, a read-only or vanished folder). The machine's fault, not the
    night's: the run stops, left unfinished so that the next run resumes it once the folder takes files again;
    no half-written file is kept, and no capture is stored without its evidence."""


def _write_atomically(path: Path, data: bytes) -> None:
    # a part of this writer's own: two lanes storing the same bytes at once each rename a whole file into place
    part = path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}.part")
    try:
        part.write_bytes(data)
        os.replace(part, path)
    except OSError:
        try:
            part.unlink(missing_ok=True)
        except OSError:
            pass
        raise


class EvidenceFolder:
    """Writes a run's evidence into the content-addressed folder ``<root>/sha256/`` (``dir``)."""

    def __init__(self, root: Path, run_id: str) -> None:
        self.root = root.resolve()
        self.run_id = run_id
        self.dir = self.root / CONTENT_DIR
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise EvidenceWriteError(exc.errno, f"could not make the evidence folder {self.dir}: "
                                                f"{exc.strerror or exc}") from exc

    def name(self, label: str, *key: str) -> str:
        """A name for the log and the caller's bookkeeping; the file itself is named by its sha256."""
        return f"{slug(label)}-{key_hash(*key)}"

    def write(self, name: str, suffix: str, data: bytes) -> tuple[str, str]:
        """Store ``data`` once; return (absolute path, sha256 of ``data``).  A page (``.html``) is stored
        gzipped, with its sanitised copy at :func:`safe_copy_path`.  ``name`` is for the log: two captures
        of the same bytes share one file, written once."""
        digest = sha256_of(data)
        path = content_path(self.root, digest, "." + slug(suffix.lstrip("."), 16))  # our suffix, slug()ed anyway
        try:
            if path.is_file():
                os.utime(path)  # stored again tonight: retention counts from the last capture of these bytes
            else:
                path.parent.mkdir(exist_ok=True)
                _write_atomically(path, compress(data) if suffix == ".html" else data)
            safe = Path(safe_copy_path(path))
            if suffix == ".html" and not safe.is_file():
                page = sanitise_html(data.decode("utf-8", errors="replace"), raw_name=path.name, raw_sha256=digest)
                _write_atomically(safe, page.encode("utf-8"))
        except OSError as exc:
            raise EvidenceWriteError(exc.errno, f"could not write evidence {path} ({name}): "
                                                f"{exc.strerror or exc}") from exc
        return str(path), digest


# The allow-list: text and structure only.  Anything else is unwrapped (its text kept, escaped) or, for the
# tags below whose content is code or a foreign document, dropped with its content.  No style, meta, link,
# base, frame, plug-in, form, image, media, svg or math survives, so nothing is left that can run, load,
# refresh or submit.  nh3 (ammonia over html5ever) parses as a browser does and serialises its own tree, so
# what Chromium parses from the copy is what was allowed (``<svg><style><meta …>`` cannot turn back into a tag).
_SAFE_TAGS = frozenset({
    "a", "abbr", "address", "article", "aside", "b", "bdi", "blockquote", "br", "caption", "cite", "code",
    "col", "colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure",
    "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "i", "ins", "kbd", "li", "main", "mark",
    "nav", "ol", "p", "pre", "q", "s", "samp", "section", "small", "span", "strong", "sub", "summary", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul", "var", "wbr"})
_DROP_WITH_CONTENT = frozenset({
    "script", "style", "template", "noscript", "noembed", "noframes", "iframe", "frame", "frameset",
    "object", "embed", "applet", "svg", "math", "title", "textarea", "select", "xmp", "plaintext"})
# Inert attributes only: no handler, no style, no URL but a tel: link (it loads nothing, and shows the number
# a page dials).  A remote, relative or javascript: href is dropped, the link text stays.
_SAFE_ATTRS = {"*": {"title", "lang", "dir"}, "a": {"href"}, "td": {"colspan", "rowspan"},
               "th": {"colspan", "rowspan", "scope"}, "time": {"datetime"}, "ol": {"start", "reversed"}}

_NOTE_STYLE = ".serpaudit-note{font:13px sans-serif;background:#fffbe6;border:1px solid #c90;padding:6px;margin:4px}"
# Nothing may load, run, navigate or submit; the one style allowed is the note's own, by its hash.  (A meta
# CSP cannot stop a top-level navigation in Chromium, which is why nothing that navigates is kept at all.)
SAFE_CSP = ("default-src 'none'; style-src "
            f"'sha256-{base64.b64encode(hashlib.sha256(_NOTE_STYLE.encode()).digest()).decode()}'; "
            "navigate-to 'none'; form-action 'none'; base-uri 'none'")


def sanitise_html(page: str, *, raw_name: str = "", raw_sha256: str = "") -> str:
    """A copy of ``page`` that can be opened safely: its text and structure, nothing that runs or loads.

    The CSP and the note are written after sanitising, so only this function's own header carries a meta."""
    body = nh3.clean(page or "", tags=set(_SAFE_TAGS), clean_content_tags=set(_DROP_WITH_CONTENT),
                     attributes={k: set(v) for k, v in _SAFE_ATTRS.items()}, url_schemes={"tel"},
                     url_relative="deny", link_rel=None, strip_comments=True)
    esc = html_lib.escape
    return ("<!DOCTYPE html>\n<html><head>"
            f'<meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="{esc(SAFE_CSP, quote=False)}">'
            '<meta name="referrer" content="no-referrer">'
            f"<title>Sanitised copy of {esc(raw_name)}</title><style>{_NOTE_STYLE}</style></head>\n<body>"
            '<div class="serpaudit-note">Sanitised copy of captured evidence: text and structure only; scripts, '
            f"styles, images, frames, forms and links out removed. Raw file: <code>{esc(raw_name)}</code> "
            f"sha256 <code>{esc(raw_sha256)}</code></div>\n{body}\n</body></html>\n")
