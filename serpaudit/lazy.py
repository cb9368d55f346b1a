"""Modules imported when first used, so that `serpaudit --help` starts at once.

The CLI names the library modules it calls (``commands.stages``) but pays for their imports
(Playwright, SQLite, the parsers) only when a command runs.
"""

from __future__ import annotations

import importlib
from typing import Any


class LazyModule:
    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self._name), attr)
