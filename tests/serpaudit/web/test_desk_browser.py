"""The desk in Chromium: `serve`'s application on a loopback port, driven by Playwright as an analyst would."""

from __future__ import annotations

import http.client
import threading
import time

import pytest

from audits.triage import os_user
from tests.support.desk_store import HOSTILE_NUMBER
from tests.support.findings_world import MOBILE, PREMIUM
from tests.support.sandbox_runs import skip_without_chromium

pytestmark = pytest.mark.browser


@pytest.fixture
def desk_url(world):
    import uvicorn

    from serpaudit.settings import load_settings
    from serpaudit.web.app import create_app

    config = uvicorn.Config(create_app(load_settings(world.config), world.config), host="127.0.0.1", port=0,
                            log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the desk did not start in 20 s"
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    from crawler.browser import find_chromium

    skip_without_chromium()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_chromium(None))
        try:
            yield browser.new_page()
        finally:
            browser.close()


def _case_id(world, e164: str) -> str:
    store = world.store()
    return next(f["id"] for f in store.query_findings(include_dismissed=True) if f["e164"] == e164)


def test_an_analyst_filters_opens_a_case_and_triages(page, desk_url, world):
    page.goto(desk_url + "/")
    rows = page.locator("table.queue tbody tr")
    assert rows.count() >= 3
    page.select_option("select[name=engine]", "bing")
    page.click("#filters button")
    page.wait_for_url("**engine=bing**")
    assert "kpn-hulp.nl" in page.inner_text("table.queue") and "snelhulp" not in page.inner_text("table.queue")
    page.click(f"a[href='/cases/{_case_id(world, MOBILE)}']")
    crop = page.locator("img.crop")
    crop.wait_for()
    assert page.evaluate("img => img.complete && img.naturalWidth > 0", crop.element_handle())
    assert page.locator("svg rect.outline").count() == 1
    assert page.locator("iframe.landing[sandbox='']").count() == 1
    # dismiss without a reason: the browser asks for one; with it, the panel changes in place (htmx)
    page.fill("form[action$='/dismiss'] input[name=reason]", "the brand's new partner")
    page.click("form[action$='/dismiss'] button")
    page.wait_for_selector("#triage .done")
    assert "dismissed" in page.inner_text("#triage .state")
    assert "the brand's new partner" in page.inner_text("#triage .events")
    page.goto(f"{desk_url}/cases/{_case_id(world, PREMIUM)}")
    page.click("form[action$='/confirm'] button")
    page.wait_for_selector("#triage .done")
    store = world.store()
    assert [(e["new_state"], e["user"]) for e in store.finding_events(_case_id(world, MOBILE))] == [
        ("dismissed", os_user())]
    assert store.finding_events(_case_id(world, PREMIUM))[-1]["new_state"] == "confirmed"


def test_attacker_written_ads_render_inert(page, desk_url, world):
    dialogs, requests = [], []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(desk_url + "/")
    page.goto(f"{desk_url}/cases/{_case_id(world, HOSTILE_NUMBER)}")
    page.wait_for_load_state("networkidle")
    for link in page.locator("a").all():  # every link on the page is the desk's own or an official page
        href = link.get_attribute("href") or ""
        assert not href.lower().startswith("javascript:"), href
    assert page.evaluate("window.pwned") is None
    assert dialogs == []
    assert not [u for u in requests if u.startswith("javascript:") or u.rstrip("/").endswith("/x")]
    assert "<script>window.pwned=1</script>" in page.inner_text(".facts")  # shown as text


def test_a_post_without_the_token_is_refused(page, desk_url, world):
    page.goto(desk_url + "/")
    cid = _case_id(world, PREMIUM)
    answer = page.request.post(f"{desk_url}/cases/{cid}/confirm", form={"reason": "forged"})
    assert answer.status == 403
    assert world.store().finding_events(cid) == []


def test_evidence_dot_dot_is_refused(desk_url):
    host, port = desk_url.removeprefix("http://").split(":")
    for path in ("/evidence/../desk.db", "/evidence/../../etc/passwd", "/evidence/%2e%2e/desk.db"):
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        conn.request("GET", path)  # sent as written: http.client does not fold the dots
        answer = conn.getresponse()
        body = answer.read()
        conn.close()
        assert answer.status in (400, 404), path
        assert b"SQLite" not in body and b"root:" not in body


def test_an_analyst_builds_a_submission_and_downloads_it(page, desk_url, world):
    import io
    import zipfile

    page.goto(desk_url + "/submit?platform=google_ads")
    offered = page.locator("input[name=ids]")
    assert offered.count() >= 1
    ids = {box.get_attribute("value") for box in offered.all()}
    assert _case_id(world, PREMIUM) in ids and _case_id(world, MOBILE) not in ids  # a Bing ad is not Google's
    page.click("form[action='/submit'] button")
    link = page.locator("section.done a[download]")
    link.wait_for()
    answer = page.request.get(desk_url + (link.get_attribute("href") or ""))
    assert answer.status == 200
    names = zipfile.ZipFile(io.BytesIO(answer.body())).namelist()
    assert "google_ads.csv" in names and "SHA256SUMS" in names
    assert world.reports.joinpath("submissions").is_dir()
