"""A worker killed mid-job (SIGKILL, as a lost machine) is noticed by its heartbeat, not after the visibility timeout.

A real Redis, two real `serpaudit worker` processes and the real coordinator (`serpaudit crawl --distributed`).
The broker would re-deliver the dead worker's job only after ``visibility_timeout_s`` (900 s here, as by
default); the night is waited for far less than that, so it can only finish because the coordinator saw the
heartbeat stop and sent the job again.  How long a killed worker delays a night is measured in `make bench`
(scripts/bench_workers.py), not here.  Every process is stopped by pid with its tree; waits are bounded.
"""

from __future__ import annotations

from collections import Counter

import pytest

from serpaudit.crawl.distributed.localcluster import Cluster, kill_tree, wait_for
from tests.support.processes import redis_server
from tests.support.sandbox_runs import skip_without_chromium

pytestmark = [pytest.mark.browser, pytest.mark.system]
BRANDS = ["Telnova", "Cloudora"]
NIGHT_S = 420  # far below visibility_timeout_s (900): a night that needed the broker's re-delivery fails here
# the sandbox keeps a delay between searches of an engine (as the real web does), so a job is held a while
POLITE = "sandbox_politeness = true\nmin_delay_s = 3\njitter_s = 0\nmax_per_hour = 0\n"


@pytest.fixture
def cluster(tmp_path):
    skip_without_chromium()
    with redis_server(tmp_path) as url:
        c = Cluster(tmp_path, url, job_timeout_s=60, visibility_timeout_s=900, extra=POLITE)
        try:
            yield c
        finally:
            c.stop()


def test_a_killed_workers_job_is_sent_again_when_its_heartbeat_stops_and_stored_once(cluster):
    jobs = cluster.jobs(BRANDS)
    cluster.start_workers(2)
    coordinator = cluster.serpaudit("crawl", "--distributed", *[a for b in BRANDS for a in ("--brand", b)],
                                    env={"SERPAUDIT_VISIT_LANDING_PAGES": "false"})
    try:
        wait_for(lambda: len(cluster.executions(0)) >= 1 or coordinator.poll() is not None, NIGHT_S,
                 "worker 0 to run a job")
        wait_for(lambda: bool(cluster.in_flight(0)) or coordinator.poll() is not None, 120,
                 "worker 0 to hold a job", step=0.05)
        assert coordinator.poll() is None, (cluster.root / "coordinator.log").read_text()[-3000:]
        kill_tree(cluster.workers[0])  # the worker and its Chromium, at once
        held = {t.split(".")[0] for t in cluster.in_flight(0)} - {key for key, _ in cluster.executions(0)}
        assert coordinator.wait(timeout=NIGHT_S) in (0, 1, 3)
    finally:
        kill_tree(coordinator)
    log = (cluster.root / "coordinator.log").read_text(errors="replace")
    captures = cluster.search_captures()
    keys = Counter((c["brand"], c["engine"], c["query"], c["device"]) for c in captures)
    assert set(keys) == {j.key for j in jobs} and max(keys.values()) == 1  # each job stored once
    by_id = {c["id"]: c for c in captures}
    assert held and all(by_id[key]["status"] in ("ok", "empty") for key in held), [by_id[k] for k in held]
    # the other worker ran what the dead one held, once it was sent again
    assert held <= {key for key, _ in cluster.executions(1)}, cluster.worker_log(1).read_text(errors="replace")[-3000:]
    assert "its worker is lost: no heartbeat" in log and "sending it again (1 of 3)" in log, log[-3000:]
