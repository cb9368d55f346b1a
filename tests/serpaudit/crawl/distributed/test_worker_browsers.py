"""A long-lived worker process's Chromiums, for real (issue 20, item 9): every engine with ``profile_dir`` set,
and a second night against another sandbox web, all in the process's one thread.

Playwright's sync API cannot start twice in one thread, so each Chromium after the first failed with "It looks
like you are using Playwright Sync API inside the asyncio loop": with a profile folder per engine, every engine
but the first; on a worker's second night (another sandbox address, so another browser), every job.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from sandbox import DEFAULT_WORLD_PATH, SandboxWeb, load_world
from sandbox.server import SandboxServer
from serpaudit.crawl.distributed import records, worker
from serpaudit.crawl.distributed.records import JobSpec
from serpaudit.settings import Settings
from tests.support.sandbox_runs import skip_without_chromium

pytestmark = pytest.mark.browser


@pytest.fixture
def worker_process(tmp_path, monkeypatch):
    """The worker module's state as in a fresh worker process with ``profile_dir`` set; its browsers closed after."""
    skip_without_chromium()
    monkeypatch.setattr(worker, "_browsers", {})
    monkeypatch.setattr(worker, "_health", {})
    monkeypatch.setattr(worker, "_slot_lock", [])
    monkeypatch.setitem(worker._state, "profile_slot", None)
    settings = Settings(profile_dir=str(tmp_path / "profiles"), region="NL", language="nl", timeout_ms=15_000)
    yield settings
    worker.close_browser()


def _job(settings: Settings, engine: str, address: str, night: str) -> dict:
    spec = JobSpec(run_id=night, session="s1", brand="Telnova", engine=engine, query="Telnova klantenservice",
                   device="desktop", region="NL", language="nl", retries=0, resolve_all_to=address)
    return records.run_job(worker._browser(worker.job_browser_config(settings, spec)), spec)["record"]


def test_every_engine_works_with_profile_dir_and_a_second_night_too(worker_process):
    web = SandboxWeb(load_world(DEFAULT_WORLD_PATH))
    with SandboxServer(web) as first:
        statuses = {engine: _job(worker_process, engine, first.address, "night-1")["status"]
                    for engine in ("google", "bing")}
        assert statuses == {"google": "ok", "bing": "ok"}
    with SandboxServer(web) as second:  # the next night: another sandbox address, the same worker process
        assert _job(worker_process, "google", second.address, "night-2")["status"] == "ok"


def test_a_long_lived_worker_keeps_a_bounded_number_of_chromiums(worker_process, monkeypatch):
    monkeypatch.setattr(worker, "MAX_BROWSERS", 2)
    web = SandboxWeb(load_world(DEFAULT_WORLD_PATH))
    for night in range(3):
        with SandboxServer(web) as server:
            settings = replace(worker_process, profile_dir="")
            assert _job(settings, "google", server.address, f"night-{night}")["status"] == "ok"
        assert len(worker._browsers) <= 2


def test_a_workers_engines_are_views_on_its_one_chromium(worker_process):
    import os

    from crawler.browser_procs import browser_processes

    settings = replace(worker_process, profile_dir="")
    with SandboxServer(SandboxWeb(load_world(DEFAULT_WORLD_PATH))) as server:
        for engine in ("google", "bing", "duckduckgo"):
            assert _job(settings, engine, server.address, "night-1")["status"] == "ok"
        # a browser per engine setting (its contexts; here the engines' settings are alike), one Chromium in all
        assert len(browser_processes(os.getpid())) == 1
    with SandboxServer(SandboxWeb(load_world(DEFAULT_WORLD_PATH))) as server:  # the next night's sandbox address
        assert _job(settings, "google", server.address, "night-2")["status"] == "ok"
        assert len(browser_processes(os.getpid())) == 1  # last night's Chromium was closed for it
