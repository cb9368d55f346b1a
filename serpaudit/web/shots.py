"""The full result-page screenshot with the case's ad outlined, drawn as an SVG over the stored PNG.

The capture keeps each result's box in page (CSS) pixels; the screenshot is in device pixels. The scale is
the screenshot's width over the viewport the capture used (the desktop viewport, or the emulated phone's),
so the outline needs no second image on disk and no script: the page draws an ``<svg>`` whose ``<image>``
is the screenshot and whose ``<rect>`` is the ad.
"""

from __future__ import annotations

import json
from typing import Any

from PIL import Image, UnidentifiedImageError

from serpaudit.web.files import EvidenceFiles

# CSS pixels of the viewport the captures use (crawler.browser_pages.DESKTOP_VIEWPORT, Playwright's "Pixel 7")
VIEWPORT_WIDTH = {"desktop": 1366, "mobile": 412}
MARGIN = 6  # CSS px around the ad, so the outline does not cover its border


def outlined_screenshot(files: EvidenceFiles, screenshot_path: Any, box: Any, device: str) -> dict[str, Any] | None:
    """``{url, width, height, x, y, w, h}`` in the screenshot's pixels, or None without screenshot or box."""
    url, local = files.url(screenshot_path), files.local(screenshot_path)
    if url is None or local is None or not local.is_file():
        return None
    try:
        with Image.open(local) as image:  # reads the header only
            width, height = image.size
    except (OSError, UnidentifiedImageError):
        return None
    shot: dict[str, Any] = {"url": url, "width": width, "height": height}
    try:
        x, y, w, h = (float(v) for v in (json.loads(box) if isinstance(box, str) else box or ()))
    except (TypeError, ValueError):
        return shot
    scale = width / VIEWPORT_WIDTH.get(device, VIEWPORT_WIDTH["desktop"])
    shot.update(x=round((x - MARGIN) * scale), y=round((y - MARGIN) * scale), w=round((w + 2 * MARGIN) * scale),
                h=round((h + 2 * MARGIN) * scale))
    return shot
