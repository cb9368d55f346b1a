"""Running the real pipeline in Chromium against a variant of the default world (for browser tests)."""

from __future__ import annotations

import pytest

from audits.store import Store
from crawler.browser import find_chromium
from crawler.errors import BrowserNotFound
from sandbox import DEFAULT_WORLD_PATH, SandboxWeb, load_world, world_brands
from sandbox.server import SandboxServer
from serpaudit.night.pipeline import run_pipeline
from serpaudit.settings import Settings
from tests.support.marks import require


def skip_without_chromium() -> None:
    require("browser", "runs Chromium")
    try:
        find_chromium(None)
    except BrowserNotFound as exc:
        pytest.skip(f"no Chromium: {exc}")


def default_world_text() -> str:
    return DEFAULT_WORLD_PATH.read_text(encoding="utf-8")


# The sandbox web is ours: no politeness budget to keep (the defaults wait 8 s between searches and back off
# a minute after a CAPTCHA), as the demo's own settings say too.
SANDBOX_PACE = {"SERPAUDIT_MIN_DELAY_S": "0", "SERPAUDIT_JITTER_S": "0", "SERPAUDIT_BACKOFF_S": "0.2",
                "SERPAUDIT_BACKOFF_MAX_S": "1"}


def write_world(tmp_path, toml_text: str | None = None):
    """``tmp_path/world.toml`` holding ``toml_text`` (default: the default world), loaded."""
    world_file = tmp_path / "world.toml"
    world_file.write_text(toml_text or default_world_text(), encoding="utf-8")
    return load_world(world_file)


def sandbox_cli_env(monkeypatch, tmp_path, engines: str = "google", world=DEFAULT_WORLD_PATH) -> None:
    """The CLI run from ``tmp_path`` against the sandbox web of ``world``, with only our own settings."""
    import os

    monkeypatch.chdir(tmp_path)
    for var in [v for v in os.environ if v.startswith("SERPAUDIT_")]:
        monkeypatch.delenv(var)
    monkeypatch.setenv("SERPAUDIT_SANDBOX_WORLD", str(world))
    monkeypatch.setenv("SERPAUDIT_ENGINES", engines)
    for var, value in SANDBOX_PACE.items():
        monkeypatch.setenv(var, value)


def run_world(tmp_path, toml_text: str, brands: list[str], engines=("google",), devices=("desktop",),
              **settings_changes):
    """Write the world, serve it, run every stage for ``brands``; returns (outcome, store, web).
    ``settings_changes`` are Settings fields (``timeout_ms=4000``).  No pacing unless a test asks for it: with
    the default hourly budget a blocked job's retry waits 30 s for its turn."""
    settings_changes = {"max_per_hour": 0, **settings_changes}
    world = write_world(tmp_path, toml_text)
    settings = Settings(database=tmp_path / "db.sqlite", evidence_dir=tmp_path / "ev", reports_dir=tmp_path / "rep",
                        engines=tuple(engines), devices=tuple(devices), min_delay_s=0.0, jitter_s=0.0,
                        backoff_s=0.2, backoff_max_s=1.0, **settings_changes)
    store = Store(settings.database)
    store.upsert_brands(world_brands(world))
    web = SandboxWeb(world)
    with SandboxServer(web) as server:
        outcome = run_pipeline(settings, store, command="run", brand_names=brands, resolve_all_to=server.address)
    return outcome, store, web
