"""Running the real pipeline in Chromium against a variant of the default world (for browser tests)."""

from __future__ import annotations

import pytest

from audits.store import Store
from crawler.browser import find_chromium
from crawler.errors import BrowserNotFound
from sandbox import DEFAULT_WORLD_PATH, SandboxWeb, load_world
from sandbox.server import SandboxServer
from serpaudit.demo import world_brands
from serpaudit.pipeline import run_pipeline
from serpaudit.settings import Settings


def skip_without_chromium() -> None:
    try:
        find_chromium(None)
    except BrowserNotFound as exc:
        pytest.skip(f"no Chromium: {exc}")


def default_world_text() -> str:
    return DEFAULT_WORLD_PATH.read_text(encoding="utf-8")


def run_world(tmp_path, toml_text: str, brands: list[str], engines=("google",), devices=("desktop",)):
    """Write the world, serve it, run every stage for ``brands``; returns (outcome, store, web)."""
    world_file = tmp_path / "world.toml"
    world_file.write_text(toml_text, encoding="utf-8")
    world = load_world(world_file)
    settings = Settings(database=tmp_path / "db.sqlite", evidence_dir=tmp_path / "ev", reports_dir=tmp_path / "rep",
                        engines=tuple(engines), devices=tuple(devices), min_delay_s=0.0, jitter_s=0.0,
                        backoff_s=0.2, backoff_max_s=1.0)
    store = Store(settings.database)
    store.upsert_brands(world_brands(world))
    web = SandboxWeb(world)
    with SandboxServer(web) as server:
        outcome = run_pipeline(settings, store, command="run", brand_names=brands, resolve_all_to=server.address)
    return outcome, store, web
