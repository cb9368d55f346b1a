"""Install the real services serpaudit's tests and features use, where they are missing.

The browser is found (or installed) by ``ensure_browser.py``.  This script adds
the other programs, each from Debian's packages, when we are root on a machine
with apt-get:

- ``redis-server``: the Celery broker for distributed crawls (tests start it on a free loopback port);
- ``soffice`` (``libreoffice-calc-nogui``): proves the CSVs open in a real spreadsheet without formulas;
- ``crontab`` (``cron``): ``serpaudit schedule install/remove`` edit the user's crontab.

Where one cannot be installed, the tests that need it are skipped with a reason; nothing else depends on
them, so this step warns and exits 0.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

# program on PATH -> Debian package that provides it
PROGRAMS = {"redis-server": "redis-server", "soffice": "libreoffice-calc-nogui", "crontab": "cron"}


def main() -> int:
    missing = {prog: pkg for prog, pkg in PROGRAMS.items() if not shutil.which(prog)}
    for prog in PROGRAMS:
        if prog not in missing:
            print(f"system: {prog}: {shutil.which(prog)}", file=sys.stderr)
    if not missing:
        return 0
    if not (shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0):
        print(f"system: missing {', '.join(missing)} (install Debian packages {' '.join(missing.values())});"
              " the tests that need them are skipped", file=sys.stderr)
        return 0
    print(f"system: installing {' '.join(missing.values())} with apt-get", file=sys.stderr)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *sorted(set(missing.values()))],
                   check=False, env=env)
    for prog in missing:
        found = shutil.which(prog)
        print(f"system: {prog}: {found or 'still missing; its tests are skipped'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
