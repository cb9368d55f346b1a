"""The demo: the whole pipeline against the sandbox web, scored against the world.

The world file plants scam numbers and says which ones must be found
(``expect``) and which captures must come back blocked.  The demo reports the
precision and recall of its findings against that ground truth.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from audits.brands import Brand
from audits.store import Store
from sandbox import SandboxWeb, load_world
from sandbox.server import SandboxServer
from serpaudit.pipeline import RunOutcome, run_pipeline
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

    @property
    def perfect(self) -> bool:
        return (self.precision == 1.0 and self.recall == 1.0 and not self.inconclusive_missed
                and not self.inconclusive_unexpected and not self.blocked_missed and not self.blocked_unexpected
                and not self.click_requests)


@dataclass
class DemoOutcome:
    out_dir: Path
    run: RunOutcome
    score: DemoScore
    settings: Settings


def demo_settings(world: Any, out_dir: Path, base: Settings | None = None) -> Settings:
    base = base or Settings()
    crawl = world.crawl
    return Settings(
        database=out_dir / "serpaudit.db", evidence_dir=out_dir / "evidence", reports_dir=out_dir / "reports",
        engines=tuple(crawl["engines"]), devices=tuple(crawl["devices"]),
        query_templates=tuple(crawl["query_templates"]), region=world.region, language=world.language,
        browser_path=base.browser_path, headless=base.headless, timeout_ms=base.timeout_ms, retries=base.retries,
        max_contact_pages=base.max_contact_pages, visit_landing_pages=True,
    )


def world_brands(world: Any) -> list[Brand]:
    return [Brand(name=b["name"], domains=tuple(b["domains"]), contact_pages=tuple(b.get("contact_pages", ())),
                  phone_support=bool(b.get("phone_support", True)), queries=tuple(b.get("queries", ())))
            for b in world.brands]


def run_demo(world_path: Path, out_dir: Path, base: Settings | None = None, progress=None) -> DemoOutcome:
    world = load_world(world_path)
    out_dir.mkdir(parents=True, exist_ok=True)
    settings = demo_settings(world, out_dir, base)
    store = Store(settings.database)
    store.upsert_brands(world_brands(world))
    web = SandboxWeb(world)
    with SandboxServer(web) as server:
        outcome = run_pipeline(settings, store, command="demo", resolve_all_to=server.address, progress=progress)
    score = score_run(world, outcome, web.click_url_requests())
    return DemoOutcome(out_dir, outcome, score, settings)


def _expected_key(e: dict[str, Any]) -> tuple[str, str]:
    """(brand, number) for number findings, as before; (brand, "rule: what") for the other rules."""
    rule = e.get("rule") or "unofficial_number"
    if rule == "unofficial_number":
        return (e["brand"], e["e164"])
    return (e["brand"], f"{rule}: {e['domain'] if rule == 'lookalike_domain' else e['e164']}")


def _found_key(f: dict[str, Any]) -> tuple[str, str]:
    rule = f.get("rule") or "unofficial_number"
    return _expected_key({"brand": f["brand"], "rule": rule, "e164": f.get("e164") or "",
                          "domain": f.get("advertiser_domain") or f.get("domain") or ""})


def score_run(world: Any, outcome: RunOutcome, click_requests: list[str]) -> DemoScore:
    expected = {_expected_key(e) for e in world.expected if e["verdict"] == "finding"}
    expected_inconclusive = {_expected_key(e) for e in world.expected if e["verdict"] == "inconclusive"}
    # detection is scored, not triage: a finding an analyst dismissed was still found
    found = {_found_key(f) for f in outcome.findings if f["verdict"] != "inconclusive"}
    found_inconclusive = {_found_key(f) for f in outcome.findings if f["verdict"] == "inconclusive"}
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
