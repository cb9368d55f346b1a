"""The desk's tests: a small store on disk (tests/support/desk_store.py) and the app over it."""

from __future__ import annotations

import pytest

# The desk's dependencies are the 'web' extra (make browser and make test install it); a venv made before it
# existed skips these tests with that reason instead of failing to collect them.
pytest.importorskip("starlette", reason="the 'web' extra is not installed: make browser (pip install -e '.[web]')")

from tests.support.desk_store import build_desk  # noqa: E402


@pytest.fixture
def world(tmp_path, monkeypatch):
    for var in [v for v in __import__("os").environ if v.startswith("SERPAUDIT_")]:
        monkeypatch.delenv(var)
    monkeypatch.chdir(tmp_path)
    return build_desk(tmp_path)


@pytest.fixture
def client(world):
    from starlette.testclient import TestClient

    from serpaudit.settings import load_settings
    from serpaudit.web.app import create_app

    app = create_app(load_settings(world.config), world.config)
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c
