"""A capture of the 2025-2026 block pages, in a real Chromium against the sandbox, is "not audited": the night
is incomplete (exit 3) and names the block, and no number of that page is read as "no ads"."""

from __future__ import annotations

import pytest

from tests.support.sandbox_runs import default_world_text, run_world, skip_without_chromium

pytestmark = pytest.mark.browser

# device-specific entries win over the default world's generic ones for the same query
PLANTS = """
[[serps]]
engine = "google"
query = "Telnova klantenservice"
device = "desktop"
status = "blocked"
page = "{google}"

[[serps]]
engine = "bing"
query = "Telnova klantenservice"
device = "desktop"
status = "captcha"
page = "one_last_step"

[[serps]]
engine = "duckduckgo"
query = "Telnova klantenservice"
device = "desktop"
status = "captcha"
page = "javascript_challenge"
"""


@pytest.fixture(autouse=True)
def _chromium():
    skip_without_chromium()


@pytest.mark.parametrize("google_page", ["javascript_required", "soft_redirect"])
def test_block_pages_are_not_audited_never_no_ads(tmp_path, google_page):
    text = default_world_text() + PLANTS.format(google=google_page)
    outcome, store, web = run_world(tmp_path, text, ["Telnova"], engines=("google", "bing", "duckduckgo"))
    statuses = {c["engine"]: c["status"] for c in store.captures(outcome.run_id)}
    assert statuses == {"google": "blocked", "bing": "captcha", "duckduckgo": "captcha"}
    assert {(c["engine"], c["status"]) for c in outcome.not_audited} == set(statuses.items())
    assert outcome.exit_code == 3 and any("not audited" in r for r in outcome.reasons)
    # the Telnova ad Google shows on other nights is not there: no finding is made up, none is "cleared"
    assert [f for f in outcome.findings if f["brand"] == "Telnova" and f.get("e164") == "+319001234567"] == []
    assert web.click_url_requests() == []
