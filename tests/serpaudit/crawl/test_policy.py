"""The night's job policy, on its own: turns, blocks, retries, giving up, the window, relaunches."""

from __future__ import annotations

import pytest

from serpaudit.crawl.capture import Job
from serpaudit.crawl.policy import (
    DONE,
    GIVE_UP_AFTER,
    RETAKE,
    RETRY,
    BrowserHealth,
    EngineLane,
    EventLog,
    GiveUp,
    NightWindow,
)


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def _jobs(n: int, engine: str = "google") -> list[Job]:
    return [Job(f"Brand{i}", engine, f"Brand{i} klantenservice", "desktop") for i in range(n)]


def _lane(jobs, clock, *, block_retries=2, window=None):
    events = EventLog(clock)
    lane = EngineLane("google", jobs, block_retries=block_retries, events=events, clock=clock,
                      **({"window": window} if window else {}))
    return lane, events


def _kinds(events, job):
    return [e.kind for e in events.events if e.job == job.key]


def test_a_blocked_job_goes_to_the_back_of_the_lane_after_the_pause_up_to_block_retries():
    clock = Clock()
    a, b = _jobs(2)
    lane, events = _lane([a, b], clock)
    assert lane.take() == a
    assert lane.record(a, "captcha", pause_s=60) == RETRY
    assert lane.next_at() == pytest.approx(160)  # the engine pauses 60 s
    clock.t = 160
    assert lane.take() == b
    assert lane.record(b, "ok") == DONE
    for _ in range(2):  # a's retries: 2, after each pause
        clock.t = lane.next_at()
        assert lane.take() == a
        verdict = lane.record(a, "captcha", pause_s=1)
    assert verdict == DONE and lane.done  # its retries spent: it stays blocked (not audited), never "no ads"
    assert _kinds(events, a) == ["started", "blocked", "retry_scheduled", "started", "blocked", "retry_scheduled",
                                 "started", "blocked"]
    assert _kinds(events, b) == ["started", "captured"]


def test_after_blocks_in_a_row_the_lane_gives_up_its_waiting_jobs_without_searching():
    clock = Clock()
    jobs = _jobs(GIVE_UP_AFTER + 2)
    lane, events = _lane(jobs, clock, block_retries=0)
    for job in jobs[:GIVE_UP_AFTER]:
        clock.t = lane.next_at()
        assert lane.take() == job
        lane.record(job, "blocked", pause_s=5)
    assert lane.next_at() == clock.t  # giving up waits for no pause
    given = [lane.take(), lane.take()]
    assert given == [GiveUp(j, "google kept blocking: backed off for the rest of the night") for j in jobs[-2:]]
    assert lane.done and [e.kind for e in events.events][-2:] == ["gave_up", "gave_up"]
    assert not any(e.kind == "started" for e in events.events if e.job in {j.key for j in jobs[-2:]})


def test_an_answer_resets_the_blocks_in_a_row_but_an_error_does_not():
    clock = Clock()
    jobs = _jobs(GIVE_UP_AFTER + 1)
    lane, _ = _lane(jobs, clock, block_retries=0)
    for i, job in enumerate(jobs[:-1]):
        clock.t = lane.next_at()
        lane.take()
        lane.record(job, "ok" if i == 2 else "captcha")
    assert not lane.gave_up  # 2 blocks, an answer, 3 blocks
    clock.t = lane.next_at()
    lane.take()
    lane.record(jobs[-1], "error")
    assert lane.blocks_in_row == 3


def test_an_engine_is_probed_with_one_job_at_the_start_and_after_a_block_and_widens_with_answers():
    clock = Clock()
    jobs = _jobs(8)
    lane, _ = _lane(jobs, clock, block_retries=0)
    assert lane.take() == jobs[0]
    assert lane.next_at() is None  # one job out: the engine has not answered yet
    lane.record(jobs[0], "ok")
    assert [lane.take(), lane.take()] == jobs[1:3]  # an executor may now send two at once
    assert lane.next_at() is None
    lane.record(jobs[1], "ok")
    lane.record(jobs[2], "ok")
    assert [lane.take() for _ in range(4)] == jobs[3:7]
    lane.record(jobs[3], "captcha")
    assert lane.next_at() is None  # three still out: no more turns while the engine blocks
    for job in jobs[4:7]:
        lane.record(job, "captcha")
    assert lane.take() == jobs[7] and lane.next_at() is None  # a blocking engine: one job at a time


def test_jobs_out_when_the_lane_gives_up_are_not_retried():
    clock = Clock()
    jobs = _jobs(GIVE_UP_AFTER + 1)
    lane, events = _lane(jobs, clock, block_retries=2)
    for job in jobs[:GIVE_UP_AFTER - 1]:
        lane.take()
        lane.record(job, "captcha")
        clock.t = lane.next_at() or clock.t
    probe = lane.take()
    assert lane.record(probe, "captcha") == DONE  # the block that makes it give up: no retry for it
    assert _kinds(events, probe)[-1] == "gave_up"


def test_the_window_spaces_each_turn_by_what_is_left_of_it_over_the_jobs_left():
    clock = Clock()
    lane, events = _lane(_jobs(4), clock, block_retries=0, window=NightWindow(ends_at=clock.t + 40))
    starts = []
    while not lane.done:
        clock.t = lane.next_at()
        starts.append(clock.t)
        lane.record(lane.take(), "ok")
    assert starts == pytest.approx([100, 100 + 40 / 3, 100 + 40 / 3 + (40 - 40 / 3) / 2, 140])
    assert [e.at for e in events.events if e.kind == "started"] == pytest.approx([s - 100 for s in starts])


def test_a_browser_is_relaunched_when_it_crashed_or_failed_twice_in_a_row_and_the_job_is_taken_again_once():
    health = BrowserHealth()
    assert health.after("error", alive=True) is None
    assert health.after("ok", alive=True) is None  # an answer in between: not hung
    assert health.after("error", alive=True) is None
    assert health.after("error", alive=True) == "failing: maybe hung"
    assert health.after("error", alive=False) == "crashed"
    clock = Clock()
    (a,) = _jobs(1)
    lane, _ = _lane([a], clock)
    lane.take()
    assert lane.record(a, "error", relaunched="crashed") == RETAKE  # not stored: taken again, next
    assert lane.take() == a
    assert lane.record(a, "error", relaunched="crashed") == DONE and lane.done  # once only
