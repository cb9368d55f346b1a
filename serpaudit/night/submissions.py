"""Platform submissions: which ads a platform is offered, and the bundle built from them.

:func:`submittable` is the one place that says which ads go to a platform: ads of that platform (an ad
seen on Google goes to Google Ads, on Bing or DuckDuckGo to Microsoft Advertising), judged scam or suspect,
``open`` or ``confirmed`` (``states``), still live (not ``gone``), never delivered to that platform and not
waiting in the outbox for it, whichever night they were first seen.  ``serpaudit submit``, the web's
Submit page and the nightly mail of the confirmed ads all choose through it.

:func:`build_submission` writes the bundle into a new folder, ``<reports_dir>/submissions/<platform>-<UTC
time>/`` (a temporary folder renamed into place: never a half bundle, never one written over another),
and records it in the store (``submissions``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from audits.ids import stable_id
from audits.store import Store
from reports import ReportContext
from reports.bundle import sha256_file
from reports.context import platforms_of
from reports.platforms import PLATFORM_NAMES, PLATFORMS, REPORTABLE_VERDICTS
from reports.submission import write_submission
from serpaudit.settings import Settings

SUBMITTABLE_STATES = ("open", "confirmed")
# an ad named by id may also go again once reported (a second report of an ad still live)
NAMED_STATES = (*SUBMITTABLE_STATES, "reported")
SUBMISSIONS_DIR = "submissions"


class NotSubmittable(ValueError):
    """An ad named for a submission that cannot go to that platform; the message says why."""


@dataclass(frozen=True)
class Submission:
    """A bundle built for a platform: where it is and what it holds."""

    id: str
    platform: str
    created_at: str
    by: str
    folder: Path
    csv_path: Path
    zip_path: Path
    zip_sha256: str
    finding_ids: tuple[str, ...]
    ads: tuple[dict[str, Any], ...]

    @property
    def paths(self) -> list[Path]:
        return sorted(p for p in self.folder.rglob("*") if p.is_file())


def ad_platforms(f: Mapping[str, Any]) -> list[str]:
    """The ad platform of an ad case (its channel); none for an organic result or an AI answer. A row
    without a case kind (written before cases) says it in its platforms."""
    if f.get("case_kind"):  # none when no reason is for a platform (the brand's own outdated ad: analysts only)
        ad = f["case_kind"] == "ad" and f.get("channel") in PLATFORMS and platforms_of(f)
        return [str(f["channel"])] if ad else []
    return platforms_of(f)


def why_not(f: Mapping[str, Any], platform: str, taken: set[str], states: Sequence[str]) -> str | None:
    """Why the ad ``f`` is not offered to ``platform`` (None: it is). ``taken``: ads the platform has or
    will get (delivered, or waiting in the outbox)."""
    if platform not in ad_platforms(f):
        seen = ", ".join(PLATFORM_NAMES.get(p, p) for p in ad_platforms(f))
        kind = str(f.get("case_kind") or "result")
        where = (f"seen on {seen}" if seen else "the brand's own ad: for the analysts only" if kind == "ad"
                 else f"{ {'organic': 'an organic result', 'ai_answer': 'an AI answer'}.get(kind, kind)}, not an ad")
        return f"not an ad on {PLATFORM_NAMES.get(platform, platform)} ({where})"
    if f.get("verdict") not in REPORTABLE_VERDICTS:
        return f"judged {f.get('verdict') or 'nothing'}, not a scam or suspect"
    state = str(f.get("state") or "open")
    if state not in states:
        return f"its state is {state} (offered: {', '.join(states)})"
    if f.get("status") == "gone":
        return "gone: not seen on the last audited nights"
    if str(f.get("id")) in taken:
        return f"already sent or waiting in the outbox for {PLATFORM_NAMES.get(platform, platform)}"
    return None


def taken_ids(store: Store, platform: str) -> set[str]:
    return store.delivered_finding_ids(platform) | store.queued_finding_ids(platform)


def submittable(store: Store, platform: str, *, states: Sequence[str] = SUBMITTABLE_STATES) -> list[dict[str, Any]]:
    """Every ad ``platform`` is offered now (the module's docstring says which)."""
    taken = taken_ids(store, platform)
    return [f for f in store.query_findings() if why_not(f, platform, taken, states) is None]


def named(store: Store, platform: str, ids: Iterable[str]) -> list[dict[str, Any]]:
    """The ads ``ids`` names, each checked for ``platform``; :class:`NotSubmittable` for one that cannot go.

    Delivered before is allowed (a second report); waiting in the outbox is not (it goes once).
    """
    queued = store.queued_finding_ids(platform)
    out = []
    for fid in dict.fromkeys(ids):
        f = store.finding(fid)
        if f is None:
            raise NotSubmittable(f"no ad {fid!r}")
        problem = why_not(f, platform, queued, NAMED_STATES)
        if problem:
            raise NotSubmittable(f"{fid}: {problem}")
        out.append(f)
    return out


def report_reason(f: Mapping[str, Any]) -> str:
    """Why the ad goes now, as the platform's CSV says it."""
    state, status = str(f.get("state") or "open"), str(f.get("status") or "new")
    if state == "confirmed":
        return "confirmed by an analyst"
    if state == "reported":
        return f"still live after the report of {f.get('reported_at') or 'an earlier day'}"
    return "still live, not yet reported" if status == "recurring" else status


def submission_context(settings: Settings, store: Store, now: str) -> ReportContext:
    brands = [b.name for b in store.brands()]
    return ReportContext(region=settings.region, language=settings.language, now=now, brands=brands,
                         officials={b: store.official_rows(b) for b in brands},
                         followup_days=int(settings.followup_days))  # fmt: skip


def build_submission(settings: Settings, store: Store, platform: str, ads: Sequence[Mapping[str, Any]], *,
                     by: str, now: str, run_id: str | None = None) -> Submission:
    """Write ``ads``' bundle for ``platform`` into a new folder and record it; ``by``: who built it."""
    if platform not in PLATFORMS:
        raise NotSubmittable(f"unknown platform {platform!r} (known: {', '.join(PLATFORMS)})")
    root = settings.reports_dir / SUBMISSIONS_DIR
    root.mkdir(parents=True, exist_ok=True)
    stamp = datetime.fromisoformat(now).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    final = root / f"{platform}-{stamp}"
    n = 1
    while final.exists():  # two in one second: a new folder all the same
        n += 1
        final = root / f"{platform}-{stamp}-{n}"
    tmp = root / f".tmp-{final.name}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    rows = [{**a, "report_reason": report_reason(a)} for a in ads]
    bundle = write_submission(rows, tmp, platform, submission_context(settings, store, now))
    try:
        os.rename(tmp, final)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    ids = tuple(bundle.sent[platform])
    zip_path = final / bundle.platform_zips[platform].name
    sid = stable_id(platform, now, final.name)
    sub = Submission(sid, platform, now, by, final, final / bundle.platform_csvs[platform].name, zip_path,
                     sha256_file(zip_path), ids, tuple(dict(a) for a in ads))
    store.record_submission({"id": sid, "platform": platform, "created_at": now, "by": by, "folder": str(final),
                             "zip_path": str(zip_path), "zip_sha256": sub.zip_sha256, "finding_ids": list(ids),
                             "run_id": run_id})  # fmt: skip
    return sub
