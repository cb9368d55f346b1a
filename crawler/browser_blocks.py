"""Where each result block stands on the rendered page, and its crop with the numbers outlined.

Part of the browser (Playwright stays in ``crawler/browser*.py``): one ``page.evaluate`` locates the blocks and
the numbers in them, and the crops are cut with Pillow from the full-page screenshot already taken.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from crawler.browser_pages import FULL_PAGE_SCALE, Target

log = logging.getLogger("crawler.browser")

# (title, numbers to outline) of a result; an AI answer adds the start of its text (see _LOCATE_JS)


@dataclass(frozen=True)
class BlockShot:
    """Where one result block stood on the rendered page, and its cropped evidence."""

    box: tuple[float, float, float, float] | None  # x, y, width, height in page pixels
    above_fold: bool | None  # inside the first viewport
    png: bytes | None = None  # crop of the block with its numbers highlighted


# Results are located by position, not by title text alone: the i-th result takes the first title
# element in document order not taken by an earlier one, so results with identical titles get one
# element each; a block then grows from its title while it holds no other result's title *element*.
# An AI answer comes with an anchor (the start of its text) and is located first: its whole panel, the
# nearest ancestor of its title holding that text, is claimed, so a source card in it titled like an
# organic result ("Klantenservice | Telnova") is never taken for that result, nor cuts the answer's box short.
_LOCATE_JS = """
([titles, anchors]) => {
  const norm = s => (s || "").replace(/\\s+/g, " ").trim().toLowerCase();
  const wanted = titles.map(norm);
  const anchored = (anchors || []).map(norm);
  const all = Array.from(document.body.querySelectorAll("h1,h2,h3,h4,a,[role=heading],span,div"));
  const used = new Set();
  const heads = new Array(wanted.length).fill(null);
  const order = wanted.map((_, i) => i).sort((a, b) => (anchored[b] ? 1 : 0) - (anchored[a] ? 1 : 0));
  for (const i of order) {
    const w = wanted[i];
    if (!w) continue;
    const head = all.find(el => !used.has(el) && norm(el.textContent) === w && el.getClientRects().length);
    if (!head) continue;
    // the outermost element with exactly this text (an <a> around an <h3>): one per result
    let top = head;
    while (top.parentElement && top.parentElement !== document.body && norm(top.parentElement.textContent) === w) {
      top = top.parentElement;
    }
    let claim = top;
    if (anchored[i]) {
      let panel = top;
      while (panel && panel !== document.body && !norm(panel.textContent).includes(anchored[i])) {
        panel = panel.parentElement;
      }
      if (panel && panel !== document.body) claim = panel;
    }
    claim.querySelectorAll("*").forEach(el => used.add(el));
    used.add(claim);
    heads[i] = top;
  }
  return heads.map((head, i) => {
    if (!head) return null;
    const others = heads.filter((h, j) => h && j !== i);
    let block = head;
    while (block.parentElement && block.parentElement !== document.body
           && !others.some(h => block.parentElement.contains(h))) {
      block = block.parentElement;
    }
    block.setAttribute("data-serpaudit-block", (block.getAttribute("data-serpaudit-block") || "") + ` ${i} `);
    const r = block.getBoundingClientRect();
    return [r.left + window.scrollX, r.top + window.scrollY, r.width, r.height];
  });
}
"""

# The rectangles of the numbers to highlight in each located block (text occurrences and call links),
# in page pixels. Drawn on the crop afterwards: the page itself is never changed.
_MARKS_JS = """
([marks]) => marks.map((wanted, i) => {
  if (!wanted.length) return [];
  const block = document.querySelector(`[data-serpaudit-block~="${i}"]`);
  if (!block) return [];
  const rects = [];
  const add = r => {
    if (r.width > 0 && r.height > 0) rects.push([r.left + window.scrollX, r.top + window.scrollY, r.width, r.height]);
  };
  block.querySelectorAll('a[href^="tel:"],a[href*="wa.me"],a[href*="whatsapp"]')
       .forEach(a => add(a.getBoundingClientRect()));
  const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const n = walker.currentNode;
    for (const m of wanted) {
      for (let at = m ? n.data.indexOf(m) : -1; at >= 0; at = n.data.indexOf(m, at + m.length)) {
        const range = document.createRange(); range.setStart(n, at); range.setEnd(n, at + m.length);
        Array.from(range.getClientRects()).forEach(add);
      }
    }
  }
  return rects;
})
"""

# One round trip for both: the boxes of the blocks, then the numbers inside them.
_LOCATE_AND_MARK_JS = f"""
([titles, marks, anchors]) => {{
  const boxes = ({_LOCATE_JS.strip()})([titles, anchors]);
  return [boxes, ({_MARKS_JS.strip()})([marks]), window.devicePixelRatio];
}}
"""

CROP_MARGIN = 6  # CSS pixels of the page kept around a block
HIGHLIGHT_FILL = (255, 230, 0, 96)  # translucent yellow over the number: the text stays readable
HIGHLIGHT_LINE = (208, 0, 0, 255)


def locate_blocks(page: Any, targets: Sequence[Target], fold: int, shot: bytes,
                  off_thread: OffThread | None = None) -> tuple[BlockShot, ...]:
    """Each result's box on the page and, where it shows numbers, its crop with them highlighted.

    A target is (title, numbers to outline) or, for an AI answer, (title, numbers, the start of its text);
    a fourth element true crops the block even where it shows no number (an ad: what is reported is the ad).

    Crops are cut from the full-page screenshot already taken, not taken one by one: a screenshot
    per block cost more than the page itself (the browser re-renders for each), and the page keeps
    no trace of the highlighting.  ``off_thread(fn, *args)`` runs Pillow's work (decoding the screenshot, while
    the page is asked for the boxes; cutting and encoding the crops) off the browser's thread and waits for
    it: a shared Chromium's owner thread serves the other lanes meanwhile.
    """
    wanted = [bool(t[1]) or (len(t) > 3 and bool(t[3])) for t in targets]
    run = off_thread or _here
    decoding = run.start(_open_png, shot) if any(wanted) else None  # the PNG is decoded during the evaluate
    boxes, marks, dpr = page.evaluate(_LOCATE_AND_MARK_JS, [[t[0] for t in targets], [list(t[1]) for t in targets],
                                                            [t[2] if len(t) > 2 else "" for t in targets]])
    scale = 1.0 if FULL_PAGE_SCALE == "css" else float(dpr or 1)
    cuts = [(i, box, rects) for i, (box, rects, want) in enumerate(zip(boxes, marks, wanted, strict=True))
            if want and _shown(box)]
    pngs = run.wait(run.start(_cut_all, decoding, cuts, scale)) if cuts and decoding is not None else {}
    shots = []
    for i, box in enumerate(boxes):
        if not _shown(box):
            shots.append(BlockShot(None, None))
            continue
        above = box[1] < fold if fold else None
        shots.append(BlockShot((box[0], box[1], box[2], box[3]), above, pngs.get(i)))
    return tuple(shots)


@dataclass(frozen=True)
class OffThread:
    """Where Pillow's work runs: ``start(fn, *args)`` gives its future, ``wait(future)`` its result."""

    start: Callable[..., Future[Any]]
    wait: Callable[[Future[Any]], Any]


def _now(fn: Callable[..., Any], *args: Any) -> Future[Any]:
    fut: Future[Any] = Future()
    try:
        fut.set_result(fn(*args))
    except Exception as exc:
        fut.set_exception(exc)
    return fut


_here = OffThread(_now, lambda fut: fut.result())  # in the calling thread (a browser of its own)


def _shown(box: Sequence[float] | None) -> bool:
    return bool(box) and box is not None and box[2] > 0 and box[3] > 0


def _cut_all(decoding: Future[Any], cuts: Sequence[tuple[int, Sequence[float], Sequence[Sequence[float]]]],
             scale: float) -> dict[int, bytes | None]:
    """The crop of each located block to cut (by its index); a crop that fails is left out with a warning."""
    pngs: dict[int, bytes | None] = {}
    try:
        image = decoding.result()
    except Exception as exc:  # a crop is extra evidence; the full page is already kept
        log.warning("could not crop the results: the screenshot did not decode: %s", exc)
        return pngs
    for i, box, rects in cuts:
        try:
            pngs[i] = _crop(image, box, rects, scale)
        except Exception as exc:  # a crop is extra evidence; the full page is already kept
            log.warning("could not crop a result at %s: %s", box, exc)
    return pngs


def _open_png(png: bytes) -> Any:
    from PIL import Image  # only when a page has numbers to crop

    image = Image.open(io.BytesIO(png))
    image.load()
    return image


def _crop(image: Any, box: Sequence[float], rects: Sequence[Sequence[float]], scale: float) -> bytes | None:
    """The block's part of the page screenshot, each number outlined; None when it lies outside the image."""
    from PIL import Image, ImageDraw

    x, y, w, h = box
    left, top = max(int((x - CROP_MARGIN) * scale), 0), max(int((y - CROP_MARGIN) * scale), 0)
    right = min(int((x + w + CROP_MARGIN) * scale + 0.5), image.width)
    bottom = min(int((y + h + CROP_MARGIN) * scale + 0.5), image.height)
    if right <= left or bottom <= top:
        return None
    crop = image.crop((left, top, right, bottom)).convert("RGBA")
    overlay = Image.new("RGBA", crop.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for rx, ry, rw, rh in rects:
        draw.rectangle([rx * scale - left - 2, ry * scale - top - 2, (rx + rw) * scale - left + 2,
                        (ry + rh) * scale - top + 2], fill=HIGHLIGHT_FILL, outline=HIGHLIGHT_LINE, width=2)
    out = io.BytesIO()
    Image.alpha_composite(crop, overlay).convert("RGB").save(out, "PNG", compress_level=3)
    return out.getvalue()
