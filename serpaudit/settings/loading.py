"""Reading the settings: defaults, then the TOML file, then ``SERPAUDIT_<FIELD>`` variables, each value coerced."""

from __future__ import annotations

import os
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

from serpaudit.settings.model import DEFAULT_CONFIG_NAME, FIELD_TYPES, Settings, SettingsError
from serpaudit.settings.validation import validate


def _coerce(name: str, value: Any, origin: str) -> Any:
    """``value`` (a TOML value, or the text of an environment variable) as the field's type."""
    kind = FIELD_TYPES[name]

    def bad(expected: str) -> SettingsError:
        return SettingsError(f"{origin}: {name}: expected {expected}, got {_show(value)}")

    if kind in ("Path", "str"):
        if not isinstance(value, str):
            raise bad("a string")
        if "\x00" in value:
            raise bad("text without NUL characters")
        return Path(value) if kind == "Path" else value
    if kind == "tuple[str, ...]":
        if isinstance(value, str):
            return tuple(i.strip() for i in value.split(",") if i.strip())
        if not isinstance(value, list) or not all(isinstance(i, str) for i in value):
            raise bad("a list of strings")
        return tuple(i.strip() for i in value if i.strip())
    if kind == "bool":
        if isinstance(value, bool):
            return value
        low = str(value).strip().lower() if isinstance(value, str) else None
        if low in {"1", "true", "yes", "on"}:
            return True
        if low in {"0", "false", "no", "off"}:
            return False
        raise bad("true or false")
    if kind == "float":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value.strip())
            except ValueError:
                pass
        raise bad("a number")
    if kind == "int":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value)
        raise bad("a whole number")
    raise bad(str(kind))  # pragma: no cover - every field type is handled above


def _show(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SettingsError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SettingsError(f"{path}:{line}: not UTF-8 text (byte {raw[exc.start]:#04x} at offset {exc.start}); "
                            "save the file as UTF-8") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: {exc}") from exc
    except RecursionError:
        raise SettingsError(f"{path}: nested too deeply to be a settings file") from None


def load_settings(config: Path | None = None, env: dict[str, str] | None = None) -> Settings:
    """Defaults, then the TOML file (if any), then SERPAUDIT_* variables."""
    env = dict(os.environ if env is None else env)
    values: dict[str, Any] = {}
    path = config or (Path(env["SERPAUDIT_CONFIG"]) if env.get("SERPAUDIT_CONFIG") else None)
    if path is None and Path(DEFAULT_CONFIG_NAME).is_file():
        path = Path(DEFAULT_CONFIG_NAME)
    source = "defaults"
    if path is not None:
        if not path.is_file():
            raise SettingsError(f"{path}: settings file not found")
        data = _read_toml(path)
        table = data.get("serpaudit", data)
        if not isinstance(table, dict):
            raise SettingsError(f"{path}: serpaudit: must be a table ([serpaudit]), got {_show(table)}")
        for key, value in table.items():
            if key not in FIELD_TYPES:
                raise SettingsError(f"{path}: unknown setting {key!r}")
            values[key] = _coerce(key, value, str(path))
        source = str(path)
        base = path.parent
        for key in ("database", "evidence_dir", "reports_dir"):
            if key in values and not values[key].is_absolute():
                values[key] = base / values[key]
    for key in FIELD_TYPES:
        var = f"SERPAUDIT_{key.upper()}"
        if var in env:
            values[key] = _coerce(key, env[var], var)
    settings = replace(Settings(), **values, _source=source)
    validate(settings)
    return settings
