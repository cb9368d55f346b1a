"""A night with a busy-looping landing page (issue 20, item 3) finishes within its page budgets: that page is
recorded as ``error`` (not audited, the night incomplete), and the landing pages after it are still read."""

from __future__ import annotations

import json
import time

import pytest

from tests.support.sandbox_runs import default_world_text, run_world, skip_without_chromium

pytestmark = pytest.mark.browser

STALLING = """
[[brands]]
name = "Vitalux"
domains = ["vitalux.nl"]
contact_pages = ["https://www.vitalux.nl/contact"]

[[sites]]
host = "www.vitalux.nl"
  [[sites.pages]]
  path = "/contact"
  title = "Contact | Vitalux"
  body = "<h1>Contact</h1><p>Bel 0800 555 1234.</p>"

[[sites]]
host = "www.vitalux-hangt.nl"
  [[sites.pages]]
  path = "/"
  title = "Vitalux hulp"
  body = "<h1>Vitalux hulp</h1><p>Bel 0900 111 2233.</p><script>setTimeout(() => { while (true) {} }, 100);</script>"

[[sites]]
host = "www.vitalux-rusteloos.nl"
  [[sites.pages]]
  path = "/"
  title = "Vitalux service"
  body = \"\"\"<h1>Vitalux service</h1><p>Bel 0900 222 3344.</p>
<script>let n = 0; setInterval(() => history.replaceState(null, '', '/?n=' + (n++)), 1);</script>\"\"\"

[[sites]]
host = "www.vitalux-gewoon.nl"
  [[sites.pages]]
  path = "/"
  title = "Vitalux"
  body = "<h1>Vitalux</h1><p>Bel 0900 333 4455.</p>"

[[serps]]
engine = "google"
query = "Vitalux klantenservice"
  [[serps.ads]]
  title = "Vitalux Klantenservice"
  landing_url = "https://www.vitalux-hangt.nl/"
  [[serps.ads]]
  title = "Vitalux Service"
  landing_url = "https://www.vitalux-rusteloos.nl/"
  [[serps.ads]]
  placement = "bottom"
  title = "Vitalux Hulp"
  landing_url = "https://www.vitalux-gewoon.nl/"
"""
TIMEOUT_MS = 4_000  # each call needing the page: 4 s + a 5 s grace; one page in all: three times that


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    skip_without_chromium()
    started = time.monotonic()
    outcome, store, _ = run_world(tmp_path_factory.mktemp("stall"), default_world_text() + STALLING, ["Vitalux"],
                                  timeout_ms=TIMEOUT_MS)
    landings = {json.loads(c["redirect_chain"])[0]: c for c in store.captures(outcome.run_id)
                if c["kind"] == "landing"}
    return outcome, landings, time.monotonic() - started


def test_the_night_finishes_within_its_page_budgets(night):
    _, _, took = night
    assert took < 120, f"the night took {took:.0f} s"


def test_the_busy_looping_page_is_recorded_as_error_and_not_audited(night):
    outcome, landings, _ = night
    cap = landings["https://www.vitalux-hangt.nl/"]
    assert cap["status"] == "error" and "did not answer within" in cap["error"]
    assert cap["id"] in {c["id"] for c in outcome.not_audited}
    assert outcome.decision.status == "incomplete"


def test_the_landing_pages_after_it_are_read(night):
    outcome, landings, _ = night
    assert landings["https://www.vitalux-gewoon.nl/"]["status"] == "ok"
    assert "+319003334455" in {f["e164"] for f in outcome.scams}


def test_a_page_changing_its_address_every_millisecond_is_settled_quickly(night):
    _, landings, _ = night
    cap = landings["https://www.vitalux-rusteloos.nl/"]
    assert cap["status"] in ("ok", "error")
    assert len(json.loads(cap["redirect_chain"])) < 100
