"""Unattended nights, the parts that need no browser: lock, politeness, honest status, outputs, resume."""

from __future__ import annotations

import json
import logging
import os
import random
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from audits.brands import Brand
from audits.store import Store
from serpaudit.app import stages
from serpaudit.cli import app
from serpaudit.crawl.capture import Job
from serpaudit.crawl.policy import EngineLane, EventLog, NightWindow
from serpaudit.crawl.politeness import Limits, Pacer, SettingsProblem, parse_window, window_end
from serpaudit.night.health import incomplete_reasons
from serpaudit.night.pipeline import start_or_resume
from serpaudit.ops.lock import RunLock, RunLocked, lock_path
from serpaudit.ops.outputs import (
    LowDiskError,
    ReportFolderExists,
    check_free_disk,
    place_run_reports,
    prune_evidence,
)
from serpaudit.settings import Settings, SettingsError, load_settings

runner = CliRunner()


# -- the lock ---------------------------------------------------------------------------------------------------
def test_a_second_run_on_the_same_database_is_refused_naming_the_holder(tmp_path):
    db = tmp_path / "db.sqlite"
    with RunLock(db, "run"):
        with pytest.raises(RunLocked) as err:
            RunLock(db, "crawl").acquire()
        assert f"pid {os.getpid()} (run), started 20" in str(err.value)
    with RunLock(db, "crawl"):  # released: the next night takes it
        pass


def test_the_cli_exits_4_while_another_process_holds_the_lock(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for var in [v for v in os.environ if v.startswith("SERPAUDIT_")]:
        monkeypatch.delenv(var)
    db = tmp_path / "serpaudit-data" / "serpaudit.db"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pathlib import Path; from serpaudit.ops.lock import RunLock\n"
        f"RunLock(Path({str(db)!r}), 'run').acquire(); print('held', flush=True); time.sleep(60)")],
        stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[3])
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        for command in (["run"], ["crawl"], ["harvest"], ["run", "-q"]):
            result = runner.invoke(app, command)
            assert result.exit_code == 4, result.output
            assert f"pid {holder.pid} (run)" in result.stderr and "started" in result.stderr
    finally:
        holder.kill()
        holder.wait()


def test_a_lock_left_by_a_dead_process_is_taken_over_and_logged(tmp_path, caplog):
    db = tmp_path / "db.sqlite"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    lock_path(db).write_text(json.dumps({"pid": dead.pid, "command": "run", "started_at": "2026-01-01T02:00:00"}))
    with caplog.at_level(logging.WARNING), RunLock(db, "run"):
        assert json.loads(lock_path(db).read_text())["pid"] == os.getpid()
    assert f"stale lock {lock_path(db)} left by pid {dead.pid}" in caplog.text
    assert "no longer running" in caplog.text


# -- politeness -------------------------------------------------------------------------------------------------
class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_a_lane_keeps_its_delay_jitter_and_hourly_budget():
    clock = Clock()
    pacer = Pacer("google", Limits(10, 5, 0, 60, 600), random.Random(1), clock=clock)
    assert pacer.wait_time() == 0  # the first search goes at once
    pacer.searched()
    assert 10 <= pacer.wait_time() <= 15
    # max_per_hour = 3: turns at least 1200 s apart, as on a worker, so no hour ever holds a fourth search
    hourly = Pacer("google", Limits(10, 5, 3, 60, 600), random.Random(1), clock=clock)
    starts = []
    for _ in range(4):
        clock.t += hourly.wait_time()
        starts.append(clock.t)
        hourly.searched()
    assert [b - a for a, b in zip(starts, starts[1:], strict=False)] == pytest.approx([1200] * 3)
    assert starts[3] - starts[0] >= 3600


def test_a_blocking_engine_backs_off_exponentially_up_to_the_cap():
    clock = Clock()
    pacer = Pacer("bing", Limits(0, 0, 0, 60, 200), random.Random(1), clock=clock)
    assert [pacer.blocked() for _ in range(4)] == [60, 120, 200, 200]
    assert pacer.wait_time() == pytest.approx(200)
    pacer.answered()
    assert pacer.blocks_in_row == 0


def test_the_window_spreads_what_is_left_over_what_is_left_of_it():
    assert parse_window("23:00-03:00") == (23 * 60, 3 * 60)
    at = datetime(2026, 1, 2, 1, 0, tzinfo=UTC)
    assert window_end((23 * 60, 3 * 60), at) == datetime(2026, 1, 2, 3, 0, tzinfo=UTC)
    clock = Clock()
    window = NightWindow.of("23:00-03:00", clock=clock, wall=lambda: at)
    assert window.ends_at == pytest.approx(clock.t + 7200)
    jobs = [Job("Telnova", "google", f"q{i}", "desktop") for i in range(5)]
    lane = EngineLane("google", jobs, block_retries=0, events=EventLog(clock), window=window, clock=clock)
    lane.record(lane.take(), "ok")  # the first search goes at once
    assert lane.next_at() == pytest.approx(clock.t + 7200 / 4)  # 4 left over the 2 h left
    clock.t += 7200 + 60  # a night past its window goes on as fast as its pacing allows
    assert lane.next_at() == clock.t
    with pytest.raises(SettingsProblem, match="window"):
        parse_window("2am-5am")


def test_night_settings_are_validated_naming_the_field(tmp_path):
    for line, field in [('window = "25:00-03:00"', "window"), ('engine_limits = ["yahoo.max_per_hour=3"]',
                        "engine_limits"), ("max_empty_share = 1.5", "max_empty_share"),
                        ('proxies = ["google"]', "proxies"), ("concurrency = 0", "concurrency")]:
        (tmp_path / "s.toml").write_text(line + "\n")
        with pytest.raises(SettingsError, match=field):
            load_settings(tmp_path / "s.toml", env={})
    (tmp_path / "s.toml").write_text('engine_limits = ["google.max_per_hour=40"]\nmin_delay_s = 2.5\n')
    s = load_settings(tmp_path / "s.toml", env={})
    assert s.min_delay_s == 2.5 and s.engine_limits == ("google.max_per_hour=40",)


# -- honest status ------------------------------------------------------------------------------------------------
def cap(engine: str, status: str = "ok", results: int = 3) -> dict:
    return {"engine": engine, "kind": "serp", "device": "desktop", "status": status, "result_count": results}


def test_failed_harvests_over_the_share_make_the_night_incomplete():
    harvests = {f"b{i}": ("failed" if i < 46 else "ok") for i in range(51)}
    reasons = incomplete_reasons([], harvests, [], max_failed_harvest_share=0.2, max_empty_share=0.5)
    assert reasons == ["46 of 51 brand harvests failed (more than max_failed_harvest_share 20%)"]
    one_failed = {f"b{i}": ("failed" if i == 0 else "ok") for i in range(10)}
    assert incomplete_reasons([], one_failed, [], max_failed_harvest_share=0.2, max_empty_share=0.5) == []


def test_an_engine_with_zero_results_for_most_queries_makes_the_night_incomplete():
    captures = [cap("google")] * 3 + [cap("bing", "empty", 0)] * 3 + [cap("bing")]
    [reason] = incomplete_reasons(captures, {}, [], max_failed_harvest_share=0.2, max_empty_share=0.5)
    assert reason.startswith("bing showed zero results for 3 of its 4 queries")


def test_jobs_that_stayed_blocked_are_a_reason():
    blocked = [cap("google", "captcha", 0), cap("google", "blocked", 0)]
    reasons = incomplete_reasons(blocked, {}, blocked, max_failed_harvest_share=0.2, max_empty_share=0.5)
    assert reasons == ["2 captures not audited (1 blocked, 1 captcha)"]


# -- outputs ------------------------------------------------------------------------------------------------------
def writer(text: str, fail: bool = False):
    def write(folder: Path) -> list[Path]:
        folder.mkdir(parents=True)
        (folder / "findings.csv").write_text(text)
        if fail:
            raise OSError("disk full")
        (folder / "report.html").write_text(text)
        return [folder / "findings.csv", folder / "report.html"]
    return write


def test_each_run_writes_its_own_folder_and_latest_points_to_the_newest_full_night(tmp_path):
    night1 = {"id": "aaa", "started_at": "2026-01-01T02:00:00+00:00"}
    night2 = {"id": "bbb", "started_at": "2026-01-02T02:00:00+00:00"}
    paths = place_run_reports(writer("one"), tmp_path, night1, limited=False)
    assert paths[0] == tmp_path / "2026-01-01_aaa" / "findings.csv"
    place_run_reports(writer("two"), tmp_path, night2, limited=False)
    assert (tmp_path / "latest" / "report.html").read_text() == "two"
    assert (tmp_path / "2026-01-01_aaa" / "report.html").read_text() == "one"
    brand = place_run_reports(writer("brand"), tmp_path, {"id": "ccc", "started_at": "2026-01-02T09:00:00"},
                              limited=True)
    assert brand[0].parent.name == "2026-01-02_ccc_brands"
    assert os.readlink(tmp_path / "latest") == "2026-01-02_bbb"  # a --brand run never replaces the night's


def test_a_kill_while_writing_leaves_no_half_folder_and_a_written_folder_is_never_replaced(tmp_path):
    night = {"id": "aaa", "started_at": "2026-01-01T02:00:00+00:00"}
    folder = tmp_path / "2026-01-01_aaa"
    with pytest.raises(OSError):
        place_run_reports(writer("first", fail=True), tmp_path, night, limited=False)
    assert not folder.exists()
    place_run_reports(writer("second"), tmp_path, night, limited=False)
    with pytest.raises(ReportFolderExists, match="written once and never rewritten"):
        place_run_reports(writer("third"), tmp_path, night, limited=False)
    assert {p.name: p.read_text() for p in folder.iterdir()} == {"findings.csv": "second", "report.html": "second"}


def test_a_night_killed_after_it_finished_gets_its_reports_before_the_next_night(tmp_path, caplog):
    from serpaudit.night.reporting import write_missing_reports

    store = Store(tmp_path / "db.sqlite")
    settings = Settings(database=tmp_path / "db.sqlite", reports_dir=tmp_path / "reports",
                        evidence_dir=tmp_path / "evidence")
    run_id = store.start_run("run", "2026-01-01T02:00:00+00:00")
    store.finish_run(run_id, "complete", {"scope": {"brands": None, "stages": ["harvest", "crawl", "audit", "report"]}},
                     "2026-01-01T03:00:00+00:00")  # killed here: finished, no report folder yet
    with caplog.at_level(logging.WARNING):
        bundle = write_missing_reports(settings, store, "run", "2026-01-01T08:00:00+00:00")
    assert bundle is not None and f"run {run_id} finished without its reports" in caplog.text
    folder = tmp_path / "reports" / f"2026-01-01_{run_id}"
    assert (folder / "report.html").is_file() and (tmp_path / "reports" / "latest").resolve() == folder.resolve()
    written = (folder / "report.html").stat().st_mtime_ns
    assert write_missing_reports(settings, store, "run", "2026-01-01T09:00:00+00:00") is None  # once only
    assert (folder / "report.html").stat().st_mtime_ns == written
    limited = store.start_run("run", "2026-01-01T10:00:00+00:00")
    store.finish_run(limited, "complete", {"scope": {"brands": ["X"], "stages": ["crawl", "audit"]}},
                     "2026-01-01T10:05:00+00:00")
    assert write_missing_reports(settings, store, "run", "2026-01-01T11:00:00+00:00") is None  # asked no report


def test_old_evidence_is_pruned_except_evidence_of_findings(tmp_path):
    store = Store(tmp_path / "db.sqlite")
    old = store.start_run("run", "2025-01-01T02:00:00+00:00")
    store.finish_run(old, "complete", {}, "2025-01-01T03:00:00+00:00")
    folder = tmp_path / "ev" / old
    folder.mkdir(parents=True)
    kept, gone = folder / "finding.png", folder / "plain.png"
    kept.write_bytes(b"x")
    gone.write_bytes(b"y")
    store.upsert_brands([Brand(name="Telnova", domains=("telnova.nl",))])
    store.upsert_findings(old, [{"brand": "Telnova", "e164": "+31900", "engine": "google", "kind": "ad",
                                 "verdict": "scam", "captured_at": "2025-01-01T02:00:00+00:00",
                                 "screenshot_path": str(kept)}])
    assert prune_evidence(store, tmp_path / "ev", 90) == 1
    assert kept.exists() and not gone.exists()


def test_a_run_refuses_to_start_on_a_nearly_full_disk(tmp_path):
    with pytest.raises(LowDiskError, match="min_free_disk_mb"):
        check_free_disk([tmp_path], 10**12)
    check_free_disk([tmp_path / "not" / "yet"], 1)


# -- resume and never a false clean ------------------------------------------------------------------------------
def test_an_unfinished_run_is_resumed_only_for_the_same_command_and_brands(tmp_path):
    store = Store(tmp_path / "db.sqlite")
    full = {"brands": None, "stages": ["harvest", "crawl", "audit", "report"]}
    first, _ = start_or_resume(store, "run", full, fresh=False)
    again, summary = start_or_resume(store, "run", full, fresh=False)
    assert again == first and summary["resumed"] == 1
    other, _ = start_or_resume(store, "run", {**full, "brands": ["Telnova"]}, fresh=False)
    assert other != first
    fresh, _ = start_or_resume(store, "run", full, fresh=True)
    assert fresh != first


def test_audit_and_report_without_run_never_take_a_killed_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for var in [v for v in os.environ if v.startswith("SERPAUDIT_")]:
        monkeypatch.delenv(var)
    settings = Settings()
    store = Store(settings.database)
    finished = store.start_run("run", "2026-01-01T02:00:00+00:00")
    store.finish_run(finished, "complete", {}, "2026-01-01T03:00:00+00:00")
    killed = store.start_run("run", "2026-01-02T02:00:00+00:00")  # SIGKILLed: still "running"
    assert stages._run_id(store, None) == finished
    outcome = stages.audit(None, killed)  # asked for by name: audited, but never clean
    assert outcome.exit_code == 3 and outcome.reasons[0].startswith(f"run {killed} is not finished")
    result = runner.invoke(app, ["audit"])
    assert result.exit_code == 0 and "(none)" in result.stdout and f"run {killed}" in result.stderr


def test_log_lines_carry_iso_timestamps_and_go_to_the_log_file(tmp_path):
    from serpaudit.ops.logs import add_log_file, setup_logging

    root = logging.getLogger()
    saved = list(root.handlers), root.level
    try:
        setup_logging(logging.INFO)
        add_log_file(str(tmp_path / "logs" / "night.log"))
        logging.getLogger("serpaudit.test").info("job google desktop 'x': ok, 3 results, 1.2 s")
        line = (tmp_path / "logs" / "night.log").read_text().strip()
        assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00 INFO serpaudit.test: job google", line), line
    finally:
        for h in list(root.handlers):
            if h not in saved[0]:
                root.removeHandler(h)
                h.close()
        root.setLevel(saved[1])


def test_each_engine_lane_gets_its_proxy_profile_and_the_regions_locale_and_time_zone(tmp_path):
    from serpaudit.crawl.browsers import browser_config

    s = Settings(region="BE", language="nl", proxies=("google=http://be-proxy:3128",),
                 profile_dir=str(tmp_path / "profiles"))
    google, bing = browser_config(s, engine="google"), browser_config(s, engine="bing")
    assert google.proxy == "http://be-proxy:3128" and bing.proxy is None
    assert google.locale == "nl-BE" and google.timezone_id == "Europe/Brussels"
    assert google.profile_dir == str(tmp_path / "profiles" / "google") != bing.profile_dir
    assert browser_config(Settings(region="NL", timezone="UTC")).timezone_id == "UTC"
