"""A lane's jobs come device by device, and the lane keeps one search context open at a time (issue 22: each
open context holds a Chromium renderer of its own, about 40 MB); a context closed and opened again still has
its cookies, and the captures are the ones the lane took with every context open.

Real Chromium against the sandbox web.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from audits.store import Store
from crawler.browser import Browser
from sandbox import SandboxWeb, load_world
from sandbox.server import SandboxServer
from serpaudit.app.demo import world_brands
from serpaudit.crawl import jobs as crawl_jobs
from serpaudit.crawl.browsers import browser_config
from serpaudit.crawl.capture import Job, take_capture
from serpaudit.crawl.evidence import EvidenceFolder
from serpaudit.crawl.jobs import crawl, jobs_for, shuffled_by_engine
from serpaudit.crawl.lanes import Lane
from serpaudit.settings import Settings
from tests.support.sandbox_runs import default_world_text, skip_without_chromium

pytestmark = [pytest.mark.browser]
BRANDS = ("Telnova", "Woonfonds", "Bankiva")
DEVICES = ("desktop", "mobile")
SEED = "devices"


def _settings(tmp: Path, name: str) -> Settings:
    return Settings(database=tmp / f"{name}.sqlite", evidence_dir=tmp / f"{name}-ev", engines=("google", "bing"),
                    devices=DEVICES, concurrency=2, block_retries=0, min_delay_s=0.0, jitter_s=0.0,
                    max_per_hour=0, backoff_s=0.0, backoff_max_s=0.0)


class CountingBrowser(Browser):
    """A lane's browser that notes, after each capture, its device and how many contexts its Chromium has open."""

    def __init__(self, *args, seen: list[tuple[str, str, int]], engine: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.seen, self.engine = seen, engine

    def capture(self, url, **options):
        try:
            return super().capture(url, **options)
        finally:
            self.seen.append((self.engine, options.get("device", "desktop"), len(self._browser.contexts)))


def _night(tmp: Path, world, address: str, name: str) -> tuple[dict[tuple, dict], list[tuple[str, str, int]]]:
    settings = _settings(tmp, name)
    store = Store(settings.database)
    store.upsert_brands(world_brands(world))
    run_id = store.start_run("run", "2026-12-06T01:00:00+00:00")
    seen: list[tuple[str, str, int]] = []
    jobs = jobs_for([b for b in world_brands(world) if b.name in BRANDS], settings.engines,
                    world.crawl["query_templates"], DEVICES)
    summary = crawl(settings, store, jobs, run_id, EvidenceFolder(settings.evidence_dir, run_id), seed=SEED,
                    open_browser=lambda engine: CountingBrowser(browser_config(settings, address, engine),
                                                                seen=seen, engine=engine).__enter__())
    assert sum(summary.by_status.values()) == len(jobs)
    read: dict[tuple, dict] = {(c["brand"], c["engine"], c["query"], c["device"]): {
        "status": c["status"], "final_url": c["final_url"], "results": []} for c in store.captures(run_id, kind="serp")}
    for r in store.results(run_id):
        read[(r["brand"], r["engine"], r["query"], r["device"])]["results"].append(
            (r["kind"], r["placement"], r["rank"], r["title"], r["display_url"], r["box"], r["answer_state"]))
    return read, seen


def test_a_lane_runs_its_jobs_device_by_device_with_one_search_context_open_and_captures_the_same(
        tmp_path, monkeypatch):
    skip_without_chromium()
    (tmp_path / "world.toml").write_text(default_world_text(), encoding="utf-8")
    world = load_world(tmp_path / "world.toml").night(1)
    with SandboxServer(SandboxWeb(world)) as server:
        grouped, seen = _night(tmp_path, world, server.address, "grouped")
        # the same night with the devices mixed (the seeded order alone) and every context kept open
        monkeypatch.setattr(crawl_jobs, "grouped_by_device", lambda jobs: jobs)
        monkeypatch.setattr(Lane, "_keep_one_context", lambda self, device: None)
        mixed, seen_mixed = _night(tmp_path, world, server.address, "mixed")

    for engine in ("google", "bing"):
        devices = [device for e, device, _ in seen if e == engine]
        changes = sum(a != b for a, b in zip(devices, devices[1:], strict=False))
        assert changes == 1, (engine, devices)  # one device's jobs, then the other's
        assert all(open_ == 1 for e, _, open_ in seen if e == engine), (engine, seen)
    assert max(open_ for _, _, open_ in seen_mixed) == 2  # the case the lane avoids: one context per device
    assert grouped == mixed  # the same pages, read the same


def test_a_lanes_jobs_keep_their_seeded_order_within_each_device():
    jobs = [Job("B", "google", f"q{i}", device) for i in range(6) for device in DEVICES]
    seeded = shuffled_by_engine(jobs, SEED)["google"]
    grouped = crawl_jobs.grouped_by_device(seeded)
    first = seeded[0].device
    assert [j.device for j in grouped] == [first] * 6 + [d for d in DEVICES if d != first] * 6
    for device in DEVICES:
        assert [j for j in grouped if j.device == device] == [j for j in seeded if j.device == device]


def test_a_search_context_closed_and_opened_again_keeps_its_cookies(tmp_path):
    skip_without_chromium()
    text = default_world_text().replace("consent_wall = false", "consent_wall = true")
    (tmp_path / "world.toml").write_text(text, encoding="utf-8")
    world = load_world(tmp_path / "world.toml").night(1)
    web = SandboxWeb(world)
    settings = _settings(tmp_path, "cookies")
    queries = [f"{b} klantenservice" for b in ("Telnova", "Bankiva", "Cloudora")]
    with SandboxServer(web) as server, Browser(browser_config(settings, server.address, "google")) as browser:
        def search(query: str, device: str) -> str:
            browser.close_search_contexts_except(device)
            record = take_capture(browser, Job("Telnova", "google", query, device), region="NL", language="nl",
                                  retries=0)
            return record.status

        def walls() -> int:
            return sum("consent.google.com" in url for url, _ in web.received)

        assert search(queries[0], "desktop") == "ok"  # through Google's consent wall, rejected
        desktop_walls = walls()
        assert desktop_walls > 0
        assert search(queries[1], "mobile") == "ok"  # the desktop context is closed meanwhile
        assert len(browser._browser.contexts) == 1
        assert walls() == 2 * desktop_walls  # a context of its own: its own wall, rejected
        assert search(queries[2], "desktop") == "ok"
        # the reopened desktop context still had its consent cookie: no wall again
        assert walls() == 2 * desktop_walls
