"""The commented settings file ``serpaudit init`` writes: every field, its value and its comment in model.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from serpaudit.settings import model
from serpaudit.settings.model import FIELD_TYPES, Settings

DEPRECATED = ("worker_min_delay_s",)


def settings_toml(s: Settings | None = None) -> str:
    """A commented settings file with the current (default) values, for ``serpaudit init``."""
    s = s or Settings()
    lines = ["# serpaudit settings. Every key is optional; environment variables",
             "# SERPAUDIT_<KEY> override this file (lists comma-separated).", "[serpaudit]"]
    comments = _field_comments()
    for name in FIELD_TYPES:
        if name in DEPRECATED and getattr(s, name) == getattr(Settings(), name):
            continue  # still read from old files, never written into new ones
        value = getattr(s, name)
        for c in comments.get(name, []):
            lines.append(f"# {c}")
        lines.append(f"{name} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return str(v)
    if isinstance(v, tuple):
        return "[" + ", ".join(_toml_value(i) for i in v) + "]"
    return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _field_comments() -> dict[str, list[str]]:
    """The ``# comment`` lines above each field in model.py's source."""
    src = Path(model.__file__).read_text(encoding="utf-8").splitlines()
    out: dict[str, list[str]] = {}
    pending: list[str] = []
    in_class = False
    for line in src:
        stripped = line.strip()
        if line.startswith("class Settings:"):
            in_class = True
            continue
        if in_class and line and not line.startswith(" "):
            break
        if not in_class:
            continue
        if stripped.startswith("#"):
            pending.append(stripped.lstrip("# "))
        elif ":" in stripped and not stripped.startswith("_"):
            out[stripped.split(":")[0]] = pending
            pending = []
        else:
            pending = []
    return out
