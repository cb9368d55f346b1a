"""Fixtures shared by the CLI tests."""

from __future__ import annotations

import os

import pytest


@pytest.fixture()
def workdir(tmp_path, monkeypatch):
    """An empty working directory with no SERPAUDIT_* variable set: a CLI call sees only what the test gives it."""
    monkeypatch.chdir(tmp_path)
    for var in [v for v in os.environ if v.startswith("SERPAUDIT_")]:
        monkeypatch.delenv(var)
    return tmp_path
