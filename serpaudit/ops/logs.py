"""Logs and the night's display: ISO timestamps, a log file, live progress on a terminal, a summary.

- Every log line starts with an ISO-8601 UTC timestamp; ``log_file`` adds a file handler.
- On a terminal (stderr is a TTY) a rich progress bar shows jobs done/total, the ETA, the blocks so far and
  an engine's pause after a block; log lines print above it in the same format. Under cron (no TTY) the
  same facts come as plain log lines, one per job.
- :func:`summary_rows` turns a run's outcome into the table printed at the end (``--json``: as JSON).
"""

from __future__ import annotations

import logging
import sys
import threading
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
BLOCKED = ("captcha", "blocked")


class IsoFormatter(logging.Formatter):
    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="seconds")


def setup_logging(level: int) -> None:
    root = logging.getLogger()
    for h in list(root.handlers):
        if getattr(h, "_serpaudit", False):
            root.removeHandler(h)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(IsoFormatter(FORMAT))
    handler._serpaudit = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("asyncio", "filelock"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def add_log_file(path: str) -> None:
    """Append the log to ``path`` too (once per process and path)."""
    if not path:
        return
    target = str(Path(path).resolve())
    root = logging.getLogger()
    if any(getattr(h, "baseFilename", None) == target for h in root.handlers):
        return
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(target, encoding="utf-8")
    handler.setFormatter(IsoFormatter(FORMAT))
    handler._serpaudit = True  # type: ignore[attr-defined]
    root.addHandler(handler)


class _ConsoleHandler(logging.Handler):
    """Log lines printed above the live progress bar, in the one format of every other line (FORMAT)."""

    def __init__(self, console: Any, level: int) -> None:
        super().__init__(level)
        self.console = console
        self.setFormatter(IsoFormatter(FORMAT))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.console.print(self.format(record), markup=False, highlight=False, emoji=False, soft_wrap=True)
        except Exception:  # a log line must never end the night
            self.handleError(record)


class NightDisplay:
    """A live progress bar on a terminal; nothing extra elsewhere (the per-job log lines suffice).

    The bar counts jobs, not attempts: a blocked job retried later in the night counts once, so it ends
    at N/N. An engine pausing after a block shows as "google paused until 12:53:51 UTC" until it searches again.
    """

    def __init__(self, live: bool | None = None) -> None:
        self.live = sys.stderr.isatty() if live is None else live
        self.blocked = 0
        self._progress: Any = None
        self._task: Any = None
        self._handler: logging.Handler | None = None
        self._muted: list[logging.Handler] = []
        self._total = 0
        self._done_before = 0
        self._seen: set[Any] = set()
        self._paused: dict[str, str] = {}
        self._lock = threading.Lock()  # lanes report pauses from their threads

    def __enter__(self) -> NightDisplay:
        return self

    def jobs(self, total: int, done: int) -> None:
        self._total, self._done_before = total, done
        if not self.live or self._progress is not None:
            return
        # rich loads when a live night starts, not for `serpaudit --help` (the CLI imports this module)
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        console = Console(stderr=True)
        self._progress = Progress(TextColumn("[bold]jobs"), BarColumn(), MofNCompleteColumn(),
                                  TextColumn("ETA"), TimeRemainingColumn(), TextColumn("{task.fields[blocked]}"),
                                  TextColumn("{task.fields[paused]}"), console=console, transient=False)
        self._task = self._progress.add_task("jobs", total=total, completed=done, blocked="blocked: 0", paused="")
        # log lines print above the bar instead of tearing it, in the same format as before the bar
        root = logging.getLogger()
        self._handler = _ConsoleHandler(console, root.level)
        self._muted = [h for h in root.handlers if getattr(h, "_serpaudit", False)
                       and isinstance(h, logging.StreamHandler) and not isinstance(h, logging.FileHandler)]
        for h in self._muted:
            root.removeHandler(h)
        root.addHandler(self._handler)
        self._progress.start()

    @property
    def completed(self) -> int:
        """Jobs done: those done before this process, and each job captured since, once however often tried."""
        return min(self._done_before + len(self._seen), self._total) if self._total else len(self._seen)

    def capture(self, job: Any, status: str) -> None:
        if status in BLOCKED:
            self.blocked += 1
        with self._lock:
            self._seen.add(job)
            self._paused.pop(getattr(job, "engine", ""), None)
        self._refresh()

    def pause(self, engine: str, seconds: float) -> None:
        """``engine`` sits out ``seconds`` after a block (called from its lane's thread)."""
        until = datetime.fromtimestamp(datetime.now(UTC).timestamp() + seconds, UTC)
        with self._lock:
            self._paused[engine] = until.strftime("%H:%M:%S")
        self._refresh()

    def _refresh(self) -> None:
        if self._progress is None:
            return
        with self._lock:
            paused = ", ".join(f"{e} paused until {t} UTC" for e, t in sorted(self._paused.items()))
            self._progress.update(self._task, completed=self.completed, blocked=f"blocked: {self.blocked}",
                                  paused=paused)

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        if self._progress is not None:
            self._paused.clear()
            self._refresh()
            self._progress.stop()
            root = logging.getLogger()
            if self._handler is not None:
                root.removeHandler(self._handler)
            for h in self._muted:
                root.addHandler(h)
            self._progress = None


def counted(n: int, word: str, plural: str | None = None) -> str:
    """``1 finding``, ``2 findings``: a count with its noun as a person writes it."""
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def counts_in_words(counts: dict[str, Any]) -> str:
    """``{"ok": 8, "failed": 1}`` as a person reads it: ``8 ok, 1 failed``."""
    return ", ".join(f"{n} {str(what).replace('_', ' ')}" for what, n in counts.items()) or "none"


def run_in_words(summary: dict[str, Any]) -> str:
    """A run's stored summary as one line of words (never a Python dict in the log)."""
    parts = []
    if summary.get("harvest"):
        parts.append(f"harvests {counts_in_words(dict(Counter(summary['harvest'].values())))}")
    if summary.get("captures"):
        parts.append(f"captures {counts_in_words(summary['captures'])}")
    if "landing_pages" in summary:
        parts.append(counted(summary["landing_pages"], "landing page"))
    if summary.get("answer_sources"):
        parts.append(f"AI-answer sources {counts_in_words(summary['answer_sources'])}")
    if "findings" in summary:
        dismissed = f"{summary['dismissed']} dismissed, " if summary.get("dismissed") else ""
        parts.append(f"{counted(summary['findings'], 'finding')}, {summary.get('inconclusive', 0)} inconclusive, "
                     f"{dismissed}{summary.get('not_audited', 0)} not audited")
    if summary.get("browser_relaunches"):
        parts.append(f"browser relaunches {counts_in_words(summary['browser_relaunches'])}")
    if summary.get("resumed"):
        parts.append(f"resumed {summary['resumed']}x")
    return "; ".join(parts) or "nothing done"


def summary_rows(store: Any, run_id: str) -> list[dict[str, Any]]:
    """One row per engine (jobs by status, results), for the table at the end of the night."""
    per: dict[str, Counter[str]] = {}
    results: Counter[str] = Counter()
    for c in store.captures(run_id, kind="serp"):
        per.setdefault(c["engine"], Counter())[c["status"]] += 1
        results[c["engine"]] += c.get("result_count") or 0
    rows = []
    for engine in sorted(per):
        n = per[engine]
        rows.append({"engine": engine, "jobs": sum(n.values()), "ok": n["ok"], "empty": n["empty"],
                     "blocked": sum(n[s] for s in BLOCKED), "other": sum(v for k, v in n.items()
                                                                        if k not in ("ok", "empty", *BLOCKED)),
                     "results": results[engine]})
    return rows


def night_summary(store: Any, outcome: Any) -> dict[str, Any]:
    run = store.run(outcome.run_id)
    harvest = run["summary"].get("harvest") or {}
    return {
        "run": outcome.run_id, "status": run["status"], "exit_code": outcome.exit_code,
        "started_at": run["started_at"], "finished_at": run["finished_at"], "seed": run["summary"].get("seed"),
        "resumed": run["summary"].get("resumed", 0), "engines": summary_rows(store, outcome.run_id),
        "harvests": dict(Counter(harvest.values())), "findings": len(outcome.scams),
        "inconclusive": len(outcome.inconclusive), "dismissed": len(outcome.dismissed),
        "not_audited": len(outcome.not_audited),
        "reasons": list(outcome.reasons), "reports": [str(p) for p in outcome.reports],
    }  # fmt: skip
