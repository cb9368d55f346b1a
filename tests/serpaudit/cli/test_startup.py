"""`serpaudit --help` starts at once: the CLI module imports no heavy library until a command runs.

Start-up time itself is measured in `make bench` (ratios on a shared machine); this test keeps the
reason it is fast from regressing: a new top-level import of the pipeline in serpaudit/cli/ fails here.
"""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("playwright", "sqlite_utils", "phonenumbers", "jinja2", "bs4", "lxml", "celery", "redis", "xlsxwriter",
         "openpyxl", "tldextract", "rich.markdown", "serpaudit.app.stages", "serpaudit.app.config",
         "serpaudit.night.pipeline", "crawler.browser", "audits.store")


def test_help_imports_no_heavy_module():
    code = ("import sys; from serpaudit.cli import app\n"
            "try:\n    app(['--help'], prog_name='serpaudit')\nexcept SystemExit:\n    pass\n"
            f"print('loaded:', *(m for m in {HEAVY!r} if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert "Usage: serpaudit" in proc.stdout
    assert proc.stdout.strip().splitlines()[-1] == "loaded:"  # none of them

