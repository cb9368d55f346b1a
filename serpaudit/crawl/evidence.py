"""Evidence files on disk: safe paths and their sha256, and sanitised copies of pages.

No part of a path comes from a URL or a brand name as such: names are a short
slug of ``[a-z0-9-]`` plus a hash of the chosen key, so nothing can climb out of
the evidence folder or collide.

A captured page is attacker-controlled: opened as it is, its scripts would run on
the analyst's machine and its trackers would learn that it was looked at.  So every
``.html`` written here gets a sanitised sibling ``<name>.safe.html`` (see
:func:`safe_copy_path`): scripts, event handlers, frames, plug-ins, forms' targets and
every external load removed, under a Content-Security-Policy that forbids them
anyway.  Reports link the sanitised copy; the raw file and its sha256 stay the
evidence, never opened by default.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import re
from pathlib import Path

import lxml.html
from lxml import etree

from serpaudit.ops.names import slug


def key_hash(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:12]


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class EvidenceFolder:
    """Writes a run's evidence under ``<root>/<run id>/``."""

    def __init__(self, root: Path, run_id: str) -> None:
        self.root = root.resolve()
        self.dir = self.root / slug(run_id, 64)
        self.dir.mkdir(parents=True, exist_ok=True)

    def name(self, label: str, *key: str) -> str:
        return f"{slug(label)}-{key_hash(*key)}"

    def write(self, name: str, suffix: str, data: bytes) -> tuple[str, str]:
        """Write ``data``; return (absolute path, sha256).  An ``.html`` file also gets its
        sanitised copy at :func:`safe_copy_path`."""
        path = (self.dir / f"{slug(name, 80)}{suffix}").resolve()
        if self.dir not in path.parents:  # defence in depth: slug() already rules this out
            raise ValueError(f"evidence path {path} leaves {self.dir}")
        path.write_bytes(data)
        digest = sha256_of(data)
        if suffix == ".html":
            safe = sanitise_html(data.decode("utf-8", errors="replace"), raw_name=path.name, raw_sha256=digest)
            Path(safe_copy_path(path)).write_text(safe, encoding="utf-8")
        return str(path), digest


SAFE_SUFFIX = ".safe.html"


def safe_copy_path(html_path: str | Path) -> str:
    """Where the sanitised copy of the evidence page ``html_path`` (``x.html``) is: ``x.safe.html``."""
    p = str(html_path)
    return (p[: -len(".html")] if p.endswith(".html") else p) + SAFE_SUFFIX


# Nothing may run, load or submit: images inlined as data: URLs and inline styles are all that render.
SAFE_CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; "
            "form-action 'none'; base-uri 'none'")
_DROP_TAGS = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "link", "portal",
              "audio", "video", "source", "track", "noscript", "template"}
_URL_ATTRS = {"src", "srcset", "href", "action", "formaction", "poster", "background", "data", "codebase",
              "cite", "longdesc", "usemap", "ping", "lowsrc", "dynsrc", "xlink:href", "manifest"}
_CSS_LOAD = re.compile(r"url\s*\(|@import|expression\s*\(|image-set\s*\(", re.I)


def sanitise_html(page: str, *, raw_name: str = "", raw_sha256: str = "") -> str:
    """A copy of ``page`` that can be opened safely: no scripts, handlers or external loads."""
    try:
        root = lxml.html.document_fromstring(page or "<html></html>")
    except (etree.ParserError, ValueError):
        root = lxml.html.document_fromstring("<html><body></body></html>")
    for el in list(root.iter()):
        if not isinstance(el.tag, str):  # comments and processing instructions
            if el.getparent() is not None:
                el.drop_tree()
            continue
        tag = el.tag.lower()
        if tag in _DROP_TAGS or (tag == "meta" and el.get("http-equiv")):
            el.drop_tree()
            continue
        if tag == "style":
            el.text = _CSS_LOAD.sub("blocked(", el.text or "")
        for attr in list(el.attrib):
            name = attr.lower()
            value = el.attrib[attr]
            if name.startswith("on") or name in ("srcdoc", "http-equiv"):
                del el.attrib[attr]
            elif name in _URL_ATTRS:
                if not value.strip().lower().startswith("data:image/") or name != "src":
                    if value.strip().lower().startswith(("http:", "https:", "//")):  # where it led: inert text
                        el.attrib[f"data-removed-{name.replace(':', '-')}"] = value[:500]
                    del el.attrib[attr]
            elif name == "style" and _CSS_LOAD.search(value):
                el.attrib[attr] = _CSS_LOAD.sub("blocked(", value)
    head = root.find("head")
    if head is None:
        head = etree.Element("head")
        root.insert(0, head)
    meta = etree.Element("meta", {"http-equiv": "Content-Security-Policy", "content": SAFE_CSP})
    head.insert(0, meta)
    head.insert(1, etree.Element("meta", {"name": "referrer", "content": "no-referrer"}))
    body = root.find("body")
    if body is not None:
        note = lxml.html.fragment_fromstring(
            '<div style="font:13px sans-serif;background:#fffbe6;border:1px solid #c90;padding:6px;margin:4px">'
            "Sanitised copy of captured evidence: scripts, event handlers and external loads removed. "
            f"Raw file: <code>{html_lib.escape(raw_name)}</code> sha256 <code>{html_lib.escape(raw_sha256)}</code>"
            "</div>")
        body.insert(0, note)
    out = lxml.html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>")
    return str(out)
