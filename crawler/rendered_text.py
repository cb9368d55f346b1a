"""The text a person sees on a page, from the browser's own layout (a CDP ``DOMSnapshot.captureSnapshot``).

A landing page can write its number where an HTML parse never looks: CSS ``::before``/``::after`` content,
an ``<input value>``, SVG ``<text>``, a shadow root (open or closed), an ``<iframe srcdoc>``, or script run
after load.  The browser has laid all of these out, so the snapshot holds them as layout text; and it can hide
junk digits interleaved with the real ones (``font-size:0``, ``opacity:0``, a transparent colour), which a
person does not see, so they are left out here.  The snapshot is taken by the browser (crawler.browser_visit),
not by the page's JavaScript, which a page could wrap.

:func:`rendered_text` is a pure function of the snapshot JSON, asked for with :data:`SNAPSHOT_PARAMS`.
Text in one block container is joined as laid out; each new block starts a new line; an input's value
(or its placeholder when empty) is a line of its own; each frame's document follows the page's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# The computed styles asked for, in this order (the snapshot's layout styles are indexes into its strings).
STYLES = ("font-size", "visibility", "display", "opacity", "color")
SNAPSHOT_PARAMS: dict[str, Any] = {"computedStyles": list(STYLES)}
MIN_FONT_PX = 3.0  # text smaller than this is not legible: junk digits at font-size 0 (or 1 px) are not read
_INLINE = ("inline", "contents", "inline-block", "ruby", "")
_NO_VALUE_TYPES = ("password", "hidden", "checkbox", "radio", "file", "image", "range", "color")


class _Doc:
    """One document of the snapshot, with per-node visibility and block containers worked out in one pass
    (nodes come in document order, each after its parent, so a 10,000-deep DOM costs no more than a flat one)."""

    def __init__(self, doc: Mapping[str, Any], strings: list[str]) -> None:
        self.strings = strings
        nodes = doc.get("nodes") or {}
        self.parent: list[int] = list(nodes.get("parentIndex") or [])
        self.names: list[int] = list(nodes.get("nodeName") or [])
        self.attrs: list[list[int]] = list(nodes.get("attributes") or [])
        self.layout = doc.get("layout") or {}
        self.inputs = _rare(nodes.get("inputValue"))
        self.text_values = _rare(nodes.get("textValue"))
        self.frames = _rare(nodes.get("contentDocumentIndex"))
        n = len(self.parent)
        style_of: dict[int, list[int]] = {}
        texts = self.layout.get("text") or []
        for li, ni in enumerate(self.layout.get("nodeIndex") or []):
            if (texts[li] if li < len(texts) else -1) < 0:  # an element's own box (a text's styles are its parent's)
                style_of.setdefault(ni, _at(self.layout.get("styles"), li) or [])
        self.laid_out = set(style_of)
        pseudo = _rare(nodes.get("pseudoType"))
        self.hidden = [False] * n  # hidden by an ancestor's opacity (not inherited by CSS, so carried here)
        self.block = list(range(n))  # the nearest block container
        self.after_of = [-1] * n  # the element whose ::after this node is (or is inside)
        self.end = list(range(n))  # the last node of each node's subtree (nodes come in document order)
        for i in range(n):
            p = self.parent[i] if i < len(self.parent) else -1
            styles = style_of.get(i)
            faded = styles is not None and _opacity(self._s(styles, 3)) <= 0.01
            self.hidden[i] = (p >= 0 and self.hidden[p]) or faded
            if p >= 0 and (styles is None or self._s(styles, 2) in _INLINE):
                self.block[i] = self.block[p]
            if p >= 0:
                self.after_of[i] = p if self._str(pseudo.get(i)) == "after" else self.after_of[p]
        for i in range(n - 1, 0, -1):
            p = self.parent[i]
            if 0 <= p < i:
                self.end[p] = max(self.end[p], self.end[i])

    def _s(self, styles: list[int], k: int) -> str:
        return self.strings[styles[k]] if k < len(styles) and 0 <= styles[k] < len(self.strings) else ""

    def name(self, i: int) -> str:
        k = self.names[i] if i < len(self.names) else -1
        return self.strings[k].lower() if 0 <= k < len(self.strings) else ""

    def attr(self, i: int, key: str) -> str:
        a = self.attrs[i] if i < len(self.attrs) else []
        for j in range(0, len(a) - 1, 2):
            if 0 <= a[j] < len(self.strings) and self.strings[a[j]].lower() == key:
                return self.strings[a[j + 1]] if 0 <= a[j + 1] < len(self.strings) else ""
        return ""

    def shows(self, styles: list[int], node: int) -> bool:
        """Whether text with these (inherited) styles, under this node, is seen by a person."""
        if self._s(styles, 1) in ("hidden", "collapse") or self._s(styles, 2) == "none":
            return False
        if _px(self._s(styles, 0)) < MIN_FONT_PX or _alpha(self._s(styles, 4)) <= 0.01:
            return False
        return not (0 <= node < len(self.hidden) and self.hidden[node])

    def lines(self) -> list[str]:
        """The visible text, in layout order, except that an element's ``::after`` follows its children
        (the snapshot lists it beside ``::before``, ahead of them)."""
        out: list[str] = []
        last_block: list[int | None] = [None]
        held: list[tuple[int, list[tuple[int, int]]]] = []  # (element, its ::after's layout entries)
        for li, ni in enumerate(self.layout.get("nodeIndex") or []):
            while held and not (held[-1][0] <= ni <= self.end[held[-1][0]]):
                for entry in held.pop()[1]:
                    self._emit(*entry, out, last_block)
            host = self.after_of[ni] if 0 <= ni < len(self.after_of) else -1
            if host >= 0:
                if not held or held[-1][0] != host:
                    held.append((host, []))
                held[-1][1].append((li, ni))
                continue
            self._emit(li, ni, out, last_block)
        while held:
            for entry in held.pop()[1]:
                self._emit(*entry, out, last_block)
        return out

    def _emit(self, li: int, ni: int, out: list[str], last_block: list[int | None]) -> None:
        texts = self.layout.get("text") or []
        styles = self.layout.get("styles") or []
        t = texts[li] if li < len(texts) else -1
        st = styles[li] if li < len(styles) else []
        if t < 0:
            value = self._value(ni)
            if value and self.shows(st, ni):
                out.append(value)
                last_block[0] = None
            return
        text = self._str(t)
        if not text or not self.shows(st, ni):
            return
        block = self.block[ni] if 0 <= ni < len(self.block) else None
        if block == last_block[0] and out:
            out[-1] += text
        elif text.strip():  # a whitespace-only text between blocks starts no line
            out.append(text)
        else:
            return
        last_block[0] = block

    def _value(self, i: int) -> str:
        """What an input or text area shows in its box: its value, or its placeholder when it has none."""
        name = self.name(i)
        if name == "input" and self.attr(i, "type").lower() not in _NO_VALUE_TYPES:
            value = self._str(self.inputs.get(i))
        elif name == "textarea":
            value = self._str(self.text_values.get(i)) or self._str(self.inputs.get(i))
        else:
            return ""
        return value or self.attr(i, "placeholder")

    def _str(self, k: Any) -> str:
        return self.strings[k] if isinstance(k, int) and 0 <= k < len(self.strings) else ""


def rendered_text(snapshot: Mapping[str, Any], max_chars: int | None = None) -> str:
    """The visible text of every document in ``snapshot`` (the page's, then its frames' that are shown),
    one block per line, cut at ``max_chars`` characters when given."""
    strings = [s if isinstance(s, str) else "" for s in snapshot.get("strings") or []]
    docs = [_Doc(d, strings) for d in snapshot.get("documents") or [] if isinstance(d, Mapping)]
    owner: dict[int, tuple[int, int]] = {}  # a frame's document -> (the document, node) of its <iframe>
    for di, d in enumerate(docs):
        for node, child in d.frames.items():
            if isinstance(child, int):
                owner.setdefault(child, (di, node))
    parts: list[str] = []
    size = 0
    for di, d in enumerate(docs):
        if di and not _frame_shown(di, docs, owner):
            continue
        for line in d.lines():
            parts.append(line)
            size += len(line) + 1
            if max_chars is not None and size >= max_chars:
                return "\n".join(parts)[:max_chars]
    return "\n".join(parts)


def _frame_shown(di: int, docs: list[_Doc], owner: dict[int, tuple[int, int]]) -> bool:
    """A frame's document is seen when its <iframe> and each frame above it is laid out and not hidden."""
    seen: set[int] = set()
    while di in owner and di not in seen:
        seen.add(di)
        parent, node = owner[di]
        d = docs[parent]
        if node not in d.laid_out or d.hidden[node]:
            return False
        di = parent
    return di == 0


def _rare(data: Any) -> dict[int, Any]:
    """A snapshot's rare data ({index: [...], value: [...]}) as a dict from node to value."""
    if not isinstance(data, Mapping):
        return {}
    return dict(zip(data.get("index") or [], data.get("value") or [], strict=False))


def _at(seq: Any, i: int) -> Any:
    return seq[i] if isinstance(seq, list) and i < len(seq) else None


def _px(value: str) -> float:
    try:
        return float(value.removesuffix("px")) if value.endswith("px") else 16.0
    except ValueError:
        return 16.0


def _alpha(color: str) -> float:
    """The alpha of a computed colour: Chromium writes "rgba(0, 0, 0, 0)" for transparent, "rgb(...)" opaque."""
    if color == "transparent":
        return 0.0
    return _opacity(color[5:-1].split(",")[-1].strip()) if color.startswith("rgba(") else 1.0


def _opacity(value: str) -> float:
    try:
        return float(value) if value else 1.0
    except ValueError:
        return 1.0


__all__ = ["MIN_FONT_PX", "SNAPSHOT_PARAMS", "rendered_text"]
