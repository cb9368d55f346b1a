"""The pages an engine sends a bot in 2025-2026 are blocks or CAPTCHAs: never "unknown", never "empty".

A capture with either status is not audited; read as "unknown" it would still be retried, but read as "empty"
(or as results) the night would pass as "no ads" on an engine that showed nothing at all.
"""

from __future__ import annotations

import pytest

from crawler.engines import bing, duckduckgo, google

G = "google/"


# --- Google: the JavaScript wall (2025) and the soft block (2026) ----------------------------------------


def test_the_real_javascript_wall_is_blocked_and_names_its_query(serp_fixture):
    html = serp_fixture(G + "2025-blocked-javascript-required.html")
    assert google.classify(html) == "blocked"
    page = google.parse(html, region="NL")
    # the query is in the page's hidden "having trouble? click here" link back to the search
    assert (page.status, page.query, page.results) == ("blocked", "Bob's Used Cars Miami FL", ())


def test_the_real_soft_block_is_blocked_and_names_its_query(serp_fixture):
    html = serp_fixture(G + "2026-blocked-soft-redirect.html")
    assert google.classify(html) == "blocked"
    page = google.parse(html, url="https://www.google.com/search?q=weather")
    assert (page.status, page.query, page.results) == ("blocked", "weather", ())
    assert google.parse(html).query == "weather"  # without the URL: from the title "weather - Google Search"


def test_the_javascript_wall_as_a_browser_with_javascript_serialises_it():
    # With scripting on, Chromium keeps a <noscript>'s content as text: the refresh is no element then.
    html = ("<html><head><title>Google Zoeken</title><script>(function(){})()</script></head><body><noscript>"
            '&lt;meta content="0;url=/httpservice/retry/enablejs?sei=x" http-equiv="refresh"&gt;</noscript>'
            '<div id="yvlrue" style="display: block;">Heb je problemen? <a href="/search?q=kpn+klantenservice'
            '&amp;emsg=SG_REL&amp;sei=x">Klik hier</a></div></body></html>')
    page = google.parse(html, url="https://www.google.nl/search?q=kpn+klantenservice")
    assert (page.status, page.query) == ("blocked", "kpn klantenservice")


def test_a_results_page_that_names_the_retry_path_stays_a_results_page():
    html = ('<html><body><script>var r="/httpservice/retry/enablejs"</script><div id="search"><div id="rso">'
            '<div class="g"><a href="https://www.kpn.com/service"><h3>KPN Klantenservice</h3></a>'
            "<span>Bel 0800 0402</span></div></div></div></body></html>")
    page = google.parse(html)
    assert page.status == "ok" and [r.domain for r in page.results] == ["kpn.com"]


def test_every_real_google_results_page_still_reads_as_before(serp_fixture):
    # the wall's markers only count on a page without a result column (no real results page changes)
    for name, want in {"2023-desktop-en-hotels.html": "ok", "2023-desktop-en-no-results.html": "empty",
                       "2023-blocked-recaptcha.html": "captcha",
                       "2025-desktop-pt-br-ai-overview-collapsed.html": "ok"}.items():
        assert google.classify(serp_fixture(G + name)) == want, name


# --- Bing: "One last step" under an ordinary "<query> - Search" title ------------------------------------

ONE_LAST_STEP = """<!DOCTYPE html><html lang="en"><head><title>{query} - Search</title></head><body>
<header id="b_header"><form action="/search" id="sb_form"><input id="sb_form_q" name="q" value="{query}">
</form></header><div id="b_content"><main aria-label="Search Results"><ol id="b_results"><li class="b_ans">
<div class="captcha"><div class="captcha_header">{title}</div><div class="captcha_text">{text}</div>
<iframe src="/turing/captcha/challenge?q=&amp;iag=0&amp;ig=ABC" title="Challenge"></iframe></div></li></ol>
</main></div></body></html>"""


@pytest.mark.parametrize(("title", "text"), [
    ("One last step", "Please solve the challenge below to continue"),
    ("Nog één stap", "Los de onderstaande uitdaging op om verder te gaan"),
    ("Ein letzter Schritt", "Lösen Sie die folgende Aufgabe, um fortzufahren"),
    ("Une dernière étape", "Veuillez résoudre le défi ci-dessous pour continuer"),
])
def test_bing_one_last_step_is_a_captcha_whatever_its_title(title, text):
    html = ONE_LAST_STEP.format(query="ziggo klantenservice", title=title, text=text)
    page = bing.parse(html, url="https://www.bing.com/search?q=ziggo+klantenservice")
    assert (page.status, page.query, page.results) == ("captcha", "ziggo klantenservice", ())


# --- DuckDuckGo: the bot check on its JavaScript and its html site ----------------------------------------

HTML_SITE_CHALLENGE = """<!DOCTYPE html><html lang="en-US"><head><title>DuckDuckGo</title></head>
<body class="body--html"><form id="challenge-form" method="POST"
 action="//duckduckgo.com/anomaly.js?sv=html&amp;cc=sre&amp;ti=1&amp;gk=x&amp;q=ziggo%20klantenservice&amp;r=euw">
<div class="anomaly-modal__mask"><div class="anomaly-modal__modal" data-testid="anomaly-modal">
<div class="anomaly-modal__title">Unfortunately, bots use DuckDuckGo too.</div>
<div class="anomaly-modal__description">Please complete the following challenge to confirm this search was made
by a human.</div><div class="anomaly-modal__instructions">Select all squares containing a duck:</div>
<button class="anomaly-modal__submit" type="submit">Submit</button></div></div></form></body></html>"""

JS_SITE_CHALLENGE = """<!DOCTYPE html><html lang="nl-NL" class="js"><head><title>ziggo klantenservice op
DuckDuckGo</title></head><body><div id="header_wrapper"><form id="search_form" action="/"><input
id="search_form_input" name="q" value="ziggo klantenservice"></form></div><div id="react-layout"><section
data-testid="mainline"><ol class="react-results--main"></ol></section></div><div class="anomaly-modal__mask">
<div class="anomaly-modal__modal" data-testid="anomaly-modal"><div class="anomaly-modal__title">Unfortunately,
bots use DuckDuckGo too.</div></div></div></body></html>"""


def test_duckduckgo_html_site_challenge_is_a_captcha_with_its_query():
    # a POSTed html-site search has no q= in its URL: the challenge form still carries the query
    page = duckduckgo.parse(HTML_SITE_CHALLENGE, url="https://html.duckduckgo.com/html/")
    assert (page.status, page.query, page.results) == ("captcha", "ziggo klantenservice", ())


def test_duckduckgo_javascript_site_challenge_is_a_captcha():
    page = duckduckgo.parse(JS_SITE_CHALLENGE, url="https://duckduckgo.com/?q=ziggo+klantenservice&ia=web")
    assert (page.status, page.query, page.results) == ("captcha", "ziggo klantenservice", ())
