"""The demo: the whole pipeline against the sandbox web, scored against the world.

The world file plants scam numbers and says which ones must be found
(``expect``) and which captures must come back blocked.  The demo reports the
precision and recall of what the rules found (each reason of each case: one ad on
a lookalike domain showing a number is one case with two reasons) against that
ground truth.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from audits.store import Store
from sandbox import SandboxWeb, WorldError, load_world, world_brands
from sandbox.server import SandboxServer
from serpaudit.app.demo_nights import LifecycleCheck, apply_triage, check_answers, check_campaigns, check_lifecycle
from serpaudit.app.demo_out import clear_previous_demo
from serpaudit.night.pipeline import RunOutcome, run_pipeline
from serpaudit.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class DemoScore:
    precision: float
    recall: float
    missed: list[tuple[str, str]] = field(default_factory=list)
    unexpected: list[tuple[str, str]] = field(default_factory=list)
    inconclusive_missed: list[tuple[str, str]] = field(default_factory=list)
    inconclusive_unexpected: list[tuple[str, str]] = field(default_factory=list)
    blocked_missed: list[tuple[str, str]] = field(default_factory=list)
    blocked_unexpected: list[tuple[str, str]] = field(default_factory=list)
    click_requests: list[str] = field(default_factory=list)
    # [[expect_answer]] not recorded as the world says, [[expect_campaign]] not one campaign (demo_nights.py)
    answers_missed: list[str] = field(default_factory=list)
    campaigns_split: list[str] = field(default_factory=list)

    @property
    def perfect(self) -> bool:
        return (self.precision == 1.0 and self.recall == 1.0 and not self.inconclusive_missed
                and not self.inconclusive_unexpected and not self.blocked_missed and not self.blocked_unexpected
                and not self.click_requests and not self.answers_missed and not self.campaigns_split)


@dataclass
class NightResult:
    night: int
    run: RunOutcome
    score: DemoScore


@dataclass
class DemoOutcome:
    out_dir: Path
    run: RunOutcome  # the last night's
    score: DemoScore  # the last night's
    settings: Settings
    nights: list[NightResult] = field(default_factory=list)
    lifecycle: list[LifecycleCheck] = field(default_factory=list)
    triage: list[str] = field(default_factory=list)

    @property
    def lifecycle_ok(self) -> bool:
        return all(c.ok for c in self.lifecycle) and not any(t.startswith("TRIAGE FAILED") for t in self.triage)

    @property
    def perfect(self) -> bool:
        return all(n.score.perfect for n in self.nights) and self.lifecycle_ok


def demo_settings(world: Any, out_dir: Path, base: Settings | None = None) -> Settings:
    base = base or Settings()
    crawl = world.crawl
    return Settings(
        database=out_dir / "serpaudit.db", evidence_dir=out_dir / "evidence", reports_dir=out_dir / "reports",
        engines=tuple(crawl["engines"]), devices=tuple(crawl["devices"]),
        query_templates=tuple(crawl["query_templates"]), region=world.region, language=world.language,
        browser_path=base.browser_path, headless=base.headless, timeout_ms=base.timeout_ms, retries=base.retries,
        max_contact_pages=base.max_contact_pages, visit_landing_pages=True,
        # the sandbox web is ours: no politeness budget to keep
        min_delay_s=0.0, jitter_s=0.0, max_per_hour=0, backoff_s=0.5, backoff_max_s=2.0,
        concurrency=base.concurrency, seed=base.seed,
    )


def run_demo(world_path: Path, out_dir: Path, base: Settings | None = None, progress=None,
             nights: int | None = None, keep_nights: bool = False) -> DemoOutcome:
    """Play the world's nights (or the first ``nights``) against one database, a day apart.

    ``keep_nights``: a copy of the database as each night left it, ``<out_dir>/night-<n>.db`` (after that
    night's triage), for tests that look at an earlier night.

    Each night is scored against that night's expectations; after it, the lifecycle is checked and the
    world's triage actions are applied, as an analyst would between nights. An earlier demo's database,
    evidence and reports in ``out_dir`` are replaced (:func:`clear_previous_demo`; anything else is refused).
    """
    world = load_world(world_path)
    count = nights or world.nights
    if not 1 <= count <= world.nights:
        raise WorldError(f"{Path(world_path).name}: world.nights: the world plays {world.nights} night(s), "
                         f"not {count}")
    out_dir.mkdir(parents=True, exist_ok=True)
    settings = demo_settings(world, out_dir, base)
    if world.gone_after_nights:
        settings = replace(settings, gone_after_nights=world.gone_after_nights)
    clear_previous_demo(settings)
    store = Store(settings.database)
    store.upsert_brands(world_brands(world))
    today = datetime.now(UTC).date()
    result: DemoOutcome | None = None
    played: list[NightResult] = []
    checks: list[LifecycleCheck] = []
    triage: list[str] = []
    for n in range(1, count + 1):
        view = world.night(n)
        # nights a day apart, the last one today: the case file counts nights by the run's start date, and
        # the sandbox shows the ads that run at that hour (world_hours.py)
        started = f"{(today - timedelta(days=count - n)).isoformat()}T02:00:00+00:00"
        web = SandboxWeb(view, clock=partial(datetime.fromisoformat, started))
        run_id = store.start_run("demo", started)
        with SandboxServer(web) as server:
            outcome = run_pipeline(settings, store, command="demo", resolve_all_to=server.address,
                                   progress=progress, run_id=run_id)
        score = replace(score_run(view, outcome, web.click_url_requests()),
                        answers_missed=check_answers(store, outcome.run_id, view.expected_answers,
                                                     tuple(view.crawl["devices"])),
                        campaigns_split=check_campaigns(store, view.expected_campaigns))
        played.append(NightResult(n, outcome, score))
        checks += check_lifecycle(store, world.lifecycle, n)
        triage += apply_triage(store, world.triage, n)
        if keep_nights:
            store.backup(out_dir / f"night-{n}.db")
    result = DemoOutcome(out_dir, played[-1].run, played[-1].score, settings, played, checks, triage)
    return result


def _expected_key(e: dict[str, Any]) -> tuple[str, str]:
    """(brand, number) for number findings, as before; (brand, "rule: what") for the other rules."""
    rule = e.get("rule") or "unofficial_number"
    if rule == "unofficial_number":
        return (e["brand"], e["e164"])
    return (e["brand"], f"{rule}: {e['domain'] if rule == 'lookalike_domain' else e['e164']}")


def _found_keys(f: dict[str, Any]) -> list[tuple[tuple[str, str], str]]:
    """(key, verdict) of every reason of a case: the world's expectations name rules and numbers, and a case
    (one ad) holds several (a lookalike domain and the number it showed)."""
    domain = f.get("advertiser_domain") or f.get("domain") or ""
    return [(_expected_key({"brand": f["brand"], "rule": r.get("rule") or "unofficial_number",
                            "e164": r.get("e164") or "", "domain": domain}), str(r.get("verdict") or ""))
            for r in f.get("reasons") or [f]]  # fmt: skip


def score_run(world: Any, outcome: RunOutcome, click_requests: list[str]) -> DemoScore:
    expected = {_expected_key(e) for e in world.expected if e["verdict"] == "finding"}
    expected_inconclusive = {_expected_key(e) for e in world.expected if e["verdict"] == "inconclusive"}
    # detection is scored, not triage: a finding an analyst dismissed was still found
    reasons = [r for f in outcome.findings for r in _found_keys(f)]
    found = {key for key, verdict in reasons if verdict != "inconclusive"}
    found_inconclusive = {key for key, verdict in reasons if verdict == "inconclusive"}
    hits = found & expected
    precision = len(hits) / len(found) if found else (1.0 if not expected else 0.0)
    recall = len(hits) / len(expected) if expected else 1.0
    blocked = {(c["engine"], c["query"]) for c in outcome.not_audited}
    want_blocked = {(b["engine"], b["query"]) for b in world.expected_not_audited}
    return DemoScore(
        precision=round(precision, 4), recall=round(recall, 4),
        missed=sorted(expected - found), unexpected=sorted(found - expected),
        inconclusive_missed=sorted(expected_inconclusive - found_inconclusive),
        inconclusive_unexpected=sorted(found_inconclusive - expected_inconclusive),
        blocked_missed=sorted(want_blocked - blocked), blocked_unexpected=sorted(blocked - want_blocked),
        click_requests=list(click_requests),
    )
