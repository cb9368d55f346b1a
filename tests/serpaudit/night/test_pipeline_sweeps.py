"""Several sweeps a day in a real Chromium (issue 21): an ad that runs only at office hours, seen by one sweep of
the day and not by the other; the case counts days, keeps the hour it was seen at, and is not gone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from audits.store import Store
from sandbox import SandboxWeb, world_brands
from sandbox.server import SandboxServer
from serpaudit.night.pipeline import run_pipeline
from serpaudit.settings import Settings
from tests.support.sandbox_runs import skip_without_chromium, write_world

pytestmark = pytest.mark.browser

PREMIUM = "+319001234567"
WORLD = """
[world]
name = "office hours"
timezone = "Europe/Amsterdam"

[crawl]
engines = ["google"]

[[brands]]
name = "Telnova"
domains = ["telnova.nl"]
contact_pages = ["https://www.telnova.nl/klantenservice"]

[[sites]]
host = "www.telnova.nl"
  [[sites.pages]]
  path = "/"
  title = "Telnova"
  [[sites.pages]]
  path = "/klantenservice"
  title = "Klantenservice | Telnova"
  body = "<p>Bel gratis 0800 023 4567</p>"

[[sites]]
host = "www.telnova-support.nl"
  [[sites.pages]]
  path = "/"
  title = "Telnova hulp"
  body = "<p>Bel direct 0900 1234 567</p>"

[[serps]]
engine = "google"
query = "Telnova klantenservice"
  [[serps.ads]]
  title = "Telnova Klantenservice - Direct Een Medewerker"
  landing_url = "https://www.telnova-support.nl/"
  call = "0900 1234 567"
  hours = "9-17"                # Amsterdam time: 08:00-15:59 UTC in December

[[expect]]
brand = "Telnova"
number = "0900 1234 567"
"""


@pytest.fixture(autouse=True)
def _chromium():
    skip_without_chromium()


def test_two_sweeps_of_one_day_count_one_day_keep_the_hour_and_the_ad_is_not_gone(tmp_path):
    world = write_world(tmp_path, WORLD)
    settings = Settings(database=tmp_path / "db.sqlite", evidence_dir=tmp_path / "ev", reports_dir=tmp_path / "rep",
                        engines=("google",), devices=("desktop",), min_delay_s=0.0, jitter_s=0.0, max_per_hour=0,
                        backoff_s=0.2, backoff_max_s=1.0, gone_after_nights=1)
    store = Store(settings.database)
    store.upsert_brands(world_brands(world))
    now = [datetime(2026, 12, 1, 9, 30, tzinfo=UTC)]
    web = SandboxWeb(world, clock=lambda: now[0])

    def sweep(at: datetime):
        now[0] = at
        run_id = store.start_run("run", at.isoformat(timespec="seconds"))
        outcome = run_pipeline(settings, store, command="run", brand_names=["Telnova"],
                               resolve_all_to=server.address, run_id=run_id)
        cases = [f for f in store.query_findings(include_dismissed=True) if f.get("e164") == PREMIUM]
        return outcome, cases

    with SandboxServer(web) as server:
        first, [case] = sweep(datetime(2026, 12, 1, 9, 30, tzinfo=UTC))  # 10:30 in Amsterdam: the ad runs
        assert PREMIUM in {f["e164"] for f in first.scams}
        [html] = [p for p in first.reports if p.name == "report.html"]
        card = html.read_text(encoding="utf-8")
        assert "seen on 1 day, in 1 of 1 sweep" in card and "hours seen 09 (UTC)" in card
        second, [case] = sweep(datetime(2026, 12, 1, 20, 0, tzinfo=UTC))  # 21:00 there: it does not
        assert PREMIUM not in {f["e164"] for f in second.findings}
        assert not second.not_audited  # the sweep read the page: it proves the ad was not there
        assert (case["status"], case["absent_nights"] or 0) == ("new", 0)
        assert (case["nights_seen"], case["times_seen"], case["sweeps_audited"], case["hours_seen"]) == (1, 1, 2, [9])
        _, [case] = sweep(datetime(2026, 12, 2, 1, 30, tzinfo=UTC))  # next night, before its hours
        assert (case["status"], case["absent_nights"] or 0) == ("new", 0)  # not gone (gone_after_nights = 1)
        assert (case["nights_seen"], case["sweeps_audited"], case["hours_seen"]) == (1, 3, [9])
    assert web.click_url_requests() == []
