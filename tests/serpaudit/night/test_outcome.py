"""serpaudit/night/outcome.py: the one place that decides a run's status, exit code and reasons.

run, crawl, harvest and audit, the demo and the worker all get their exit from it, and README's section
"Exit codes" is written from its tables.
"""

from __future__ import annotations

import dataclasses

import pytest
from typer.testing import CliRunner

from crawler.errors import BrowserNotFound
from scripts import exit_codes_readme
from serpaudit.app.errors import IncompleteError, InputError, LockedError
from serpaudit.cli import app
from serpaudit.night.outcome import EXIT_TABLES, Outcome, decide, decide_demo, failed
from serpaudit.settings import Settings

SETTINGS = Settings()  # max_failed_harvest_share 0.2, max_empty_share 0.5
SCAM = {"verdict": "scam", "brand": "Telnova", "state": "open"}
INCONCLUSIVE = {"verdict": "inconclusive", "brand": "Woonfonds", "state": "open"}
runner = CliRunner()


def cap(engine: str = "google", status: str = "ok", results: int = 3) -> dict:
    return {"engine": engine, "device": "desktop", "kind": "serp", "status": status, "result_count": results,
            "query": "q"}


OK = cap()


def night(stages=("harvest", "crawl", "audit", "report"), findings=(), captures=(OK,), not_audited=(),
          harvests=None, run=None) -> Outcome:
    return decide(stages, findings=list(findings), captures=list(captures), not_audited=list(not_audited),
                  harvests={"Telnova": "ok"} if harvests is None else harvests, settings=SETTINGS, run=run)


def test_readme_exit_codes_are_the_modules():
    readme = exit_codes_readme.README.read_text(encoding="utf-8")
    assert exit_codes_readme.main(["--check"]) == 0, "run python scripts/exit_codes_readme.py"
    for table in EXIT_TABLES.values():
        for status in table:
            assert f"| {status.code} | {status.meaning} |" in readme


def test_a_whole_night_is_clean_or_findings():
    assert night() == Outcome("clean", 0)
    assert night(findings=[SCAM]) == Outcome("findings", 1)
    assert night(findings=[{**SCAM, "state": "dismissed"}, {**INCONCLUSIVE, "state": "dismissed"}]).exit_code == 0


def test_a_missing_part_makes_the_night_incomplete_even_with_scams():
    blocked = cap(status="captcha", results=0)
    outcome = night(findings=[SCAM], captures=[cap(), blocked], not_audited=[blocked])
    assert (outcome.status, outcome.exit_code) == ("incomplete", 3)
    assert outcome.reasons == ("1 capture not audited (1 captcha)",)
    empty = night(findings=[SCAM], captures=[cap("bing", "empty", 0)] * 3 + [cap("bing")])
    assert empty.exit_code == 3 and empty.reasons[0].startswith("bing showed zero results for 3 of its 4")


def test_numbers_left_inconclusive_are_a_reason_not_a_clean_night():
    outcome = night(findings=[INCONCLUSIVE])
    assert outcome.exit_code == 3
    assert outcome.reasons == ("1 number left inconclusive, official set unknown (Woonfonds)",)


def test_a_harvest_alone_is_incomplete_when_any_brand_failed_a_night_only_over_the_share():
    harvests = {f"b{i}": ("failed" if i == 0 else "ok") for i in range(10)}
    alone = night(("harvest",), captures=[], harvests=harvests)
    assert alone.exit_code == 3 and alone.reasons == ("1 of 10 brand harvests failed (b0): their official numbers "
                                                      "are unknown",)
    assert night(harvests=harvests).exit_code == 0  # 10% failed: under max_failed_harvest_share
    assert night(("harvest",), captures=[], harvests={"b0": "ok"}) == Outcome("clean", 0)


def test_a_crawl_alone_judges_its_captures_not_findings():
    blocked = cap(status="blocked", results=0)
    assert night(("crawl",), findings=[SCAM]).exit_code == 0  # not audited by this command: not its findings
    assert night(("crawl",), captures=[blocked], not_audited=[blocked]).exit_code == 3


def test_an_audit_of_a_run_that_never_finished_is_never_clean():
    outcome = night(("audit",), run={"id": "r1", "status": "running"})
    assert outcome.exit_code == 3 and outcome.reasons[0].startswith("run r1 is not finished")
    assert night(("audit",), run={"id": "r1", "status": "complete"}).exit_code == 0


def test_the_demo_is_scored_against_its_world():
    assert decide_demo(perfect=True, unplanned_not_audited=[], differences=[]) == Outcome("match", 0)
    drift = decide_demo(perfect=False, unplanned_not_audited=["night 1: google 'q' not audited"], differences=[])
    assert (drift.exit_code, drift.reasons) == (3, ("night 1: google 'q' not audited",))
    assert decide_demo(perfect=False, unplanned_not_audited=[], differences=["night 2: missed"]).exit_code == 1


def test_an_error_names_its_exit_and_anything_else_could_not_complete():
    assert failed(InputError("brands.csv:3: field 'name'")) == Outcome("usage", 2, ("brands.csv:3: field 'name'",))
    assert failed(IncompleteError("no disk")).exit_code == 3
    assert failed(LockedError("pid 7 holds the lock")).status == "locked"
    assert failed(KeyError("x")) == Outcome("incomplete", 3, ("the run could not complete: KeyError: 'x'",))


def test_an_outcome_is_a_value():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Outcome("clean", 0).exit_code = 1  # type: ignore[misc]


def test_the_worker_exits_by_its_outcome(monkeypatch, tmp_path):
    from serpaudit.crawl.distributed import worker

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SERPAUDIT_BROKER_URL", "redis://127.0.0.1:1/0")
    served = []
    monkeypatch.setattr(worker, "run_worker", lambda settings, queues, concurrency: served.append(queues))
    stopped = runner.invoke(app, ["worker", "--queues", "nl"])
    assert (stopped.exit_code, served) == (0, [["nl"]]), stopped.output

    def no_chromium(*_):
        raise BrowserNotFound("no Chromium found")

    monkeypatch.setattr(worker, "run_worker", no_chromium)
    result = runner.invoke(app, ["worker"])
    assert result.exit_code == 3 and "no Chromium found" in result.stderr
    assert runner.invoke(app, ["worker", "--queues", "atlantis"]).exit_code == 2
