"""The Chromium command line: Playwright's own disabled features kept, the address bar's popup renderer gone."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from crawler.browser_launch import OMNIBOX_POPUP_FEATURES, PLAYWRIGHT_DISABLED_FEATURES, BrowserConfig, launch_options
from tests.crawler.test_browser_deadline import TIMEOUT_MS, server  # noqa: F401 (the fixture)


def _playwright_switches() -> str:
    import playwright

    bundle = Path(playwright.__file__).parent / "driver" / "package" / "lib" / "coreBundle.js"
    if not bundle.is_file():
        pytest.skip(f"Playwright's launch code is not at {bundle} (another Playwright layout)")
    text = bundle.read_text(encoding="utf-8", errors="replace")
    start = text.find("disabledFeatures = [")
    assert start >= 0, "Playwright's chromiumSwitches no longer has its disabledFeatures list"
    return text[start:text.index("]", start)]


def test_the_disabled_features_repeat_playwrights_own_list():
    """Chromium keeps only the last --disable-features: ours must carry Playwright's too, or an upgrade of
    Playwright that adds one (a startup request to Google, a fix for interception) is silently undone."""
    theirs = tuple(re.findall(r'^\s*"([A-Za-z0-9_]+)"', _playwright_switches(), re.M))
    assert theirs == PLAYWRIGHT_DISABLED_FEATURES, "update PLAYWRIGHT_DISABLED_FEATURES in crawler/browser_launch.py"
    [flag] = [a for a in launch_options(BrowserConfig(), "/usr/bin/chromium")["args"]
              if a.startswith("--disable-features=")]
    assert flag.split("=", 1)[1].split(",") == [*theirs, *OMNIBOX_POPUP_FEATURES]


@pytest.mark.browser
def test_browser_contexts_start_no_address_bar_popup_renderer(server):  # noqa: F811
    from crawler.browser_owner import SharedChromium
    from crawler.browser_procs import _cmdline, descendants

    config = BrowserConfig(resolve_all_to=server.address, timeout_ms=TIMEOUT_MS)
    with SharedChromium(config) as chromium:
        views = [chromium.browser(config) for _ in range(3)]
        for view in views:  # a capture in each view's search context, which stays open
            assert "020 123 4567" in view.capture("https://www.plain.test/plain", ready="#results").html
        time.sleep(2)  # Chromium starts the popup's renderer a moment after the context's first page
        under = chromium.driver.pid if chromium.driver else None
        popups = [p for p in descendants(under) if b"--top-chrome-webui" in _cmdline(p)] if under else []
        for view in views:
            view.__exit__(None, None, None)
    assert under and popups == []  # Chromium 156 started one per context (about 40 MB each)


@pytest.mark.browser
def test_the_driver_runs_with_a_small_young_generation_and_the_users_node_options_win(monkeypatch):
    """Playwright's driver (Node) keeps its young generation small, which holds its memory during a crawl
    about 25 MB lower; the user's own NODE_OPTIONS come after ours (so theirs win) and the process's
    environment is left as it was."""
    from crawler.browser_driver import DRIVER_NODE_OPTIONS, Driver

    monkeypatch.setenv("NODE_OPTIONS", "--max-semi-space-size=2")
    driver = Driver()
    try:
        assert driver.pid is not None
        environ = Path(f"/proc/{driver.pid}/environ").read_bytes().split(b"\0")
        assert f"NODE_OPTIONS={DRIVER_NODE_OPTIONS} --max-semi-space-size=2".encode() in environ
        assert DRIVER_NODE_OPTIONS == "--max-semi-space-size=1"
        assert os.environ["NODE_OPTIONS"] == "--max-semi-space-size=2"
    finally:
        driver.stop()
