"""Benchmark: the crawler's seconds per capture beside a bare Playwright loop, its peak memory, start-up.

The bare loop is the floor: ONE Chromium (as the crawler's night since issue 22), the same pages (the default
world's search jobs on the sandbox web), the same context options and the same screenshot settings, a context
per engine and device with one reused page each, its engines' loops ``concurrency`` at once (Playwright's async
API, one driver), and nothing else — load each page, wait for an AI answer still being written, and take its
full-page screenshot.  Browser launches are timed on both sides.

The answer wait is part of the floor: a capture taken before the answer is written records it "unfinished"
and misses the numbers it quotes, so any crawler must wait for it.  The bare loop waits the way a page says it
is still writing (an element ``aria-busy="true"``, as every answer of the sandbox shows while it writes), at
most the crawler's own ``ANSWER_WAIT_MS``: the world's answers that never finish cost both sides the same 5 s.
The loop without that wait (``bare_nowait_s``) is timed in the same rounds too and printed beside it.

The crawler does the real work on top: ready wait, HTML, parse, result boxes and crops, evidence files and rows
in SQLite (blocked pages are recorded once, not retried: the bare loop loads each page once too).  Both are
timed in the same run, rounds alternating which goes first, and compared as a ratio (the machine is shared).

Peak memory is the PSS of the whole process tree (this Python, Playwright's driver, every Chromium
process), summed from /proc/<pid>/smaps_rollup and sampled while the crawler runs, at each concurrency
(``pss1`` is the one-lane figure).

The sandbox web runs in a process of its own, for both sides, and is left out of the memory: on a real night
the pages come from elsewhere.  Served from this process, its request threads (TLS handshakes, pages built in
Python) took turns on the GIL with the crawler's own Python work, which the bare loop barely has, and its
request log grew inside the measured tree.

``BENCH_ROUNDS`` (default 3) and ``BENCH_JOBS`` (default: all) make a quick run shorter.
"""

from __future__ import annotations

import os
import select
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_EVERY_S = 0.1


# -- memory -------------------------------------------------------------------------------------------

def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:  # gone meanwhile
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        kids.setdefault(ppid, []).append(int(entry))
    return kids


def tree_pids(root: int, skip: Collection[int] = ()) -> list[int]:
    """``root`` and all its descendants, but those in ``skip`` and theirs."""
    kids = _children()
    todo, found = [root], []
    while todo:
        pid = todo.pop()
        if pid in skip:
            continue
        todo.extend(kids.get(pid, ()))
        found.append(pid)
    return found


def tree_pss_mb(root: int, skip: Collection[int] = ()) -> float:
    """PSS of ``root`` and all its descendants (but those in ``skip`` and theirs), in MB."""
    total_kb = 0
    for pid in tree_pids(root, skip):
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total_kb += int(line.split()[1])
                    break
        except OSError:
            continue
    return total_kb / 1024


def _sample_until_stdin_closes(root: int, skip: Collection[int] = ()) -> None:
    """The sampler process: prints the peak tree PSS of ``root`` (but ``skip``) once its stdin closes."""
    peak = 0.0
    while True:
        peak = max(peak, tree_pss_mb(root, skip={os.getpid(), *skip}))
        ready, _, _ = select.select([sys.stdin], [], [], SAMPLE_EVERY_S)
        if ready and not sys.stdin.read(1):
            break
    print(f"{peak:.1f}")


class PeakPss:
    """``with PeakPss() as peak: ...; peak.mb``: the highest process-tree PSS seen while inside.

    Sampled from a separate process, so that walking /proc costs the measured process nothing; the processes
    in ``skip`` (the sandbox web's) and their children are left out.
    """

    def __init__(self, skip: Collection[int] = ()) -> None:
        self.mb = 0.0
        self.skip = tuple(skip)
        self._proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> PeakPss:
        self._proc = subprocess.Popen([sys.executable, __file__, "--sample-pss", str(os.getpid()),
                                       *map(str, self.skip)],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._proc is not None
        out, _ = self._proc.communicate(timeout=60)
        self.mb = float(out.strip() or 0)


# -- the sandbox web, in a process of its own ------------------------------------------------------

class SandboxProcess:
    """``with SandboxProcess(world_path) as web: web.address, web.pid``: the world's sandbox web served by a
    child process (``--serve-sandbox``) until this closes its stdin."""

    def __init__(self, world_path: Path) -> None:
        self.world_path = world_path
        self.address = ""
        self._proc: subprocess.Popen[str] | None = None

    @property
    def pid(self) -> int:
        assert self._proc is not None
        return self._proc.pid

    def __enter__(self) -> SandboxProcess:
        self._proc = subprocess.Popen([sys.executable, __file__, "--serve-sandbox", str(self.world_path)],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
        assert self._proc.stdout is not None
        ready, _, _ = select.select([self._proc.stdout], [], [], 60)
        line = self._proc.stdout.readline().strip() if ready else ""
        if not line.startswith("127."):
            self.__exit__()
            raise RuntimeError(f"the sandbox web did not start (it said {line!r})")
        self.address = line
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._proc is not None
        try:
            self._proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait(timeout=10)


def _serve_sandbox_until_stdin_closes(world_path: str) -> None:
    from sandbox import SandboxWeb, load_world
    from sandbox.server import SandboxServer

    with SandboxServer(SandboxWeb(load_world(Path(world_path)))) as server:
        print(server.address, flush=True)
        while sys.stdin.read(1):
            pass


# -- the two loops ------------------------------------------------------------------------------------

@dataclass
class World:
    """The default world served on loopback, its search jobs and their URLs."""

    settings: Any
    brands: list[Any]
    jobs: list[Any]
    urls: list[tuple[str, str, str]]  # (engine, device, url), aligned with jobs
    address: str = ""
    tmp: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="serpaudit-bench-")))


# true once no element of the page says it is still being written (the AI answers' aria-busy)
_WRITTEN_JS = "() => !document.querySelector('[aria-busy=\"true\"]')"


def _bare(config: Any, urls: list[tuple[str, str, str]], concurrency: int, *, answers: bool = True) -> float:
    """Seconds for the bare loop: one Chromium, a context per engine and device, ``concurrency`` engines at once;
    with ``answers``, each page's AI answer waited for (at most ``ANSWER_WAIT_MS``) before its screenshot."""
    import asyncio

    from playwright.async_api import TimeoutError as PlaywrightTimeout
    from playwright.async_api import async_playwright

    from crawler.browser import ANSWER_WAIT_MS, FULL_PAGE_SCALE, Browser
    from crawler.browser_launch import find_chromium, launch_options

    by_engine: dict[str, list[tuple[str, str]]] = {}
    for engine, device, url in urls:
        by_engine.setdefault(engine, []).append((device, url))

    async def run() -> None:
        async with async_playwright() as pw:
            options = Browser(config)  # the crawler's own context options, asked of no browser
            options._pw = pw
            browser = await pw.chromium.launch(**launch_options(config, find_chromium(config.executable)))
            turns = asyncio.Semaphore(concurrency)

            async def lane(engine_urls: list[tuple[str, str]]) -> None:
                async with turns:
                    pages: dict[str, Any] = {}
                    for device, url in engine_urls:
                        if device not in pages:
                            ctx = await browser.new_context(**options._context_options(device))
                            pages[device] = await ctx.new_page()
                        await pages[device].goto(url, wait_until="load")
                        if answers:
                            try:
                                await pages[device].wait_for_function(_WRITTEN_JS, timeout=ANSWER_WAIT_MS)
                            except PlaywrightTimeout:
                                pass  # never finished: the crawler records it "unfinished" after the same wait
                        await pages[device].screenshot(full_page=True, scale=FULL_PAGE_SCALE)
                    for page in pages.values():
                        await page.context.close()

            await asyncio.gather(*(lane(u) for u in by_engine.values()))
            await browser.close()

    t = time.perf_counter()
    asyncio.run(run())
    return time.perf_counter() - t


def _crawler(world: World, concurrency: int, label: str) -> float:
    """Seconds for the crawl stage over the world's jobs, with all its evidence, in a fresh store."""
    from audits.store import Store
    from serpaudit.crawl.browsers import NightChromium
    from serpaudit.crawl.evidence import EvidenceFolder
    from serpaudit.crawl.jobs import crawl

    # the same page loads as the bare loop: a blocked page is captured and recorded once, neither retried nor
    # waited for (back-off and retries are politeness, like min_delay_s, which the sandbox settings zero too)
    settings = replace(world.settings, concurrency=concurrency, block_retries=0, backoff_s=0.0, backoff_max_s=0.0)
    store = Store(world.tmp / f"{label}.db")
    store.upsert_brands(world.brands)
    run_id = store.start_run("bench", "2026-01-01T00:00:00+00:00")
    evidence = EvidenceFolder(world.tmp / f"{label}-evidence", run_id)

    t = time.perf_counter()
    with NightChromium(settings, world.address) as chromium:  # the night's one Chromium, its lanes' views
        summary = crawl(settings, store, world.jobs, run_id, evidence, open_browser=chromium.open, seed="bench")
    took = time.perf_counter() - t
    if sum(summary.by_status.values()) != len(world.jobs) or summary.by_status.get("error"):
        raise RuntimeError(f"the crawl did not capture every job: {summary.by_status}")
    return took


@dataclass(frozen=True)
class CaptureFigures:
    concurrency: int
    crawler_s: float  # median seconds per capture
    bare_s: float  # the floor: load, the AI answer's wait, screenshot
    ratio: float  # median of the per-round ratios
    bare_nowait_s: float  # the bare loop without the AI answer's wait
    ratio_nowait: float
    peak_pss_mb: float
    rounds: int
    captures: int


def capture_figures(concurrency: int = 1, rounds: int | None = None, progress: Callable[[str], None] | None = None
                    ) -> CaptureFigures:
    """Crawler vs bare loop over the default world, ``rounds`` times, alternating which goes first."""
    from sandbox import DEFAULT_WORLD_PATH, load_world, world_brands
    from serpaudit.app.demo import demo_settings
    from serpaudit.crawl.browsers import browser_config
    from serpaudit.crawl.jobs import jobs_for

    rounds = rounds or int(os.environ.get("BENCH_ROUNDS", "3"))
    world_def = load_world(DEFAULT_WORLD_PATH)
    tmp = Path(tempfile.mkdtemp(prefix="serpaudit-bench-"))
    settings = demo_settings(world_def, tmp)
    brands = world_brands(world_def)
    jobs = jobs_for(brands, settings.engines, settings.query_templates, settings.devices)
    jobs = jobs[: int(os.environ.get("BENCH_JOBS") or len(jobs))]
    urls = [(j.engine, j.device, _engine_url(j, settings)) for j in jobs]
    world = World(settings, brands, jobs, urls, tmp=tmp)
    crawler_s: list[float] = []
    bare_s: list[float] = []
    nowait_s: list[float] = []
    peak = 0.0
    with SandboxProcess(DEFAULT_WORLD_PATH) as server:
        world.address = server.address
        config = browser_config(settings, server.address)
        for r in range(rounds):
            order = ("bare", "nowait", "crawler") if r % 2 == 0 else ("crawler", "nowait", "bare")
            for which in order:  # fresh Chromiums each time (launch included in both): no cookies, no cache
                if which == "bare":
                    bare_s.append(_bare(config, urls, concurrency) / len(jobs))
                elif which == "nowait":
                    nowait_s.append(_bare(config, urls, concurrency, answers=False) / len(jobs))
                else:
                    with PeakPss(skip=[server.pid]) as sampler:
                        crawler_s.append(_crawler(world, concurrency, f"c{concurrency}r{r}") / len(jobs))
                    peak = max(peak, sampler.mb)
            if progress:
                progress(f"C={concurrency} round {r + 1}/{rounds}: crawler {crawler_s[-1]:.2f} s, "
                         f"bare {bare_s[-1]:.2f} s ({nowait_s[-1]:.2f} s without the answers' wait) per capture")
    ratios = [c / b for c, b in zip(crawler_s, bare_s, strict=True)]
    ratios_nowait = [c / b for c, b in zip(crawler_s, nowait_s, strict=True)]
    return CaptureFigures(concurrency, statistics.median(crawler_s), statistics.median(bare_s),
                          statistics.median(ratios), statistics.median(nowait_s), statistics.median(ratios_nowait),
                          peak, rounds, len(jobs))


def _engine_url(job: Any, settings: Any) -> str:
    from crawler.engines import get_engine

    return get_engine(job.engine).search_url(job.query, language=settings.language, region=settings.region,
                                             device=job.device)


# -- start-up -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StartupFigures:
    help_s: float  # median wall time of `serpaudit --help`
    python_s: float  # median wall time of a bare `python -c pass`, the floor on this machine now


def startup_figures(repeat: int = 7) -> StartupFigures:
    exe = Path(sys.executable).parent / "serpaudit"

    def median_of(cmd: list[str]) -> float:
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, timeout=60)
            times.append(time.perf_counter() - t)
        return statistics.median(times)

    return StartupFigures(median_of([str(exe), "--help"]), median_of([sys.executable, "-c", "pass"]))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--sample-pss"]:
        _sample_until_stdin_closes(int(sys.argv[2]), [int(pid) for pid in sys.argv[3:]])
        sys.exit(0)
    if sys.argv[1:2] == ["--serve-sandbox"]:
        sys.path.insert(0, str(ROOT))
        _serve_sandbox_until_stdin_closes(sys.argv[2])
        sys.exit(0)
    figures = capture_figures(progress=lambda m: print(m, file=sys.stderr))
    print(figures)
    print(startup_figures())
