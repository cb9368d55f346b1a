"""Block pages of every engine in a real Chromium: CAPTCHA, consent banner and HTTP 403.

Each test writes a variant of the default world to tmp_path and runs the real pipeline
(``run_pipeline``) against it, as tests/test_browser_cases.py does.  A page the engine shows
instead of its results must never be recorded as "ok" or "empty": that would read as "no ads".
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from audits.evidence_files import read_page
from audits.store import Store
from serpaudit.night.outcome import EXIT_INCOMPLETE
from tests.support.sandbox_runs import default_world_text, run_world, skip_without_chromium

pytestmark = pytest.mark.browser

WOONFONDS = "Woonfonds klantenservice"  # no findings anywhere: the exit code only tells what was audited
GOOGLE_WOONFONDS_CAPTCHA = 'query = "Woonfonds klantenservice"\nstatus = "captcha"'
ENGINE_HOSTS = {"google": "www.google.nl", "bing": "www.bing.com", "duckduckgo": "duckduckgo.com"}


@pytest.fixture(autouse=True)
def _chromium():
    skip_without_chromium()


def plant(text: str, engine: str, query: str, status: str) -> str:
    """The default world with one more planted page (for a pair the default world does not plant)."""
    return text + f'\n[[serps]]\nengine = "{engine}"\nquery = "{query}"\nstatus = "{status}"\n'


def serp_captures(store: Store, run_id: str, engine: str) -> list[dict]:
    """The engine's result-page captures, read on the engine's host."""
    return [c for c in store.captures(run_id, kind="serp")
            if c["engine"] == engine and urlsplit(c["final_url"] or "").hostname == ENGINE_HOSTS[engine]]


def statuses(store: Store, run_id: str, engine: str) -> list[str]:
    return [c["status"] for c in serp_captures(store, run_id, engine)]


@pytest.mark.parametrize("engine", ["bing", "duckduckgo"])
def test_a_captcha_is_recorded_as_captcha_and_the_run_is_incomplete(tmp_path, engine):
    outcome, store, web = run_world(tmp_path, plant(default_world_text(), engine, WOONFONDS, "captcha"),
                                    ["Woonfonds"], (engine,))
    assert statuses(store, outcome.run_id, engine) == ["captcha"]  # never "ok" or "empty"
    assert outcome.scams == []
    assert outcome.exit_code == EXIT_INCOMPLETE == 3
    assert web.click_url_requests() == []


@pytest.mark.parametrize("engine", ["google", "bing", "duckduckgo"])
def test_a_403_page_is_recorded_as_blocked(tmp_path, engine):
    text = default_world_text()
    if engine == "google":
        if GOOGLE_WOONFONDS_CAPTCHA not in text:
            pytest.skip("default world no longer plants the Woonfonds CAPTCHA this test rewrites")
        text = text.replace(GOOGLE_WOONFONDS_CAPTCHA, GOOGLE_WOONFONDS_CAPTCHA.replace("captcha", "blocked"), 1)
    else:
        text = plant(text, engine, WOONFONDS, "blocked")
    outcome, store, _ = run_world(tmp_path, text, ["Woonfonds"], (engine,))
    assert statuses(store, outcome.run_id, engine) == ["blocked"]
    assert outcome.exit_code == EXIT_INCOMPLETE


def test_bing_cookie_banner_over_the_results_is_rejected_and_the_results_read(tmp_path):
    text = default_world_text().replace("consent_banner = false", "consent_banner = true", 1)
    outcome, store, web = run_world(tmp_path, text, ["Cloudora"], ("bing",))
    [capture] = serp_captures(store, outcome.run_id, "bing")
    assert capture["status"] == "ok"
    # The banner is answered with "Weigeren" (never "Accepteren") and the evidence shows the page without it.
    answers = [url for _, url in web.requests if "/bnp/consent?" in url]
    assert answers and all("choice=reject" in url for url in answers), answers
    html = read_page(capture["html_path"])  # stored gzipped (issue 22)
    assert 'id="bnp_container"' not in html
    # The planted Bing top ad (0900 202 3030) and the official numbers are read.
    assert "+319002023030" in {f["e164"] for f in outcome.scams}
    assert web.click_url_requests() == []


def test_bing_query_that_stays_on_the_cookie_banner_is_consent_not_clean(tmp_path):
    outcome, store, web = run_world(tmp_path, plant(default_world_text(), "bing", WOONFONDS, "consent"),
                                    ["Woonfonds"], ("bing",))
    assert statuses(store, outcome.run_id, "bing") == ["consent"]
    answers = [url for _, url in web.requests if "/bnp/consent?" in url]
    assert answers and all("choice=reject" in url for url in answers), "Weigeren was never pressed"
    assert outcome.exit_code == EXIT_INCOMPLETE
