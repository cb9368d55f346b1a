"""The full result-page screenshot with one ad outlined: a copy of the PNG with the ad's box drawn (Pillow).

A reviewer at a platform gets the page as the searcher saw it and, beside it, the same page with a red frame
around the ad in question, so nobody has to guess which of four ads is meant.  The box is where the result
stood on the page in CSS pixels (``results.box``); full-page screenshots are taken at CSS scale
(``crawler.browser_pages.FULL_PAGE_SCALE``), so its pixels are the screenshot's.  The original stays as it
was: it is the evidence, with the sha256 recorded at capture time.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

MARGIN = 6  # px around the ad, so the frame does not cover its edge
LINE = (227, 18, 11)
WIDTH = 5


def parse_box(box: Any) -> tuple[float, float, float, float] | None:
    try:
        x, y, w, h = (float(v) for v in (json.loads(box) if isinstance(box, str) else box or ()))
    except (TypeError, ValueError):
        return None
    return (x, y, w, h) if w > 0 and h > 0 else None


def write_outlined(screenshot: Path, box: Any, target: Path) -> bool:
    """Write ``target``: ``screenshot`` with ``box`` framed; False (and nothing written) when it cannot be."""
    frame = parse_box(box)
    if frame is None:
        return False
    from PIL import Image, ImageDraw, UnidentifiedImageError

    try:
        with Image.open(screenshot) as image:
            copy = image.convert("RGB")
    except (OSError, UnidentifiedImageError) as exc:
        log.warning("no outlined screenshot from %s: %s", screenshot, exc)
        return False
    x, y, w, h = frame
    left, top = max(x - MARGIN, 0), max(y - MARGIN, 0)
    right, bottom = min(x + w + MARGIN, copy.width - 1), min(y + h + MARGIN, copy.height - 1)
    if right <= left or bottom <= top:
        return False
    ImageDraw.Draw(copy).rectangle([left, top, right, bottom], outline=LINE, width=WIDTH)
    target.parent.mkdir(parents=True, exist_ok=True)
    copy.save(target, "PNG", compress_level=6)
    return True
