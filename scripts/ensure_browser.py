"""Make sure a Chromium is there for serpaudit; install Debian's where we can.

Order: $SERPAUDIT_BROWSER_PATH, Playwright's own Chromium, the system's
chromium.  Where none exists and we are root on a machine with apt-get, install
Debian's ``chromium`` (``playwright install`` cannot download browsers on
machines without internet access).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from crawler.browser import find_chromium
from crawler.errors import BrowserNotFound


def main() -> int:
    try:
        path = find_chromium(os.environ.get("SERPAUDIT_BROWSER_PATH") or None)
        print(f"browser: {path}", file=sys.stderr)
        return 0
    except BrowserNotFound as exc:
        message = str(exc)
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        print("browser: none found; installing Debian's chromium with apt-get", file=sys.stderr)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
        done = subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=False, env=env)
        if done.returncode == 0:
            try:
                print(f"browser: {find_chromium(None)}", file=sys.stderr)
                return 0
            except BrowserNotFound as exc:
                message = str(exc)
    print(f"error: {message}", file=sys.stderr)
    return 3


if __name__ == "__main__":
    sys.exit(main())
