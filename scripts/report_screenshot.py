"""Screenshot of the demo's report.html, for README.md (docs/report.png).

    .venv/bin/python scripts/report_screenshot.py                 # runs the demo into demo-out/, then shoots
    .venv/bin/python scripts/report_screenshot.py --report PATH   # shoots an existing report.html

The page is opened from disk in headless Chromium (the one serpaudit finds), exactly as an analyst
opens it; the script fails when any image on the page did not load.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

from crawler.browser import find_chromium

ROOT = Path(__file__).resolve().parent.parent


def shoot(report: Path, png: Path, width: int = 1200, max_height: int = 2400) -> list[str]:
    """Write ``png`` (the top ``max_height`` pixels); return the images that failed to load."""
    png.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_chromium(os.environ.get("SERPAUDIT_BROWSER_PATH") or None))
        try:
            page = browser.new_page(viewport={"width": width, "height": 900}, device_scale_factor=1)
            page.goto(report.resolve().as_uri())
            page.wait_for_load_state("load")
            broken = page.eval_on_selector_all(
                "img", "imgs => imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.alt || i.src)")
            height = min(int(page.evaluate("document.documentElement.scrollHeight")), max_height)
            page.screenshot(path=str(png), full_page=True, clip={"x": 0, "y": 0, "width": width, "height": height})
        finally:
            browser.close()
    return list(broken)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--report", type=Path, help="report.html to shoot (default: run the demo first)")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "report.png")
    args = ap.parse_args()
    report = args.report
    if report is None:
        demo = subprocess.run([sys.executable, "-m", "serpaudit", "-q", "demo", "--out", str(ROOT / "demo-out")],
                              check=False, cwd=ROOT)  # 1 or 3 (findings, a blocked page): the report is written
        reports = ROOT / "demo-out" / "reports"
        report = reports / "latest" / "report.html"  # the newest full night's folder
        if not report.is_file():
            print(f"the demo (exit {demo.returncode}) wrote no {report}", file=sys.stderr)
            return 2
    broken = shoot(report, args.out)
    if broken:
        print(f"{len(broken)} image(s) did not load: {broken}", file=sys.stderr)
        return 1
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
