"""Where the real saved result pages are: ../shared/fixtures beside the project, or $SERPAUDIT_FIXTURES."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def shared_fixtures_dir() -> Path | None:
    env = os.environ.get("SERPAUDIT_FIXTURES")
    candidates = [Path(env)] if env else []
    candidates.append(ROOT.parent / "shared" / "fixtures")
    for c in candidates:
        if (c / "serp").is_dir():
            return c
    return None
