"""Benchmark: what more workers and egress addresses buy on a politeness-bound night (issue 22).

The buyer's question is how the night's length falls as workers and egress addresses are added.  On the real
web a night is bound by politeness: each engine is searched at most once per spacing from one egress (the
settings' delays: ``max_per_hour = 120`` spreads searches 30 s apart per engine and egress).  This bench runs
such a night against the sandbox web, with those real per-engine delays divided by ``SCALE`` so the whole table
takes a few minutes, through a real Redis and real `serpaudit worker` processes (one process each: light):

    local                   one machine, one lane per engine (``serpaudit crawl --local``)
    1, 2, 4 workers         on one egress: they share one politeness budget per engine
    2, 4 workers, own       each with its own egress (its own budget key, ``egress = bench-<n>``)
    4 workers, one killed   SIGKILLed mid-night: its job is sent again once its heartbeat stops

Everything is warm (workers and their Chromiums up) and runs the same jobs.  Captures are timed as they land
in the store (polled every 0.1 s).  Two figures per night:

- the night's length: first capture stored to last;
- captures per minute after the first turn: (jobs - first turn's) / (last - first turn's last), where a turn
  is one search per engine and budget (3 locally or on one egress, 3 x n on n egresses).  This steady rate
  leaves out start-up and ramp (the local crawl's browser launches included), so it compares like with like.

The politeness floor is 3 x budgets searches per spacing; a night within 80% of it is bound by politeness, below
that by the machine (2 cores: 4 workers' Chromiums and the coordinator's evidence writes compete for them).
"""

from __future__ import annotations

import argparse
import math
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from serpaudit.crawl.distributed.localcluster import Cluster, RedisUnavailable, kill_tree, redis_server
from serpaudit.crawl.politeness import engine_limits
from serpaudit.settings import Settings

# brands whose pages never block nor wait for an AI answer
TIMED_BRANDS = ("Telnova", "Bankiva", "Cloudora", "Pakketpost Express", "Verzekerlijk", "Reisklok")
BRANDS = 4  # timed: 4 brands x 2 devices = 8 jobs per engine, 24 in all
WARMUP_BRAND = "Heelzorg"
# real delays / SCALE: the default 30 s spacing per engine and egress becomes 3.75 s, long enough beside a
# capture (about 0.3 s of a core on a worker, as much again on the coordinator) that 4 workers' 12 budgets
# leave the 2 cores room: a night bound by politeness, not by the machine
SCALE = 8.0
BOUND_S = 600
POLL_S = 0.1
POLITENESS_BOUND = 0.8  # a night at 80% of its politeness floor or more is bound by politeness
QUIET = {"SERPAUDIT_VISIT_LANDING_PAGES": "false"}  # the crawl stage alone
ENGINES = 3


@dataclass
class Night:
    label: str
    budgets: int  # politeness budgets per engine: 1 locally or on one egress, n on n egresses
    jobs: int
    spacing_s: float
    stored_at: list[float] = field(default_factory=list)  # seconds after the launch, one per capture
    killed_at: float | None = None

    @property
    def length_s(self) -> float:
        return self.stored_at[-1] - self.stored_at[0]

    @property
    def first_turn(self) -> int:
        return min(ENGINES * self.budgets, self.jobs - 2)

    @property
    def per_min(self) -> float:
        """Captures per minute after the first turn."""
        n1 = self.first_turn
        return (self.jobs - n1) / (self.stored_at[-1] - self.stored_at[n1 - 1]) * 60

    @property
    def floor_per_min(self) -> float:
        return ENGINES * self.budgets / self.spacing_s * 60

    @property
    def bound_by(self) -> str:
        return "politeness" if self.per_min >= POLITENESS_BOUND * self.floor_per_min else "the machine"

    @property
    def floor_length_s(self) -> float:
        """The night's least length its budgets allow: one spacing per turn after the first."""
        return (math.ceil(self.jobs / (ENGINES * self.budgets)) - 1) * self.spacing_s


def scaled_settings(scale: float) -> tuple[str, float]:
    """The settings' real per-engine delays divided by ``scale`` (TOML lines), and the engines' mean spacing."""
    real = Settings()
    lines = ["sandbox_politeness = true", "window = \"\"",
             f"min_delay_s = {real.min_delay_s / scale:.3f}", f"jitter_s = {real.jitter_s / scale:.3f}",
             f"max_per_hour = {round(real.max_per_hour * scale) if real.max_per_hour else 0}"]
    limits = []
    for item in real.engine_limits:
        head, _, value = item.partition("=")
        factor = scale if head.endswith("max_per_hour") else 1 / scale
        limits.append(f'"{head}={float(value) * factor:g}"')
    lines.append(f"engine_limits = [{', '.join(limits)}]")
    scaled = Settings(min_delay_s=real.min_delay_s / scale, jitter_s=real.jitter_s / scale,
                      max_per_hour=round(real.max_per_hour * scale) if real.max_per_hour else 0,
                      engine_limits=tuple(x.strip('"') for x in limits))
    spacing = sum(_mean_spacing(scaled, e) for e in ("google", "bing", "duckduckgo")) / ENGINES
    return "\n".join(lines) + "\n", spacing


def _mean_spacing(settings: Settings, engine: str) -> float:
    """An engine's mean spacing between two searches from one egress: its delay with half its jitter, or the
    hourly budget spread evenly, whichever is longer (serpaudit.crawl.politeness.spread_delay_s)."""
    limits = engine_limits(settings, engine)
    return max(limits.min_delay_s + limits.jitter_s / 2, 3600 / limits.max_per_hour if limits.max_per_hour else 0.0)


def _serp_count(database: Path) -> int:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as db:
        return int(db.execute("SELECT count(*) FROM captures WHERE kind = 'serp'").fetchone()[0])


def _reset_budgets(url: str) -> None:
    """Every night starts with fresh budgets (the warm-up's last searches do not delay it)."""
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter("serpaudit:polite:*"))
    if keys:
        client.delete(*keys)
    client.close()


def _night(cluster: Cluster, night: Night, brands: tuple[str, ...], mode: str, *, kill: int | None = None) -> Night:
    """Run one `serpaudit crawl` and time each capture as it lands; ``kill``: SIGKILL that worker mid-night."""
    _reset_budgets(cluster.broker_url)
    base = _serp_count(cluster.database)
    args = [a for b in brands for a in ("--brand", b)]
    began = time.perf_counter()
    proc = cluster.serpaudit("crawl", mode, *args, env=QUIET)
    seen = 0
    try:
        while time.perf_counter() - began < BOUND_S:
            done = proc.poll() is not None
            count = _serp_count(cluster.database) - base
            now = time.perf_counter() - began
            night.stored_at += [now] * (count - seen)
            seen = count
            if kill is not None and night.killed_at is None and seen >= night.jobs // 3 and cluster.in_flight(kill):
                kill_tree(cluster.workers[kill])
                night.killed_at = now
            if done:
                break
            time.sleep(POLL_S)
        else:
            raise RuntimeError(f"{night.label}: not done in {BOUND_S} s")
    finally:
        kill_tree(proc)
    if proc.returncode not in (0, 1, 3) or seen != night.jobs:
        raise RuntimeError(f"{night.label}: serpaudit crawl {mode} exited {proc.returncode} with {seen} of "
                           f"{night.jobs} captures; see {cluster.root / 'coordinator.log'}")
    return night


def bench_workers(brands: tuple[str, ...] = TIMED_BRANDS[:BRANDS], scale: float = SCALE, kill: bool = True,
                  keep: Path | None = None, shared: bool = True) -> list[Night]:
    """Every night of the table, timed; raises RedisUnavailable where there is no redis-server.

    ``keep``: a folder to work in and leave behind (logs, database), instead of a temporary one; ``shared``:
    False leaves out the nights on one egress."""
    extra, spacing = scaled_settings(scale)
    nights: list[Night] = []
    with tempfile.TemporaryDirectory(prefix="serpaudit-bench-") as tmp:
        root = Path(keep or tmp)
        root.mkdir(parents=True, exist_ok=True)
        with redis_server(root) as url:
            cluster = Cluster(root, url, job_timeout_s=60, visibility_timeout_s=900, extra=extra)
            n = len(cluster.jobs(list(brands)))

            def night(label: str, budgets: int, mode: str = "--distributed", **kw: int) -> None:
                nights.append(_night(cluster, Night(label, budgets, n, spacing), brands, mode, **kw))

            try:
                night("local", 1, "--local")  # its lanes' browser launches fall in the first turn, left out
                for count in (1, 2, 4) if shared else ():  # one egress: one budget per engine, shared
                    cluster.start_workers(count - len(cluster.workers), env={"SERPAUDIT_EGRESS": "bench-shared"})
                    _night(cluster, Night("warm-up", 1, 6, spacing), (WARMUP_BRAND,), "--distributed")
                    night(f"{count} worker{'s' if count > 1 else ''}, one egress", 1)
                cluster.stop()
                cluster.workers = []
                for count in (2, 4):  # each its own egress: its own budget per engine
                    for i in range(len(cluster.workers), count):
                        cluster.start_workers(1, env={"SERPAUDIT_EGRESS": f"bench-{i}"})
                    _night(cluster, Night("warm-up", 1, 6, spacing), (WARMUP_BRAND,), "--distributed")
                    night(f"{count} workers, own egress", count)
                if kill:
                    night("4 workers, own egress, one killed", 4, kill=0)
            finally:
                cluster.stop()
    return nights


def table(nights: list[Night]) -> list[str]:
    local = nights[0]
    lines = [f"{'night':<36} {'length':>8} {'floor':>7} {'capt/min':>9} {'floor':>6} {'speed-up':>8}  bound by"]
    for night in nights:
        lines.append(f"{night.label:<36} {night.length_s:7.1f}s {night.floor_length_s:6.1f}s {night.per_min:9.1f} "
                     f"{night.floor_per_min:6.0f} {night.per_min / local.per_min:7.2f}x  {night.bound_by}")
    return lines


def scale4(nights: list[Night]) -> float:
    """4 workers with their own egress, captures/min over local's (target: at least 3.2x)."""
    by = {n.label: n for n in nights}
    return by["4 workers, own egress"].per_min / by["local"].per_min


def bench_rows(nights: list[Night]) -> list[tuple[str, str, str, bool | None]]:
    """Rows of `make bench`'s table: one per night, the speed-up target, the killed worker's delay."""
    local = nights[0]
    rows: list[tuple[str, str, str, bool | None]] = [
        (f"politeness-bound night, {n.label} ({n.jobs} jobs, spacing {n.spacing_s:.2f} s)",
         f"{n.length_s:.1f} s, {n.per_min:.0f} captures/min = {n.per_min / local.per_min:.2f}x local; politeness "
         f"floor {n.floor_per_min:.0f}/min: bound by {n.bound_by}", "", None) for n in nights]
    s4 = scale4(nights)
    rows.append(("4 workers with their own egress vs local, captures/min", f"{s4:.2f}x", ">= 3.2x", s4 >= 3.2))
    delay = kill_delay_s(nights)
    if delay is not None:
        rows.append(("a worker killed mid-night delays it by", f"{delay:.1f} s", "< 90 s", delay < 90))
    return rows


def kill_delay_s(nights: list[Night]) -> float | None:
    """How much longer the night with a killed worker took than the same night without (target: under 90 s)."""
    by = {n.label: n for n in nights}
    killed = by.get("4 workers, own egress, one killed")
    return None if killed is None else killed.length_s - by["4 workers, own egress"].length_s


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--brands", type=int, default=BRANDS, help="timed brands (x 3 engines x 2 devices), at most "
                        f"{len(TIMED_BRANDS)}")
    parser.add_argument("--scale", type=float, default=SCALE, help="real delays are divided by this")
    parser.add_argument("--no-kill", action="store_true", help="leave out the night with a killed worker")
    parser.add_argument("--no-shared", action="store_true", help="leave out the nights on one egress")
    parser.add_argument("--keep", type=Path, help="work in this folder and leave it (logs, database)")
    opts = parser.parse_args()
    try:
        nights = bench_workers(TIMED_BRANDS[:opts.brands], opts.scale, kill=not opts.no_kill, keep=opts.keep,
                               shared=not opts.no_shared)
    except RedisUnavailable as exc:
        print(f"bench_workers: skipped: {exc}", file=sys.stderr)
        return 0
    print("\n".join(table(nights)))
    delay = kill_delay_s(nights)
    print(f"scale4 {scale4(nights):.2f}x (target >= 3.2x)"
          + (f"; a killed worker delayed the night {delay:.1f} s (target < 90 s)" if delay is not None else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
