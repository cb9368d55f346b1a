"""What the desk's pages read and change: the one place where the web app meets the use cases and the store.

Every page goes through :class:`Desk`, so when the store's model changes (one case per ad instead of one
finding per rule) this module is the one to follow it. It calls the same use cases as the CLI
(:mod:`serpaudit.app.findings`) and, for what no use case returns yet (the brand's official numbers, a
result's box, a landing page's capture, the nights' captures), the store's own API; no SQL here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from audits.rules import RULES, not_audited
from audits.store_findings import STATES, STATUSES
from audits.triage import REPORT_PLATFORMS, report_channel
from crawler.engines import ENGINE_NAMES
from serpaudit.app import findings as use_cases
from serpaudit.app.config import store_for
from serpaudit.app.errors import InputError
from serpaudit.ops.outputs import run_folder_name
from serpaudit.settings import Settings
from serpaudit.web.files import EvidenceFiles
from serpaudit.web.shots import outlined_screenshot

# Why a case is at the top of the queue (in this order among cases of the same severity).
NEEDS_ACTION = ("reopened", "new", "follow-up due", "confirmed, not reported")
SEVERITY_ORDER = ("high", "medium", "low")
ACTIONS = tuple(use_cases.ACTIONS)  # confirm, dismiss, reported, resolve
SEARCHING = ("crawl", "run", "demo")
DOWNLOADS = (".zip", ".csv", ".xlsx", ".txt", ".html")
SUBMISSIONS = "submissions"  # under reports_dir: serpaudit.night.submissions.SUBMISSIONS_DIR


@dataclass(frozen=True)
class QueueFilter:
    """The queue's filters as the page's form sends them; empty text means no filter."""

    state: str = ""
    status: str = ""
    brand: str = ""
    engine: str = ""
    platform: str = ""
    rule: str = ""
    since: str = ""
    until: str = ""
    q: str = ""
    dismissed: bool = False

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> QueueFilter:
        text = {k: (params.get(k) or "").strip()[:200] for k in
                ("state", "status", "brand", "engine", "platform", "rule", "since", "until", "q")}  # fmt: skip
        return cls(**text, dismissed=params.get("dismissed") in ("1", "on", "true"))


@dataclass(frozen=True)
class Queue:
    rows: list[dict[str, Any]]
    needing_action: int
    by_state: dict[str, int]
    by_reason: dict[str, int]
    options: dict[str, tuple[str, ...]] = field(default_factory=dict)


def needs_action(f: Mapping[str, Any]) -> str:
    """Why the case needs an analyst tonight ('' when it does not)."""
    state, status = f.get("state") or "open", f.get("status") or ""
    if f.get("followup_due"):
        return "follow-up due"
    if state == "open" and status in ("new", "reopened"):
        return status
    if state == "confirmed":
        return "confirmed, not reported"
    return ""


def _rank(value: Any, order: tuple[str, ...]) -> int:
    return order.index(value) if value in order else len(order)


def _day(name: str, value: str) -> str:
    if not value:
        return ""
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise InputError(f"{name}: {value!r} is not a date (YYYY-MM-DD)") from None


class Desk:
    """The store behind one ``serpaudit serve``: ``config`` is the settings file the use cases read."""

    def __init__(self, settings: Settings, config: Path | None) -> None:
        self.settings = settings
        self.config = config
        self.files = EvidenceFiles(settings.evidence_dir)

    # -- the queue ----------------------------------------------------------------------------------
    def queue(self, flt: QueueFilter) -> Queue:
        for name, value, options in (("platform", flt.platform, REPORT_PLATFORMS),):
            if value and value not in options:
                raise InputError(f"{name}: {value!r} is not one of {', '.join(options)}")
        since, until = _day("since", flt.since), _day("until", flt.until)
        rows = use_cases.findings_list(self.config, state=flt.state or None, status=flt.status or None,
                                       brand=flt.brand or None, rule=flt.rule or None, engine=flt.engine or None,
                                       since=since or None, include_all=flt.dismissed)
        if until:
            rows = [r for r in rows if (r.get("last_seen") or "")[:10] <= until]
        if flt.platform:
            rows = [r for r in rows if flt.platform in (r.get("platforms") or [])]
        if flt.q:
            needle = flt.q.casefold()
            rows = [r for r in rows if needle in " ".join(str(r.get(k) or "") for k in (
                "id", "brand", "e164", "raw", "advertiser_domain", "domain", "title", "display_url",
                "campaign")).casefold()]  # fmt: skip
        for r in rows:
            r["needs_action"] = needs_action(r)
        rows.sort(key=lambda r: (r.get("last_seen") or "", r["id"]), reverse=True)  # newest first, then stably:
        # what needs action first, the worst of it first; then the rest, the worst first
        rows.sort(key=lambda r: (not r["needs_action"], _rank(r.get("severity"), SEVERITY_ORDER),
                                 _rank(r["needs_action"] or None, NEEDS_ACTION)))
        _, store = store_for(self.config)
        brands = tuple(sorted(b.name for b in store.brands()))
        return Queue(rows=rows, needing_action=sum(1 for r in rows if r["needs_action"]),
                     by_state=dict(Counter(r.get("state") or "open" for r in rows)),
                     by_reason=dict(Counter(r["needs_action"] for r in rows if r["needs_action"])),
                     options={"state": STATES, "status": STATUSES, "brand": brands, "engine": tuple(ENGINE_NAMES),
                              "platform": REPORT_PLATFORMS, "rule": RULES})  # fmt: skip

    # -- one case -----------------------------------------------------------------------------------
    def case(self, typed_id: str) -> dict[str, Any]:
        shown = use_cases.findings_show(self.config, typed_id)
        f = shown["finding"]
        f["needs_action"] = needs_action(f)
        _, store = store_for(self.config)
        officials = [r for r in store.official_rows(f["brand"]) if not r.get("removed")
                     and (r.get("published", 1) or r.get("manual"))]  # fmt: skip
        landing: list[dict[str, Any]] = []
        outline = None
        latest = shown["nights"][-1] if shown["nights"] else {}
        captures = {c["id"]: c for c in store.captures(latest["run_id"])} if latest else {}
        for s in latest.get("sightings", []):
            capture = captures.get(s["capture_id"]) or {}
            if s.get("capture_kind") == "landing":
                safe = self.files.safe_copy_url(capture.get("html_path"))
                if safe and all(p["url"] != safe for p in landing):
                    landing.append({"url": safe, "device": s.get("device"), "engine": s.get("engine"),
                                    "screenshot_url": self.files.url(capture.get("screenshot_path")),
                                    "final_url": capture.get("final_url") or ""})
            elif s.get("result_id"):
                result = store.result(s["result_id"]) or {}
                shot = outlined_screenshot(self.files, capture.get("screenshot_path"), result.get("box"),
                                           capture.get("device") or "desktop")
                # the box and screenshot of one capture: the one the case's crop was cut from, else the first
                if shot and (outline is None or result.get("evidence_path") == f.get("evidence_path")):
                    outline = shot
        for n in shown["nights"]:
            n["crop_url"] = self.files.url(n.get("evidence_path"))
            n["screenshot_url"] = self.files.url(n.get("screenshot_path"))
        return {**shown, "finding": f, "officials": officials, "landing_pages": landing,
                "crop_url": self.files.url(f.get("evidence_path")), "outline": outline,
                "screenshot_url": self.files.url(f.get("screenshot_path")),
                # where this case is reported: an ad's ad platform, an organic result's or an AI answer's engine
                "platforms": [report_channel(f)] if report_channel(f) else list(REPORT_PLATFORMS)}

    def act(self, action: str, ids: list[str], *, user: str, reason: str = "", platform: str = "",
            reference: str = "", on: str = "") -> list[dict[str, Any]]:
        """One triage action on one or more cases, recorded as ``user``; InputError says what was refused."""
        if action not in ACTIONS:
            raise InputError(f"{action!r} is not one of {', '.join(ACTIONS)}")
        if not ids:
            raise InputError("no case chosen: tick at least one")
        return use_cases.findings_set_state(self.config, action, ids, reason=reason, platform=platform,
                                            reference=reference, on=on or None, by=user)

    # -- campaigns ------------------------------------------------------------------------------------
    def campaigns(self) -> list[dict[str, Any]]:
        return use_cases.campaigns_list(self.config, include_single=True)

    def campaign(self, cid: str) -> dict[str, Any]:
        return use_cases.campaigns_show(self.config, cid)

    # -- nights ---------------------------------------------------------------------------------------
    def nights(self) -> list[dict[str, Any]]:
        """Every run that searched, newest first: what it audited, what it could not and why, its files."""
        _, store = store_for(self.config)
        out = []
        for run in reversed([r for r in store.runs() if r["command"] in SEARCHING]):
            captures = store.captures(run["id"], kind="serp")
            skipped = not_audited(captures)
            harvests = store.harvested_brands(run["id"])
            out.append({"run": run, "night": (run.get("started_at") or "")[:10], "captures": len(captures),
                        "audited": len(captures) - len(skipped), "not_audited": skipped,
                        "failed_harvests": {b: s for b, s in harvests.items() if s != "ok"},
                        "files": self._files(run)})  # fmt: skip
        return out

    def night_file(self, run_id: str, name: str) -> Path:
        """A file of the night's report folder, chosen by its name among those the nights page lists."""
        _, store = store_for(self.config)
        try:
            run = store.run(run_id)
        except KeyError:
            raise InputError(f"no night {run_id!r}") from None
        for f in self._files(run):
            if f["name"] == name:
                return Path(f["path"])
        raise InputError(f"night {run_id}: no file {name!r}")

    def _files(self, run: dict[str, Any]) -> list[dict[str, Any]]:
        found = []
        for limited in (False, True):
            folder = self.settings.reports_dir / run_folder_name(run, limited)
            if folder.is_dir():
                found += [{"name": p.name, "path": str(p), "bytes": p.stat().st_size}
                          for p in sorted(folder.iterdir()) if p.is_file() and p.suffix in DOWNLOADS]
        return found




class SubmitDesk:
    """The Submit page's half of the desk: the same use case as ``serpaudit submit`` (serpaudit.app.submit)."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    def candidates(self, platform: str) -> list[dict[str, Any]]:
        from serpaudit.app import submit

        return submit.candidates(self.desk.config, platform)

    def submit(self, platform: str, ids: list[str], *, send: bool, user: str) -> dict[str, Any]:
        from serpaudit.app import submit

        if not ids:
            raise InputError("no ad chosen: tick the ads to put in the submission")
        done = submit.submit(self.desk.config, platform, ids=ids, send=send, by=user).as_dict()
        done["folder_name"] = Path(done["folder"]).name if done.get("folder") else ""
        done["zip_name"] = Path(done["zip"]).name if done.get("zip") else ""
        return done

    def submissions(self) -> list[dict[str, Any]]:
        """The bundles built so far, newest first, with their files."""
        root = self.desk.settings.reports_dir / SUBMISSIONS
        folders = sorted((p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")),
                         key=lambda p: p.name, reverse=True) if root.is_dir() else []
        return [{"name": f.name, "files": [{"name": p.name, "bytes": p.stat().st_size} for p in sorted(f.iterdir())
                                           if p.is_file()]} for f in folders]

    def submission_file(self, folder: str, name: str) -> Path:
        for sub in self.submissions():
            if sub["name"] == folder and any(f["name"] == name for f in sub["files"]):
                return self.desk.settings.reports_dir / SUBMISSIONS / folder / name
        raise InputError(f"no file {name!r} in submission {folder!r}")
