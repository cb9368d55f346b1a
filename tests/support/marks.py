"""The marks of the test that is running, so that a helper which starts Chromium or a service can insist on them.

``pytest -m "not browser and not system"`` is the unit loop; a test that starts Chromium or a Redis without its
mark would slip into it and slow it down. ``require`` makes such a test fail at once, saying which mark it lacks.
"""

from __future__ import annotations

import pytest

_running: frozenset[str] = frozenset()


def running(item: pytest.Item) -> None:
    """Called by tests/conftest.py before each test's fixtures are set up."""
    global _running
    _running = frozenset(mark.name for mark in item.iter_markers())


def require(mark: str, needs: str) -> None:
    if mark not in _running:
        pytest.fail(f"this test {needs} but is not marked `{mark}`: give its file `pytestmark = pytest.mark.{mark}`"
                    f" (or the test @pytest.mark.{mark}) so that the unit loop leaves it out", pytrace=False)
