"""The settings file and the database a command works on: read them, or create them (``serpaudit init``)."""

from __future__ import annotations

from pathlib import Path

from audits.brands import default_brands_path, load_brands_csv
from audits.schema import SchemaError
from audits.store import Store
from audits.store_file import DatabaseFileError, require_existing
from serpaudit.app.errors import InputError
from serpaudit.night.pipeline import open_store
from serpaudit.ops.logs import counted
from serpaudit.settings import DEFAULT_CONFIG_NAME, Settings, SettingsError, load_settings, settings_toml


def settings_for(config: Path | None) -> Settings:
    try:
        return load_settings(config)
    except SettingsError as exc:
        raise InputError(str(exc)) from exc


def store_for(config: Path | None, *, create: bool = False) -> tuple[Settings, Store]:
    settings = settings_for(config)
    return settings, open_store_for(settings, create=create)


def open_store_for(settings: Settings, *, create: bool = False) -> Store:
    """The settings' database, migrated. Bad input (exit 2), left as it is: one written by a newer serpaudit,
    one that is not a SQLite database or is another program's, and, unless ``create`` (``init``, adding
    brands), a missing one: a deleted database must not come back empty and make the night look clean."""
    try:
        if not create:
            require_existing(settings.database)
        return open_store(settings)
    except (SchemaError, DatabaseFileError) as exc:
        raise InputError(str(exc)) from exc


def init(config: Path | None, force: bool, defaults: bool = True) -> list[str]:
    """Write the settings file (kept unless ``force``) and the database; a database without brands gets
    the sandbox world's brands when ``sandbox_world`` is set, else the default Dutch ones (unless not
    ``defaults``)."""
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
    settings, store = store_for(path, create=True)
    lines.append(f"database ready at {settings.database}")
    if store.brands():
        return lines
    if settings.sandbox_world:
        # lazy: the sandbox loads for a sandbox rehearsal only
        from sandbox import WorldError, load_world, world_brands

        try:
            n = store.upsert_brands(world_brands(load_world(Path(settings.sandbox_world))))
        except WorldError as exc:
            raise InputError(f"sandbox_world: {exc}") from exc
        lines.append(f"loaded {counted(n, 'brand')} of the sandbox world {settings.sandbox_world}")
    elif defaults:
        n = store.upsert_brands(load_brands_csv(default_brands_path()))
        lines.append(f"loaded {n} default Dutch brands (serpaudit brands import FILE adds your own, "
                     "serpaudit brands remove NAME... removes them)")
    else:
        lines.append("no brands loaded (--no-defaults): serpaudit brands import FILE adds yours")
    return lines
