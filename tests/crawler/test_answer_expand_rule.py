"""The browser opens a collapsed AI answer only with a button inside the answer: never a link, never a control
in an ad, never a button elsewhere on the page (a "People also ask" question), in a real Chromium."""

from __future__ import annotations

import pytest

from crawler.browser import AnswerSteps, Browser, BrowserConfig
from crawler.engines import google
from sandbox.server import SandboxServer
from sandbox.web import Response
from tests.support.sandbox_runs import skip_without_chromium

pytestmark = pytest.mark.browser

CLICK = "https://www.googleadservices.com/pagead/aclk?sa=L&amp;ai=X&amp;adurl=https://www.telnova-support.nl/"
MARK = "this.setAttribute('aria-expanded','true');document.title+='|{}'"
PAGE = f"""<html><head><title>t</title></head><body><div id="center_col">
<div class="YzCcne"><div class="q8sySb"><h1>AI-overzicht</h1><div class="mZJni"><div class="Y3BBE">Eerste deel.</div>
<div id="more" hidden><div class="Y3BBE">Bel 0900 2233 445.</div></div></div>
<a href="{CLICK}" role="button" aria-expanded="false" onclick="{MARK.format('link')}">Meer weergeven</a>
<div role="button" aria-expanded="false" onclick="document.getElementById('more').hidden=false;{MARK.format('answer')}">
Meer weergeven</div></div></div>
<div id="tvcap"><div id="tads"><div data-text-ad="1"><a href="{CLICK}"><div role="heading">Telnova Support</div></a>
<div role="button" aria-expanded="false" onclick="{MARK.format('ad')}">Meer</div></div></div></div>
<div id="search"><div id="rso"><div class="related-question-pair"><div role="button" aria-expanded="false"
onclick="{MARK.format('paa')}">Hoe bel ik Telnova?</div></div>
<div class="g"><a href="https://www.telnova.nl/"><h3>Telnova</h3></a></div></div></div></div></body></html>"""


class OnePage:
    def __init__(self) -> None:
        self.requests: list[str] = []

    def respond(self, method: str, url: str, headers: dict[str, str]) -> Response:
        self.requests.append(url)
        return Response(200, {"content-type": "text/html; charset=utf-8"}, PAGE.encode())


def test_only_the_answers_own_button_is_clicked():
    skip_without_chromium()
    web = OnePage()
    steps = AnswerSteps(pending=lambda html, url: False, containers=google.AI_ANSWER.containers,
                        headings=google.AI_ANSWER.headings, labels=tuple(google.AI_ANSWER.labels),
                        controls=google.AI_ANSWER.expand, stop=google.AI_ANSWER_STOP, never=google.AI_ANSWER_NEVER)
    with SandboxServer(web) as server, Browser(BrowserConfig(resolve_all_to=server.address)) as browser:
        cap = browser.capture("https://www.google.nl/search?q=telnova", answers=steps)
    assert "<title>t|answer</title>" in cap.html  # the answer's button and nothing else
    page = google.parse(cap.html, cap.final_url)
    answer = next(r for r in page.results if r.kind == "ai_answer")
    assert answer.answer_state == "expanded" and "+319002233445" in [p.e164 for p in answer.phones]
    assert not any("googleadservices" in url for url in web.requests)
