"""How ``make test``'s two xdist workers share the files: the demo's files as one unit, sent first, then the
longest files, so that the two workers finish together.

``--dist loadfile`` keeps a file's tests on one worker. The demo (``demo`` in tests/conftest.py) is played once
per run by the first worker to ask; before, the three files that read it could land on both workers, and the
second then waited minutes on the demo's lock doing nothing. Here they are one unit, given out first (it is
the longest: the three nights, then the tests that read them), while the other worker works through the rest.
The files known to take longest come next, so that none is left to run alone at the end.

The controller sees only test ids, not fixtures: DEMO_FILES names the files, and ``check_demo_files`` (called
at collection) fails a run where a test in another file asks for the demo.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from xdist.scheduler import LoadFileScheduling

# Every file with a test that uses the `demo` fixture (check_demo_files keeps this list true).
DEMO_FILES = frozenset({
    "tests/serpaudit/app/test_demo.py",
    "tests/serpaudit/app/test_demo_submit.py",
    "tests/reports/test_deliverables.py",
})
DEMO_UNIT = "the demo's files"

# Files of a minute or more (tests/…durations of a full run), longest first; a file missing here is only
# given out later, never left out.
LONGEST_FILES = (
    "tests/serpaudit/night/test_one_chromium.py",
    "tests/serpaudit/crawl/distributed/test_broker_restart.py",
    "tests/serpaudit/night/test_pipeline_browser.py",
    "tests/serpaudit/crawl/distributed/test_cluster_nights.py",
    "tests/serpaudit/night/test_pipeline_cases.py",
    "tests/serpaudit/crawl/test_evidence_sanitise.py",
    "tests/serpaudit/night/test_real_disk_faults.py",
    "tests/serpaudit/crawl/distributed/test_worker_browsers.py",
    "tests/serpaudit/crawl/test_policy_night.py",
    "tests/crawler/test_browser_deadline.py",
)


class DemoFirstScheduling(LoadFileScheduling):
    """``--dist loadfile``, with the demo's files as one unit and the units given out longest first."""

    _ordered = False

    def _split_scope(self, nodeid: str) -> str:
        path = nodeid.split("::", 1)[0]
        return DEMO_UNIT if path in DEMO_FILES else path

    def _assign_work_unit(self, node) -> None:
        if not self._ordered:  # the queue is complete by the first assignment
            self._ordered = True
            for scope in reversed((DEMO_UNIT, *LONGEST_FILES)):
                if scope in self.workqueue:
                    self.workqueue.move_to_end(scope, last=False)
        super()._assign_work_unit(node)


class DemoFirstPlugin:
    @pytest.hookimpl(tryfirst=True)
    def pytest_xdist_make_scheduler(self, config: pytest.Config, log):
        if config.getvalue("dist") == "loadfile":
            return DemoFirstScheduling(config, log)
        return None  # xdist's own for the other modes


def check_demo_files(items: Iterable[pytest.Item]) -> None:
    """Fail the run when a test outside DEMO_FILES uses the demo: under xdist it would wait on the other
    worker's demo (tests/support/xdist_order.py)."""
    strays = sorted({item.nodeid.split("::", 1)[0] for item in items if "demo" in getattr(item, "fixturenames", ())}
                    - DEMO_FILES)
    if strays:
        raise pytest.UsageError(f"{', '.join(strays)}: uses the `demo` fixture; add it to DEMO_FILES in "
                                "tests/support/xdist_order.py so that it runs on the worker that plays the demo")
