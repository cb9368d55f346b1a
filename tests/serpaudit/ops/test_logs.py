"""The night's terminal (issue 21): one log format from start to end, progress counting jobs, pauses shown."""

from __future__ import annotations

import logging
import re

from serpaudit.crawl.capture import Job
from serpaudit.ops.logs import NightDisplay, run_in_words, setup_logging

ISO_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00 (INFO|WARNING) [a-z.]+: ")


def _job(query: str) -> Job:
    return Job(brand="Telnova", engine="google", query=query, device="desktop")


def test_progress_counts_jobs_not_attempts_and_shows_a_pause_until_when(capsys):
    setup_logging(logging.INFO)
    log = logging.getLogger("serpaudit.crawl.jobs")
    log.info("before the bar")
    with NightDisplay(live=True) as display:
        display.jobs(3, 0)
        a, b, c = _job("a"), _job("b"), _job("c")
        display.capture(a, "captcha")
        display.pause("google", 60)
        task = display._progress.tasks[0]
        assert re.fullmatch(r"google paused until \d\d:\d\d:\d\d UTC", task.fields["paused"])
        log.info("during the bar")
        display.capture(b, "ok")
        assert display._progress.tasks[0].fields["paused"] == ""  # searching again
        display.capture(a, "ok")  # the retry of a blocked job is the same job
        display.capture(c, "ok")
        assert (display.completed, display._progress.tasks[0].completed) == (3, 3)
    log.info("after the bar")
    lines = [ln for ln in capsys.readouterr().err.splitlines() if " serpaudit." in ln]
    assert [ln.split(": ", 1)[1] for ln in lines] == ["before the bar", "during the bar", "after the bar"]
    assert all(ISO_LINE.match(ln) for ln in lines), lines  # one format, also while the bar runs


def test_a_resumed_night_never_counts_past_its_jobs():
    display = NightDisplay(live=False)
    display.jobs(2, 1)
    display.capture(_job("a"), "ok")
    display.capture(_job("b"), "ok")
    assert display.completed == 2


def test_a_runs_summary_is_logged_in_words_not_as_a_dict():
    line = run_in_words({"scope": {"brands": None, "stages": ["crawl"]}, "seed": "ab12",
                         "harvest": {"Telnova": "ok", "Heelzorg": "failed", "Bankiva": "ok"},
                         "captures": {"ok": 26, "captcha": 1}, "landing_pages": 12, "findings": 15,
                         "inconclusive": 1, "not_audited": 1, "browser_relaunches": {"google": 1}})
    assert line == ("harvests 2 ok, 1 failed; captures 26 ok, 1 captcha; 12 landing pages; 15 findings, "
                    "1 inconclusive, 1 not audited; browser relaunches 1 google")
    assert not set("{}[]'") & set(line)


def test_a_dismissed_scam_is_counted_as_dismissed_not_as_inconclusive():
    from serpaudit.night.pipeline import RunOutcome

    outcome = RunOutcome("r", findings=[{"verdict": "scam"}, {"verdict": "suspect"},
                                        {"verdict": "scam", "state": "dismissed"}])
    assert (len(outcome.scams), len(outcome.inconclusive), len(outcome.dismissed)) == (2, 0, 1)
    line = run_in_words({"findings": len(outcome.scams), "inconclusive": len(outcome.inconclusive),
                         "dismissed": len(outcome.dismissed), "not_audited": 0})
    assert line == "2 findings, 0 inconclusive, 1 dismissed, 0 not audited"
    mixed = RunOutcome("r", findings=[{"verdict": "inconclusive"}, {"verdict": "inconclusive", "state": "dismissed"},
                                      {"verdict": "scam", "state": "open"}])
    assert (len(mixed.scams), len(mixed.inconclusive), len(mixed.dismissed)) == (1, 1, 1)


def test_the_night_summary_counts_inconclusive_by_verdict(tmp_path):
    from serpaudit.night.outcome import Outcome
    from serpaudit.night.pipeline import RunOutcome
    from serpaudit.ops.logs import night_summary

    class Store:
        def run(self, run_id):
            return {"status": "complete", "started_at": "t0", "finished_at": "t1", "summary": {"seed": "s"}}

        def captures(self, run_id, **_):
            return []

    outcome = RunOutcome("r", findings=[{"verdict": "scam"}, {"verdict": "scam"},
                                        {"verdict": "scam", "state": "dismissed"}], decision=Outcome("findings", 1))
    summary = night_summary(Store(), outcome)
    assert (summary["findings"], summary["inconclusive"], summary["dismissed"]) == (2, 0, 1)
