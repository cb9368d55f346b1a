"""What :class:`crawler.browser.Browser` starts from: which Chromium to drive, how it is configured,
and the :class:`PageCapture` it hands back (re-exported by :mod:`crawler.browser`)."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.browser_blocks import BlockShot
from crawler.browser_driver import acquire, release
from crawler.errors import BrowserNotFound

DESKTOP_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
)
MOBILE_DEVICE = "Pixel 7"
SYSTEM_CHROMIUMS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Playwright's own --disable-features (playwright-core's chromiumSwitches.ts, 1.65). Chromium keeps only the
# last --disable-features of its command line, and the one below comes after Playwright's: so it repeats
# Playwright's list (tests/crawler/test_browser_launch.py checks it against the installed Playwright).
PLAYWRIGHT_DISABLED_FEATURES = (
    "AvoidUnnecessaryBeforeUnloadCheckSync", "DestroyProfileOnBrowserClose", "HttpsUpgrades",
    "HttpsFirstBalancedModeAutoEnable", "LensOverlay", "MediaRouter", "PaintHolding", "ThirdPartyStoragePartitioning",
    "AvoidCorsURLLoaderRestartOnRedirect", "TcpPortRandomizationWin", "OptimizationHints",
    "NetworkTimeServiceQuerying", "AimEnabled", "PreconnectToSearch", "msForceBrowserSignIn",
    "msEdgeUpdateLaunchServicesPreferredVersion",
)
# Chromium 15x preloads its address bar's popup, a WebUI page, in a renderer of its own for every browser
# context: 6 renderers, 260 MB of a C=3 night's 943 MB. A crawl types in no address bar.
OMNIBOX_POPUP_FEATURES = ("WebUIOmniboxPopup", "WebUIOmniboxAimPopup")
INSTALL_HINT = (
    "No Chromium found. Set browser_path in serpaudit.toml (or SERPAUDIT_BROWSER_PATH), "
    "or install one: `apt-get install -y chromium` (Debian/Ubuntu) or `playwright install chromium`."
)


def find_chromium(configured: str | None = None) -> str:
    """The Chromium to drive: the configured path, Playwright's own, or the system one."""
    if configured:
        if Path(configured).is_file() and os.access(configured, os.X_OK):
            return configured
        raise BrowserNotFound(f"browser_path {configured!r} is not an executable file. {INSTALL_HINT}")
    own = _playwright_chromium()
    if own:
        return own
    for name in SYSTEM_CHROMIUMS:
        found = shutil.which(name)
        if found:
            return found
    raise BrowserNotFound(INSTALL_HINT)


def _playwright_chromium() -> str | None:
    try:
        driver = acquire()  # the thread's own, where a browser runs in it already: a second cannot start
    except Exception:  # Playwright missing or its driver cannot start: fall back to the system
        return None
    try:
        path = driver.pw.chromium.executable_path
    except Exception:
        return None
    finally:
        release(driver)
    return path if path and Path(path).is_file() else None


def launch_options(config: BrowserConfig, executable: str, proxies: tuple[str, ...] = ()) -> dict[str, Any]:
    """Playwright's launch options for ``config``'s Chromium; ``proxies`` (those of its contexts, besides
    ``config.proxy``) are reached as configured, never mapped to the sandbox."""
    # AutomationControlled off: navigator.webdriver is false, as in a browser a person drives (a landing
    # page that shows its number only to people must show it to us)
    args = ["--disable-background-networking", "--disable-quic", "--disable-component-update",
            "--no-first-run", "--disable-sync", "--disable-blink-features=AutomationControlled",
            "--disable-features=" + ",".join((*PLAYWRIGHT_DISABLED_FEATURES, *OMNIBOX_POPUP_FEATURES))]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
    if config.resolve_all_to:
        rules = f"MAP * {config.resolve_all_to}"
        hosts = {urlsplit(p).hostname for p in (config.proxy, *proxies) if p}
        for proxy_host in sorted(h for h in hosts if h):
            rules += f", EXCLUDE {proxy_host}"  # the proxy itself is reached as configured
        args.append(f"--host-resolver-rules={rules}")
    launch: dict[str, Any] = {"executable_path": executable, "headless": config.headless, "args": args}
    if config.proxy:
        launch["proxy"] = {"server": config.proxy}
    return launch


@dataclass(frozen=True)
class BrowserConfig:
    executable: str | None = None  # None: find_chromium()
    headless: bool = True
    timeout_ms: int = 20_000
    # "127.0.0.1:8443": every host name resolves there (the sandbox web). None in real use.
    resolve_all_to: str | None = None
    locale: str = "nl-NL"
    timezone_id: str = "Europe/Amsterdam"
    # Screenshots stop at this many CSS pixels: Chromium cannot render a 120,000 px page in one image,
    # and the rest of the page is kept as HTML anyway.
    max_screenshot_height: int = 16_000


    # Accept-Language header; None: derived from ``locale`` ("nl-NL,nl;q=0.9").
    accept_language: str | None = None
    # Playwright proxy server for every request of this browser, e.g. "http://nl-proxy:3128" (regional egress).
    proxy: str | None = None
    # Folder of a browser profile kept across nights (consent cookies survive); one sub-folder per device.
    profile_dir: str | None = None
    # Seconds one page may take in all, every browser call together (None: three times timeout_ms plus a
    # grace); each call that needs the page's own thread has timeout_ms plus a grace (crawler.browser_guard).
    page_timeout_s: float | None = None


@dataclass(frozen=True)
class PageCapture:
    """What the browser saw of one page."""

    url: str  # as requested
    final_url: str  # after redirects
    http_status: int | None
    html: str
    screenshot: bytes  # full-page PNG
    user_agent: str
    device: str
    captured_at: str  # ISO-8601 UTC
    blocks: tuple[BlockShot, ...] = field(default=(), compare=False)  # aligned with analyse()'s targets
    # Isolated visits only (see Browser.visit): every URL the main frame went through, requested first and
    # final last (HTTP redirects and script or meta-refresh jumps); the navigations refused (ad click URLs)
    # and the DOM the page stayed on (a refused jump is answered 204 No Content, so the page stays), read by
    # the browser.
    redirect_chain: tuple[str, ...] = ()
    refused: tuple[str, ...] = ()
    html_before_refusal: str | None = field(default=None, compare=False)
    page_height: int | None = None  # CSS pixels; the screenshot stops at max_screenshot_height
    screenshot_clipped: bool = False
    # Isolated visits only: the content type of the document shown, and its bytes as served when it is not
    # an HTML page (a PDF an AI answer cites); None for a page.
    content_type: str = ""
    document: bytes | None = field(default=None, compare=False)
    # Isolated visits only: the text a person sees, read from the browser's own layout (crawler.rendered_text).
    rendered_text: str = field(default="", compare=False)
