"""Shared test fixtures.

The real saved result pages live beside the project in ../shared/fixtures (or
where SERPAUDIT_FIXTURES points); tests that need them skip with a reason where
that folder is absent.  They are never copied into the project.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def shared_fixtures_dir() -> Path | None:
    env = os.environ.get("SERPAUDIT_FIXTURES")
    candidates = [Path(env)] if env else []
    candidates.append(ROOT.parent / "shared" / "fixtures")
    for c in candidates:
        if (c / "serp").is_dir():
            return c
    return None


@pytest.fixture(scope="session")
def serp_fixture():
    """``serp_fixture("google/2023-desktop-en-hotels.html") -> str`` (HTML text)."""
    base = shared_fixtures_dir()
    if base is None:
        pytest.skip("real SERP fixtures not found: expected ../shared/fixtures or $SERPAUDIT_FIXTURES")

    def load(rel: str) -> str:
        path = base / "serp" / rel
        if not path.exists():
            pytest.skip(f"fixture {path} is absent")
        return path.read_text(encoding="utf-8", errors="replace")

    return load


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    """One run of the demo (the default world in Chromium) per session, shared by every test file."""
    from sandbox_runs import skip_without_chromium

    from sandbox import DEFAULT_WORLD_PATH
    from serpaudit.demo import run_demo

    skip_without_chromium()
    return run_demo(DEFAULT_WORLD_PATH, tmp_path_factory.mktemp("demo"))


# Files whose tests share the session-wide demo (three sandbox nights in Chromium): one xdist worker runs them
# all, so the demo is played once.
DEMO_FILES = {"test_demo_pipeline.py", "test_report_deliverables.py"}


def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (``make test`` runs ``-n 2 --dist loadgroup``) a file's tests stay on one worker:
    its module fixtures (a browser, a sandbox night) are set up once, and the demo's files share one group."""
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            name = item.path.name
            item.add_marker(pytest.mark.xdist_group("demo" if name in DEMO_FILES else name))

