"""Shared test fixtures, and the marks that keep the unit loop fast.

The real saved result pages live beside the project in ../shared/fixtures (or
where SERPAUDIT_FIXTURES points); tests that need them skip with a reason where
that folder is absent.  They are never copied into the project.

Marks (pyproject.toml registers them; --strict-markers): ``browser`` needs Chromium; ``system`` needs a real
service (Redis, SMTP, LibreOffice, crontab) or runs serpaudit processes with long waits.  The unit loop is
``pytest -m "not browser and not system"`` (``make unit``); ``make test`` runs everything but ``soak`` (long kill
and repeat loops, ``make soak``).  A test gets its mark
from its file's ``pytestmark``, its own decorator, or a fixture in FIXTURE_MARKS; the helpers that start
Chromium or Redis check the mark (tests/support/marks.py), so a test that forgets it fails.
"""

from __future__ import annotations

import logging
import os

import pytest

from tests.support import marks
from tests.support.fixtures import shared_fixtures_dir

# aiosmtpd (the tests' SMTP server) logs a lost connection with a tuple as its only argument, which logging
# cannot format: each dropped-connection test printed a "--- Logging error ---" traceback into the run.
logging.getLogger("mail.log").setLevel(logging.WARNING)

# A test that uses one of these fixtures (directly or through another fixture) gets the mark.
FIXTURE_MARKS = {
    "demo": "browser",  # the three-night demo below, in Chromium
    "redis_url": "system",  # a redis-server on loopback (tests/serpaudit/crawl/distributed/)
    "smtp_server": "system",  # aiosmtpd with TLS (tests/reports/test_mail.py)
    "libreoffice": "system",  # soffice converting the report CSVs (tests/reports/test_deliverables.py)
    "real_crontab": "system",  # the user's real crontab (tests/serpaudit/ops/test_schedule.py)
}


def pytest_configure(config: pytest.Config) -> None:
    if config.pluginmanager.hasplugin("xdist"):  # the demo's files on one worker, first (xdist_order.py)
        from tests.support.xdist_order import DemoFirstPlugin

        config.pluginmanager.register(DemoFirstPlugin(), "serpaudit-demo-first")


@pytest.hookimpl(tryfirst=True)  # before -m deselects
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    from tests.support.xdist_order import check_demo_files

    check_demo_files(items)
    for item in items:
        for fixture in FIXTURE_MARKS.keys() & set(getattr(item, "fixturenames", ())):
            item.add_marker(FIXTURE_MARKS[fixture])


@pytest.hookimpl(tryfirst=True)  # before the test's fixtures are set up
def pytest_runtest_setup(item: pytest.Item) -> None:
    marks.running(item)


@pytest.fixture(autouse=True)
def _cli_logging_ends_with_its_test():
    """A CLI call sets up logging for its process (handlers on the root logger, INFO); in a test run one
    process makes many calls, so what one test's call set up is taken down after it, not left to print
    other tests' logs."""
    import logging

    root = logging.getLogger()
    level = root.level
    yield
    for handler in [h for h in root.handlers if getattr(h, "_serpaudit", False)]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)


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
    """One run of the demo (the default world's three nights in Chromium) per test run, shared by every file.

    The database as each night left it is kept beside it (``night-<n>.db``) for tests about an earlier night;
    a test that changes the store works on a copy (the demo is shared).

    ``make test`` runs two pytest-xdist workers, each with its own session: the first to ask plays the demo
    while holding a lock, the other waits and reads the same outcome (pickled beside the workers' temporary
    folders) instead of playing the three nights again.
    """
    import fcntl
    import pickle

    from sandbox import DEFAULT_WORLD_PATH
    from serpaudit.app.demo import run_demo
    from tests.support.sandbox_runs import skip_without_chromium

    skip_without_chromium()
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return run_demo(DEFAULT_WORLD_PATH, tmp_path_factory.mktemp("demo"), keep_nights=True)
    shared = tmp_path_factory.getbasetemp().parent  # one folder per test run, above each worker's own
    played = shared / "demo-outcome.pickle"
    with (shared / "demo.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, even if the demo fails
        if played.exists():
            return pickle.loads(played.read_bytes())
        outcome = run_demo(DEFAULT_WORLD_PATH, shared / "demo", keep_nights=True)
        played.write_bytes(pickle.dumps(outcome))
        return outcome
