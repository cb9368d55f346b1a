"""Screenshots of the desk (`serpaudit serve`) over the demo's store, for README.md; run by hand.

    make demo                                   # the default world's three nights into demo-out/
    .venv/bin/python scripts/desk_screenshots.py   # writes docs/desk-queue.png and docs/desk-case.png

The desk is served on a free loopback port from demo-out/ (a settings file in a temporary folder points
at its database, evidence and reports); Chromium opens the queue and the case that needs action first
with a crop and a landing page, and saves both pages as PNGs. Nothing in demo-out/ is changed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VIEWPORT = {"width": 1366, "height": 900}


def _serve(config: Path) -> tuple[str, object, threading.Thread]:
    import uvicorn

    from serpaudit.settings import load_settings
    from serpaudit.web.app import create_app

    server = uvicorn.Server(uvicorn.Config(create_app(load_settings(config), config), host="127.0.0.1", port=0,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise SystemExit("the desk did not start in 30 s")
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    return f"http://127.0.0.1:{port}", server, thread


def _case_to_show(page, base: str) -> str:
    """The first case of the queue that needs action and has both a crop and a landing page (else the first)."""
    page.goto(base + "/")
    links = [a.get_attribute("href") for a in page.locator("table.queue tbody tr.needs td:last-child a").all()]
    for href in links:
        page.goto(base + href)
        if page.locator("img.crop").count() and page.locator("iframe.landing").count():
            return str(href)
    if not links:
        raise SystemExit("the queue is empty: run `make demo` first")
    return str(links[0])


def _shoot(page, url: str, path: Path) -> None:
    """The whole page, taken as one tall viewport: a full-page capture leaves the sandboxed frame blank."""
    page.set_viewport_size(VIEWPORT)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    height = min(int(page.evaluate("document.documentElement.scrollHeight")), 4000)
    page.set_viewport_size({"width": VIEWPORT["width"], "height": height})
    page.wait_for_timeout(500)
    page.screenshot(path=str(path))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "demo-out", help="the demo's out folder (make demo)")
    ap.add_argument("--docs", type=Path, default=ROOT / "docs", help="where the PNGs go")
    args = ap.parse_args(argv)
    out = args.out.resolve()
    if not (out / "serpaudit.db").is_file():
        print(f"no demo store in {out}: run `make demo` first", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    from crawler.browser import find_chromium

    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "serpaudit.toml"
        config.write_text(f'[serpaudit]\ndatabase = "{out / "serpaudit.db"}"\nevidence_dir = "{out / "evidence"}"\n'
                          f'reports_dir = "{out / "reports"}"\n', encoding="utf-8")
        base, server, thread = _serve(config)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=find_chromium(None))
                try:
                    page = browser.new_page(viewport=VIEWPORT)
                    href = _case_to_show(page, base)
                    args.docs.mkdir(parents=True, exist_ok=True)
                    _shoot(page, base + "/", args.docs / "desk-queue.png")
                    _shoot(page, base + href, args.docs / "desk-case.png")
                finally:
                    browser.close()
        finally:
            server.should_exit = True  # type: ignore[attr-defined]
            thread.join(10)
    print(f"wrote {args.docs / 'desk-queue.png'} and {args.docs / 'desk-case.png'} (case {href})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
