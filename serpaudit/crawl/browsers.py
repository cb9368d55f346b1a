"""The Chromium a crawl runs in, from settings: the same for a local lane, a Celery worker and the night's stages.

It sits in the crawl layer because both executors build it (``serpaudit.night`` uses it too, from above):
an engine's proxy and profile folder, the region's locale and time zone, the page limits.
"""

from __future__ import annotations

from pathlib import Path

from crawler.browser import BrowserConfig
from serpaudit.crawl.politeness import engine_proxy
from serpaudit.regions import region_timezone
from serpaudit.settings import Settings


def browser_config(settings: Settings, resolve_all_to: str | None = None, engine: str | None = None) -> BrowserConfig:
    profile = None
    if settings.profile_dir:
        profile = str(Path(settings.profile_dir) / (engine or "pages"))
    return BrowserConfig(executable=settings.browser_path or None, headless=settings.headless,
                         timeout_ms=settings.timeout_ms, resolve_all_to=resolve_all_to,
                         locale=f"{settings.language}-{settings.region}",
                         timezone_id=settings.timezone or region_timezone(settings.region),
                         proxy=engine_proxy(settings, engine) if engine else None, profile_dir=profile,
                         max_screenshot_height=settings.max_screenshot_height)
