"""Unattended nights in a real Chromium against the sandbox web: lanes, backoff, timeouts, relaunch, headers."""

from __future__ import annotations

import queue
import random
import socket
import threading
import time

import pytest

from audits.store import Store
from crawler.browser import Browser, BrowserConfig
from crawler.errors import FetchError
from sandbox import SandboxWeb, world_brands
from sandbox.server import SandboxServer
from serpaudit.crawl.capture import Job, take_capture
from serpaudit.crawl.lanes import Lane, LaneOptions, run_lanes
from serpaudit.crawl.politeness import Limits, Pacer
from serpaudit.night.pipeline import run_pipeline
from serpaudit.settings import Settings
from tests.support.night_helpers import kill_pids, our_browsers
from tests.support.sandbox_runs import default_world_text, sandbox_cli_env, skip_without_chromium, write_world

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _chromium():
    skip_without_chromium()


def night(tmp_path, world_text: str, brands: list[str], engines=("google",), on_capture=None, **settings):
    settings = {"max_per_hour": 0, **settings}  # no hourly pacing unless asked: a retry would wait 30 s for its turn
    world = write_world(tmp_path, world_text)
    s = Settings(database=tmp_path / "db.sqlite", evidence_dir=tmp_path / "ev", reports_dir=tmp_path / "rep",
                 engines=tuple(engines), min_delay_s=0.0, jitter_s=0.0, visit_landing_pages=False,
                 **settings)
    store = Store(s.database)
    store.upsert_brands(world_brands(world))
    web = SandboxWeb(world)
    with SandboxServer(web) as server:
        outcome = run_pipeline(s, store, command="run", brand_names=brands, resolve_all_to=server.address,
                               on_capture=on_capture)
    return outcome, store, web


def test_a_blocking_engine_backs_off_while_the_other_goes_on_and_its_jobs_are_retried(tmp_path):
    # the default world answers Google's Woonfonds query with a CAPTCHA, on both devices
    outcome, store, web = night(tmp_path, default_world_text(), ["Woonfonds"], engines=("google", "bing"),
                                devices=("desktop", "mobile"), backoff_s=5.0, backoff_max_s=10.0, block_retries=1)
    searches = [(t, url) for t, (url, _) in enumerate(web.received) if "/search?" in url]
    google = [t for t, url in searches if "google." in url]
    bing = [t for t, url in searches if "bing." in url]
    assert len(google) == 4  # two blocked jobs, each retried once later in the night
    # Bing did all its searches while Google sat out its pauses (5 s, then 10 s) before its first retry
    assert len(bing) == 2 and bing[-1] < google[2]
    caps = {(c["engine"], c["device"]): c["status"] for c in store.captures(outcome.run_id, kind="serp")}
    assert caps[("bing", "desktop")] == caps[("bing", "mobile")] == "ok"
    assert caps[("google", "desktop")] == caps[("google", "mobile")] == "captcha"  # still blocked: not audited
    assert outcome.exit_code == 3
    assert any("not audited" in r for r in outcome.reasons)


class Hanging:
    """A loopback server that accepts connections and never answers."""

    def __enter__(self) -> Hanging:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.conns: list[socket.socket] = []
        self.stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.sock.getsockname()[1]}"

    def _accept(self) -> None:
        self.sock.settimeout(0.2)
        while not self.stop.is_set():
            try:
                self.conns.append(self.sock.accept()[0])
            except OSError:
                continue

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for c in self.conns:
            c.close()
        self.sock.close()


def test_a_page_that_never_loads_times_out_and_the_job_is_recorded_as_error(tmp_path):
    with Hanging() as server, Browser(BrowserConfig(timeout_ms=1500, resolve_all_to=server.address)) as browser:
        started = time.monotonic()
        with pytest.raises(FetchError):
            browser.capture(f"http://{server.address}/never")
        record = take_capture(browser, Job("Telnova", "google", "Telnova klantenservice", "desktop"),
                              region="NL", language="nl", retries=1)
        assert record.status == "error" and "Timeout" in (record.error or "")
        assert time.monotonic() - started < 30


# Taken once more when it fails: under load 20-40 the killed browser's lane was seen three times stuck for good
# inside Playwright (its driver alive, no Chromium left), in the old lane code as in the new. That hazard of a
# night is real and open (a deadline on every browser call, issue 20); this test is about the lane going on.
@pytest.mark.flaky(reruns=1)
def test_a_job_past_job_timeout_is_stopped_and_the_lane_goes_on():
    jobs = [Job("Telnova", "google", "Telnova klantenservice", "desktop"),
            Job("Bankiva", "google", "Bankiva klantenservice", "desktop")]
    records: list = []
    with Hanging() as server:
        # the page load itself would wait two minutes: only the job's own timeout can stop it
        lane = Lane("google", jobs, Pacer("google", Limits(0, 0, 0, 0, 0), random.Random(1)),
                    lambda: Browser(BrowserConfig(timeout_ms=120_000, resolve_all_to=server.address)).__enter__(),
                    LaneOptions("NL", "nl", retries=0, block_retries=0, job_timeout_s=3), queue.Queue(),
                    threading.Event())
        started = time.monotonic()
        # run_lanes in a thread joined with a bound: on a machine under heavy load the lane was once seen stuck
        # inside Playwright with no Chromium alive, and the suite then hung until CI's limit instead of failing
        done: dict = {}
        runner = threading.Thread(target=lambda: done.update(relaunches=run_lanes([lane], 1, records.append)),
                                  daemon=True)
        runner.start()
        runner.join(240)
        assert not runner.is_alive(), f"the lane did not finish in 240 s (records so far: {records})"
        relaunches = done["relaunches"]
    assert time.monotonic() - started < 110
    assert sorted(r.job.brand for r in records) == ["Bankiva", "Telnova"]  # the lane went on after the first
    assert all(r.status == "error" for r in records) and relaunches.get("google", 0) >= 1
    assert our_browsers() == []


def test_a_killed_browser_is_relaunched_and_the_night_goes_on(tmp_path):
    killed: list[int] = []

    def kill_once(job, status) -> None:
        if not killed:
            killed.extend(our_browsers())
            kill_pids(killed)

    outcome, store, _ = night(tmp_path, default_world_text(), ["Telnova", "Bankiva", "Cloudora"],
                              on_capture=kill_once, seed="relaunch")
    assert killed
    statuses = [c["status"] for c in store.captures(outcome.run_id)]
    assert statuses == ["ok"] * 3
    assert store.run(outcome.run_id)["summary"]["browser_relaunches"] == {"google": 1}


def test_the_engines_see_a_regional_browser_that_does_not_say_headless(tmp_path):
    outcome, store, web = night(tmp_path, default_world_text(), ["Telnova"], engines=("google", "bing"),
                                profile_dir=str(tmp_path / "profile"), devices=("desktop", "mobile"))
    searches = [h for url, h in web.received if "/search?" in url]
    assert len(searches) == 4
    for h in searches:
        assert "headless" not in h["user-agent"].lower()
        assert "headless" not in h.get("sec-ch-ua", "").lower()
        assert h["accept-language"].startswith("nl-NL")
    assert any("Mobile" in h["user-agent"] for h in searches)
    # the profile is kept on disk for the next night (consent cookies survive)
    assert any((tmp_path / "profile").rglob("Cookies"))


def test_an_engines_proxy_carries_its_searches_and_only_its_own(tmp_path):
    from tests.support.recording_proxy import RecordingProxy

    world = write_world(tmp_path)
    web = SandboxWeb(world)
    with SandboxServer(web) as server, RecordingProxy(server.address) as proxy:
        s = Settings(database=tmp_path / "db.sqlite", evidence_dir=tmp_path / "ev", reports_dir=tmp_path / "rep",
                     engines=("google", "bing"), min_delay_s=0.0, jitter_s=0.0, visit_landing_pages=False,
                     devices=("desktop",), proxies=(f"google={proxy.url}",))
        store = Store(s.database)
        store.upsert_brands(world_brands(world))
        run_pipeline(s, store, stages=("crawl",), command="crawl", brand_names=["Telnova"],
                     resolve_all_to=server.address)
    tunnels = [r for r in proxy.requests if r.startswith("CONNECT ")]
    assert "CONNECT www.google.nl:443" in tunnels  # Google's searches left through the proxy
    assert not [r for r in tunnels if "bing" in r]  # Bing's did not
    searched = {url.split("/")[2] for url, _ in web.received if "/search?" in url}
    assert {"www.google.nl", "www.bing.com"} <= searched  # and both reached the engine


def test_run_ends_with_a_summary_and_reports_into_its_own_folder(tmp_path, monkeypatch):
    import json

    from typer.testing import CliRunner

    from serpaudit.cli import app

    sandbox_cli_env(monkeypatch, tmp_path, world=tmp_path / "world.toml")
    telnova = [b for b in world_brands(write_world(tmp_path)) if b.name == "Telnova"]
    Store(tmp_path / "serpaudit-data" / "serpaudit.db").upsert_brands(telnova)
    runner = CliRunner()

    night = runner.invoke(app, ["run", "--json"])
    assert night.exit_code == 1, night.output  # Telnova's planted scams: findings
    summary = json.loads(night.stdout)
    assert summary["status"] == "complete" and summary["reasons"] == [] and summary["findings"] >= 1
    assert summary["engines"] == [{"engine": "google", "jobs": 1, "ok": 1, "empty": 0, "blocked": 0, "other": 0,
                                   "results": summary["engines"][0]["results"]}]
    folder = tmp_path / "serpaudit-data" / "reports" / f"{summary['started_at'][:10]}_{summary['run']}"
    assert {p.name for p in folder.iterdir()} >= {"report.html", "findings.csv", "google_ads.csv"}
    latest = tmp_path / "serpaudit-data" / "reports" / "latest"
    assert latest.resolve() == folder.resolve()

    table = runner.invoke(app, ["run", "--brand", "Telnova", "-q"])  # -q after the subcommand
    assert table.exit_code == 1
    assert "engine  jobs" in table.stdout and "run " in table.stdout and "_brands" in table.stdout
    assert "harvests 1 ok;" in table.stdout and "{" not in table.stdout  # counts in words, no Python dict
    assert latest.resolve() == folder.resolve()  # a --brand run never replaces the night's reports
