"""``serpaudit demo``: play the world's nights (serpaudit.app.demo) under a run lock and say how they scored."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from crawler.errors import BrowserNotFound
from serpaudit.app.config import settings_for
from serpaudit.app.errors import IncompleteError, InputError, LockedError
from serpaudit.night.outcome import Outcome, decide_demo
from serpaudit.night.pipeline import RunOutcome
from serpaudit.ops.lock import RunLock, RunLocked
from serpaudit.ops.logs import counted

log = logging.getLogger(__name__)


def demo(config: Path | None, world: Path | None, out: Path,
         nights: int | None = None) -> tuple[Outcome, dict[str, Any]]:
    """Play the demo; returns its outcome and what to print (``--json``: the dict as it is)."""
    from sandbox import DEFAULT_WORLD_PATH, WorldError, load_world  # lazy: the sandbox is for the demo only
    from serpaudit.app.demo import run_demo

    settings = settings_for(config)
    try:
        load_world(world or DEFAULT_WORLD_PATH)  # a bad world file is refused before anything is created
        with RunLock(out / "serpaudit.db", "demo"):
            # no progress callback: the crawl logs each job once itself
            result = run_demo(world or DEFAULT_WORLD_PATH, out, settings, nights=nights)
    except RunLocked as exc:
        raise LockedError(str(exc)) from exc
    except WorldError as exc:
        raise InputError(str(exc)) from exc
    except BrowserNotFound as exc:
        raise IncompleteError(str(exc)) from exc
    lines = [""]
    for n in result.nights:
        lines += _night_lines(n.night, n.score, n.run)
    if result.lifecycle or result.triage:
        lines += ["", f"lifecycle check over {counted(len(result.nights), 'night')}:"]
        lines += [f"  {t}" for t in result.triage]
        lines += [c.line() for c in result.lifecycle]
        lines.append("lifecycle OK: new, recurring, gone, reopened and dismissed findings as the world expects"
                     if result.lifecycle_ok else "lifecycle FAILED: the case file differs from the world's nights")
    lines += ["", f"database: {result.settings.database}", f"evidence: {result.settings.evidence_dir}"]
    lines += [f"reports:  {p.parent}" for p in result.run.reports[-1:]]
    lines.append("demo OK: findings match the world's ground truth" if result.perfect
                 else "demo FAILED: findings differ from the world's ground truth")
    score = result.score
    # captures the world did not expect to go unaudited (a drifted markup, say): the demo is incomplete
    unplanned = [f"night {n.night}: {e} {q!r} not audited, unexpectedly" for n in result.nights
                 for e, q in n.score.blocked_unexpected]
    differences = [f"night {n.night}: findings differ from the world's (precision {n.score.precision:.2f}, "
                   f"recall {n.score.recall:.2f})" for n in result.nights if not n.score.perfect]
    if not result.lifecycle_ok:
        differences.append("lifecycle: the case file differs from the world's nights")
    outcome = decide_demo(perfect=result.perfect, unplanned_not_audited=unplanned, differences=differences)
    return outcome, {
        "perfect": result.perfect, "status": outcome.status, "exit_code": outcome.exit_code,
        "reasons": list(outcome.reasons), "incomplete": bool(unplanned),
        "precision": score.precision, "recall": score.recall,
        "nights": [{"night": n.night, "precision": n.score.precision, "recall": n.score.recall,
                    "perfect": n.score.perfect, "run_id": n.run.run_id} for n in result.nights],
        "lifecycle": [{"night": c.night, "brand": c.brand, "finding": c.what, "want": c.want, "got": c.got,
                       "ok": c.ok} for c in result.lifecycle],
        "findings": result.run.findings, "not_audited": result.run.not_audited,
        "reports": [str(p) for p in result.run.reports], "out": str(out), "lines": lines,
    }  # fmt: skip


def _night_lines(night: int, score: Any, run: RunOutcome) -> list[str]:
    lines = [f"night {night}: precision {score.precision:.2f}  recall {score.recall:.2f}  "
             f"({counted(len(run.scams), 'finding')}, {len(run.inconclusive)} inconclusive, "
             f"{len(run.dismissed)} dismissed, {counted(len(run.not_audited), 'capture')} not audited)"]
    lines += [f"  MISSED: {b} {n}" for b, n in score.missed]
    lines += [f"  UNEXPECTED: {b} {n}" for b, n in score.unexpected]
    lines += [f"  INCONCLUSIVE MISSED: {b} {n}" for b, n in score.inconclusive_missed]
    lines += [f"  UNEXPECTED INCONCLUSIVE: {b} {n}" for b, n in score.inconclusive_unexpected]
    lines += [f"  BLOCK NOT REPORTED: {e} {q!r}" for e, q in score.blocked_missed]
    lines += [f"  NOT AUDITED, UNEXPECTEDLY: {e} {q!r}" for e, q in score.blocked_unexpected]
    lines += [f"  AD CLICK URL REQUESTED: {u}" for u in score.click_requests]
    lines += [f"  AI ANSWER NOT RECORDED: {m}" for m in score.answers_missed]
    lines += [f"  CAMPAIGN SPLIT: {m}" for m in score.campaigns_split]
    lines += [f"  not audited ({c['status']}): {c['engine']} {c['device']}"
              + (" landing page" if c.get("kind") == "landing" else "") + f" {c['query']!r}"
              + (f": {c['error']}" if c.get("error") else "") for c in run.not_audited]
    return lines
