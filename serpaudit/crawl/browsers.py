"""The Chromium a crawl runs in, from settings: the same for a local lane, a Celery worker and the night's stages
(one Chromium for the whole night: :class:`NightChromium`).

It sits in the crawl layer because both executors build it (``serpaudit.night`` uses it too, from above):
an engine's proxy and profile folder, the region's locale and time zone, the page limits.
"""

from __future__ import annotations

import threading
from pathlib import Path

from crawler.browser import Browser, BrowserConfig
from crawler.browser_owner import SharedChromium
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


class NightChromium:
    """The night's one Chromium (:class:`crawler.browser_owner.SharedChromium`), started when a stage first
    needs a browser and shared by every stage after it: the harvest, the crawl's lanes (a view per engine,
    each with a context per device, its proxy and its profile), the landing pages and the AI answers' sources
    (a fresh isolated context per visit, in the same Chromium).  :meth:`close` ends it; closing twice is fine.
    """

    def __init__(self, settings: Settings, resolve_all_to: str | None = None) -> None:
        self.settings = settings
        self.resolve_all_to = resolve_all_to
        self.shared: SharedChromium | None = None
        # the lanes open their views from their own threads at once (a resumed night whose harvest is done
        # starts no browser before them): one of them starts the Chromium, the others wait for it
        self._starting = threading.Lock()

    def view(self, engine: str | None = None) -> Browser:
        """A browser on the night's Chromium with ``engine``'s settings (None: the brand's own pages'), not
        yet entered: ``with night.view() as browser`` (a lane enters its own)."""
        with self._starting:
            if self.shared is None:
                proxies = tuple(p for p in (engine_proxy(self.settings, e) for e in self.settings.engines) if p)
                shared = SharedChromium(browser_config(self.settings, self.resolve_all_to), proxies=proxies)
                self.shared = shared.__enter__()
            return Browser(browser_config(self.settings, self.resolve_all_to, engine), shared=self.shared)

    def open(self, engine: str) -> Browser:
        """``engine``'s lane's browser, entered (the lane closes it)."""
        return self.view(engine).__enter__()

    def close(self) -> None:
        with self._starting:
            shared, self.shared = self.shared, None
        if shared is not None:
            shared.__exit__(None, None, None)

    def __enter__(self) -> NightChromium:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
