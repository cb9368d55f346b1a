"""Logs and the night's display: ISO timestamps, a log file, live progress on a terminal, a summary.

- Every log line starts with an ISO-8601 UTC timestamp; ``log_file`` adds a file handler.
- On a terminal (stderr is a TTY) a rich progress bar shows jobs done/total, the ETA and the
  blocks so far; under cron (no TTY) the same facts come as plain log lines, one per job.
- :func:`summary_rows` turns a run's outcome into the table printed at the end (``--json``: as JSON).
"""

from __future__ import annotations

import logging
import sys
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


class NightDisplay:
    """A live progress bar on a terminal; nothing extra elsewhere (the per-job log lines suffice)."""

    def __init__(self, live: bool | None = None) -> None:
        self.live = sys.stderr.isatty() if live is None else live
        self.blocked = 0
        self._progress: Any = None
        self._task: Any = None
        self._handler: logging.Handler | None = None

    def __enter__(self) -> NightDisplay:
        return self

    def jobs(self, total: int, done: int) -> None:
        if not self.live or self._progress is not None:
            return
        # rich loads when a live night starts, not for `serpaudit --help` (the CLI imports this module)
        from rich.console import Console
        from rich.logging import RichHandler
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        console = Console(stderr=True)
        self._progress = Progress(TextColumn("[bold]night"), BarColumn(), MofNCompleteColumn(),
                                  TextColumn("ETA"), TimeRemainingColumn(), TextColumn("{task.fields[blocked]}"),
                                  console=console, transient=False)
        self._task = self._progress.add_task("jobs", total=total, completed=done, blocked="blocked: 0")
        # log lines print above the bar instead of tearing it
        root = logging.getLogger()
        self._handler = RichHandler(console=console, show_path=False, log_time_format="%Y-%m-%dT%H:%M:%S")
        self._handler.setLevel(root.level)
        self._muted = [h for h in root.handlers if getattr(h, "_serpaudit", False)
                       and isinstance(h, logging.StreamHandler) and not isinstance(h, logging.FileHandler)]
        for h in self._muted:
            root.removeHandler(h)
        root.addHandler(self._handler)
        self._progress.start()

    def capture(self, job: Any, status: str) -> None:
        if status in BLOCKED:
            self.blocked += 1
        if self._progress is not None:
            self._progress.update(self._task, advance=1, blocked=f"blocked: {self.blocked}")

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        if self._progress is not None:
            self._progress.stop()
            root = logging.getLogger()
            if self._handler is not None:
                root.removeHandler(self._handler)
            for h in self._muted:
                root.addHandler(h)
            self._progress = None


def summary_rows(store: Any, run_id: str) -> list[dict[str, Any]]:
    """One row per engine (jobs by status, results), for the table at the end of the night."""
    per: dict[str, Counter[str]] = {}
    results: Counter[str] = Counter()
    for c in store.captures(run_id):
        if c["device"] not in ("desktop", "mobile"):
            continue
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
        "inconclusive": len(outcome.findings) - len(outcome.scams), "not_audited": len(outcome.not_audited),
        "reasons": list(outcome.reasons), "reports": [str(p) for p in outcome.reports],
    }  # fmt: skip
