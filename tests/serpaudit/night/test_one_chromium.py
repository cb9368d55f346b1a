"""One Chromium for the night (issue 22), in a real Chromium against the sandbox web: the harvest, the crawl's
three lanes at once and the landing pages all run in the same browser, and a browser crash mid-night relaunches
it once for every lane."""

from __future__ import annotations

import logging
import os
import threading

import pytest

from audits.store import Store
from crawler.browser_procs import browser_processes, kill
from sandbox import SandboxWeb, world_brands
from sandbox.server import SandboxServer
from serpaudit.night.pipeline import run_pipeline
from serpaudit.settings import Settings
from tests.support.night_helpers import our_browsers
from tests.support.sandbox_runs import default_world_text, skip_without_chromium, write_world

pytestmark = pytest.mark.browser
ENGINES = ("google", "bing", "duckduckgo")


@pytest.fixture(autouse=True)
def _chromium():
    skip_without_chromium()


def night(tmp_path, brands: list[str], on_capture=None, **settings):
    # no hourly budget: the sandbox is ours, and with the default (120) each lane waited 30 s between its searches
    world = write_world(tmp_path, default_world_text())
    s = Settings(database=tmp_path / "db.sqlite", evidence_dir=tmp_path / "ev", reports_dir=tmp_path / "rep",
                 engines=ENGINES, concurrency=3, min_delay_s=0.0, jitter_s=0.0, max_per_hour=0, **settings)
    store = Store(s.database)
    store.upsert_brands(world_brands(world))
    with SandboxServer(SandboxWeb(world)) as server:
        outcome = run_pipeline(s, store, command="run", brand_names=brands, resolve_all_to=server.address,
                               on_capture=on_capture)
    return outcome, store


class Sampler:
    """The Chromium browsers running under this process, every 0.1 s: (most at once, every one seen)."""

    def __init__(self) -> None:
        self.most = 0
        self.seen: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            now = browser_processes(os.getpid())
            self.most = max(self.most, len(now))
            self.seen |= now

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)


def test_a_night_of_three_lanes_at_once_runs_harvest_crawl_and_landing_pages_in_one_chromium(tmp_path):
    with Sampler() as sampler:
        # one brand is enough: its harvest, three lanes of two devices each at once, and its scam ads' pages
        outcome, store = night(tmp_path, ["Telnova"], devices=("desktop", "mobile"), visit_landing_pages=True)
    statuses = [c["status"] for c in store.captures(outcome.run_id, kind="serp")]
    assert len(statuses) >= 3 * 2 and set(statuses) <= {"ok", "empty"}  # every job of the three lanes
    assert store.harvested_brands(outcome.run_id) == {"Telnova": "ok"}
    assert store.captures(outcome.run_id, kind="landing")  # the landing pages were opened in it too
    assert sampler.most == 1 and len(sampler.seen) == 1  # one at a time, and the same one all night
    assert our_browsers() == []  # closed with the night


def test_a_browser_crash_mid_night_relaunches_it_once_for_all_lanes_and_the_night_completes(tmp_path, caplog):
    killed: list[int] = []

    def crash_once(job, status) -> None:
        if not killed:
            killed.extend(browser_processes(os.getpid()))
            kill(killed)  # the one Chromium every lane was using

    caplog.set_level(logging.INFO, logger="crawler.browser")
    outcome, store = night(tmp_path, ["Telnova", "Bankiva", "Cloudora"], on_capture=crash_once, seed="relaunch",
                           visit_landing_pages=False)
    assert len(killed) == 1
    launches = [r for r in caplog.records if r.getMessage().startswith("shared browser started")]
    assert len(launches) == 2  # the night's, and one relaunch for the three lanes
    captures = store.captures(outcome.run_id, kind="serp")
    assert len(captures) >= 9 and {c["status"] for c in captures} <= {"ok", "empty"}  # every job done, none lost
    assert store.run(outcome.run_id)["status"] == "complete"
    assert our_browsers() == []


def test_lanes_opening_their_browsers_at_the_same_moment_start_one_chromium(tmp_path, caplog):
    # a resumed night whose harvest is done starts no browser before the crawl: its lanes are the first to ask,
    # and none may find the Chromium still starting and take it for a dead one
    from serpaudit.crawl.browsers import NightChromium

    s = Settings(database=tmp_path / "db.sqlite", evidence_dir=tmp_path / "ev", reports_dir=tmp_path / "rep",
                 engines=ENGINES)
    start = threading.Barrier(len(ENGINES))
    opened: list = []
    with Sampler() as sampler, NightChromium(s) as chromium:
        def lane(engine: str) -> None:
            start.wait(30)
            opened.append(chromium.open(engine))

        threads = [threading.Thread(target=lane, args=(e,)) for e in ENGINES]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert len(opened) == len(ENGINES) and all(b.alive() for b in opened)
        assert chromium.shared is not None and chromium.shared.generation == 1
        for b in opened:
            b.__exit__(None, None, None)
    assert sampler.most == 1 and len(sampler.seen) == 1
    assert not [r for r in caplog.records if "relaunching" in r.getMessage()]
    assert our_browsers() == []
