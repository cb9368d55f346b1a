"""The settings file and the database a command works on: read them, or create them (``serpaudit init``)."""

from __future__ import annotations

from pathlib import Path

from audits.brands import default_brands_path, load_brands_csv
from audits.store import Store
from serpaudit.app.errors import InputError
from serpaudit.night.pipeline import open_store
from serpaudit.settings import DEFAULT_CONFIG_NAME, Settings, SettingsError, load_settings, settings_toml


def settings_for(config: Path | None) -> Settings:
    try:
        return load_settings(config)
    except SettingsError as exc:
        raise InputError(str(exc)) from exc


def store_for(config: Path | None) -> tuple[Settings, Store]:
    settings = settings_for(config)
    return settings, open_store(settings)



def init(config: Path | None, force: bool) -> list[str]:
    path = config or Path(DEFAULT_CONFIG_NAME)
    lines = []
    if path.exists() and not force:
        lines.append(f"{path} exists; kept (use --force to overwrite)")
    else:
        try:
            path.write_text(settings_toml(), encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{path}: {exc.strerror or exc}") from exc
        lines.append(f"wrote {path}")
    settings, store = store_for(path)
    lines.append(f"database ready at {settings.database}")
    if not store.brands():
        n = store.upsert_brands(load_brands_csv(default_brands_path()))
        lines.append(f"loaded {n} default Dutch brands (serpaudit brands import FILE adds your own)")
    return lines
