"""Jobs a worker sent back because its engine's turn on that worker's egress was too far off (``deferred``).

The coordinator keeps them here and sends each again when the engine's soonest turn on any egress comes
(:func:`~serpaudit.crawl.distributed.pacing.soonest_turn_s`), never later than the turn the worker reported:
the job's lane still counts it as out (it is neither stored nor retried: it was never searched).  After
``MAX_DEFERS`` deferrals a job is sent with ``may_defer`` off, and the worker that takes it waits for its turn
as a worker always did: a night whose every egress is busy still ends.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

from serpaudit.crawl.distributed.records import JobSpec
from serpaudit.crawl.jobs import Job

MAX_DEFERS = 20
# Sent again no sooner than this: an egress whose budget key outlived its worker (a proxy no longer used)
# shows a free turn nobody can take, and the job would bounce at every poll.
MIN_RESEND_S = 0.25


@dataclass
class Deferrals:
    waiting: list[tuple[float, JobSpec]] = field(default_factory=list)  # (when to send again, what)
    counts: Counter[Job] = field(default_factory=Counter)

    def add(self, spec: JobSpec, now: float, retry_after_s: float, soonest_s: float | None) -> None:
        """``spec`` came back deferred: its worker's turn is ``retry_after_s`` off, the soonest on any egress
        ``soonest_s`` (None: not known)."""
        wait = retry_after_s if soonest_s is None else min(retry_after_s, soonest_s)
        self.counts[spec.job] += 1
        if self.counts[spec.job] >= MAX_DEFERS:
            spec = replace(spec, may_defer=False)
        self.waiting.append((now + max(wait, MIN_RESEND_S), spec))

    def due(self, now: float, room: int) -> list[JobSpec]:
        """The deferred jobs whose time has come, at most ``room`` of them, earliest first (taken out)."""
        self.waiting.sort(key=lambda w: w[0])
        n = 0
        while n < len(self.waiting) and n < room and self.waiting[n][0] <= now:
            n += 1
        due, self.waiting = [s for _, s in self.waiting[:n]], self.waiting[n:]
        return due

    def drain(self) -> list[JobSpec]:
        """Every job still waiting (the night is being given up), taken out."""
        specs, self.waiting = [s for _, s in self.waiting], []
        return specs

    def __len__(self) -> int:
        return len(self.waiting)
