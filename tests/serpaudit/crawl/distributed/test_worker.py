"""A worker's capture job, in-process on a real Redis: the Chromium it runs in and the politeness it keeps.

Chromium and the engines are stood in for (a fake Browser that records its config, a fake take_capture): what
is tested is which browser settings a job's engine gets and how the shared budget paces and refuses jobs.
"""

from __future__ import annotations

import fcntl
import time
from types import SimpleNamespace

import pytest
import redis
from typer.testing import CliRunner

from serpaudit.cli import app
from serpaudit.crawl.capture import CaptureRecord
from serpaudit.crawl.distributed import records, worker
from serpaudit.crawl.distributed.records import JobSpec
from serpaudit.settings import Settings, SettingsError, load_settings
from tests.support.processes import redis_server

PROXY = "http://nl-proxy.example:3128"


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


class FakeBrowser:
    def __init__(self, config):
        self.config = config

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None


def fake_worker_captures(monkeypatch, settings: Settings, take_capture) -> None:
    """Make the worker tasks of this process capture with ``take_capture`` on a fake browser: no Chromium starts."""
    monkeypatch.setattr(worker, "Browser", lambda config, shared=None: FakeBrowser(config))
    monkeypatch.setattr(worker, "_chromium_for", lambda config: None)
    monkeypatch.setattr(worker, "_browsers", {})
    monkeypatch.setattr(records, "take_capture", take_capture)
    monkeypatch.setitem(worker._state, "settings", settings)


@pytest.fixture
def job(redis_url, tmp_path, monkeypatch):
    """``job(engine, **spec)`` runs one capture task as a worker process would; ``.launched`` lists the configs
    of the Chromiums it started, ``.searched`` the (engine, config) of every search, ``.waits`` the (engine,
    seconds) of every wait for a turn, ``.answers`` what each engine's page shows (ok unless set)."""
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    launched, searched, answers = [], [], {}

    def browser(config, shared=None):  # a view on the process's one Chromium (none here: no Chromium starts)
        launched.append(config)
        return FakeBrowser(config)

    def take_capture(b, j, *, region, language, retries):
        searched.append((j.engine, b.config))
        return CaptureRecord(j, answers.get(j.engine, "ok"), f"{language}-{region}", "2026-11-29T01:00:00+00:00")

    monkeypatch.setattr(worker, "Browser", browser)
    monkeypatch.setattr(worker, "_chromium_for", lambda config: None)
    waits: list[tuple[str, float]] = []
    real_pacer = worker.job_pacer

    def job_pacer(client, settings, spec):
        pacer = real_pacer(client, settings, spec)
        pacer.sleep = lambda s: (waits.append((spec.engine, s)), time.sleep(s))
        return pacer

    monkeypatch.setattr(worker, "job_pacer", job_pacer)
    monkeypatch.setattr(records, "take_capture", take_capture)
    monkeypatch.setattr(worker, "_browsers", {})
    monkeypatch.setattr(worker, "_slot_lock", [])
    monkeypatch.setitem(worker._state, "profile_slot", None)
    monkeypatch.setitem(worker._state, "settings", Settings(
        proxies=(f"google={PROXY}",), profile_dir=str(tmp_path / "profiles"), region="NL", language="nl",
        min_delay_s=0.0, jitter_s=0.0, max_per_hour=0, backoff_s=1.0, backoff_max_s=2.0, job_timeout_s=60))
    task = SimpleNamespace(app=SimpleNamespace(backend=SimpleNamespace(client=client)),
                           request=SimpleNamespace(hostname="serpaudit-1@test", id="task-1"))

    def run(engine: str, **changes):
        fields = dict(run_id="r1", session="s1", brand="Telnova", engine=engine, query="Telnova klantenservice",
                      device="desktop", region="BE", language="nl", retries=0, resolve_all_to=None)
        fields.update(changes)
        return worker.capture_task(task, JobSpec(**fields).to_json())

    run.launched, run.searched, run.answers, run.settings, run.waits = launched, searched, answers, worker._state, waits
    return run


def test_a_jobs_chromium_uses_the_workers_proxy_and_profile_for_its_engine_and_the_jobs_locale(job, tmp_path):
    job("google")
    job("bing")
    job("google", device="mobile")
    (google, g), (bing, b), (_, g2) = job.searched
    assert (google, bing) == ("google", "bing")
    assert g.proxy == PROXY and b.proxy is None  # proxies = ["google=..."]: Google's traffic only
    assert g.profile_dir == str(tmp_path / "profiles" / "worker-0" / "google")
    assert b.profile_dir == str(tmp_path / "profiles" / "worker-0" / "bing")
    assert g.locale == b.locale == "nl-BE" and g.timezone_id == "Europe/Brussels"  # the job's region
    assert g2 is g and job.launched == [g, b]  # one Chromium per engine setting, kept between jobs


def test_worker_processes_on_one_host_take_their_own_profile_slot(job, tmp_path):
    root = tmp_path / "profiles"
    root.mkdir()
    with (root / "worker-0.lock").open("a") as other:  # another worker process holds slot 0
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        job("google")
    assert job.searched[0][1].profile_dir == str(root / "worker-1" / "google")


def test_a_blocked_engine_pauses_on_this_egress_while_other_engines_go_on(job):
    job.answers["google"] = "captcha"
    assert job("google")["record"]["status"] == "captcha"
    assert job("bing")["record"]["status"] == "ok"
    assert job.waits == []  # Bing does not wait for Google's pause
    job.answers["google"] = "ok"
    assert job("google")["record"]["status"] == "ok"
    [(engine, waited)] = job.waits
    assert engine == "google" and 0 < waited <= 1.0  # the rest of backoff_s = 1 after the CAPTCHA


def test_a_job_whose_engine_is_paused_beyond_its_time_comes_back_blocked_unsearched(job):
    job.settings["settings"] = Settings(backoff_s=100.0, backoff_max_s=1000.0, job_timeout_s=60, min_delay_s=0.0,
                                        jitter_s=0.0)
    job.answers["google"] = "captcha"
    job("google")
    job.answers["google"] = "ok"
    result = job("google", query="Telnova contact")
    assert result["record"]["status"] == "blocked" and "paused" in result["record"]["error"]
    assert len(job.searched) == 1  # never searched: a block is not "no ads"


def test_the_sandbox_web_gets_no_delays_but_the_real_web_does(job):
    job.settings["settings"] = Settings(min_delay_s=1.0, jitter_s=0.0, max_per_hour=0, job_timeout_s=60)
    for query in ("a", "b", "c"):
        job("google", query=query, resolve_all_to="127.0.0.1:1")
    assert job.waits == []
    job("google", query="a")
    job("google", query="b")
    [(_, waited)] = job.waits
    assert 0 < waited <= 1.0  # min_delay_s = 1 between the two real-web searches


def test_worker_politeness_that_cannot_fit_in_a_job_is_a_settings_error_naming_the_field(tmp_path, monkeypatch):
    broker = {"SERPAUDIT_BROKER_URL": "redis://127.0.0.1:1/0"}
    assert load_settings(None, env=broker).broker_url  # the defaults fit: 30 s apart, jobs wait up to 150 s
    with pytest.raises(SettingsError, match=r"max_per_hour: workers space google searches up to 360 s apart"):
        load_settings(None, env={**broker, "SERPAUDIT_MAX_PER_HOUR": "10"})
    with pytest.raises(SettingsError, match=r"engine_limits \(bing.max_per_hour\)"):
        load_settings(None, env={**broker, "SERPAUDIT_ENGINE_LIMITS": "bing.max_per_hour=10"})
    assert load_settings(None, env={"SERPAUDIT_MAX_PER_HOUR": "10"}).max_per_hour == 10  # a local run waits
    with pytest.raises(SettingsError, match="worker_min_delay_s: workers space"):  # an old config's delay
        load_settings(None, env={**broker, "SERPAUDIT_WORKER_MIN_DELAY_S": "200"})
    with pytest.raises(SettingsError, match="worker_min_delay_s: must not be negative"):
        load_settings(None, env={**broker, "SERPAUDIT_WORKER_MIN_DELAY_S": "-1"})
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SERPAUDIT_BROKER_URL", broker["SERPAUDIT_BROKER_URL"])
    monkeypatch.setenv("SERPAUDIT_MIN_DELAY_S", "200")
    result = CliRunner().invoke(app, ["worker"])
    assert result.exit_code == 2 and "min_delay_s" in result.output


def test_a_workers_chromium_is_relaunched_after_two_errors_in_a_row_and_the_result_says_so(job):
    job.answers["google"] = "error"
    assert "relaunched" not in job("google")
    assert job("google", query="Telnova contact")["relaunched"] == "failing: maybe hung"
    job.answers["google"] = "ok"
    assert "relaunched" not in job("google", query="Telnova telefoon")
    assert len(job.launched) == 2  # the third job ran in a fresh Chromium
