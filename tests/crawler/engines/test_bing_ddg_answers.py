"""Bing's Copilot answer and DuckDuckGo's Search Assist answer are results of kind "ai_answer"."""

from __future__ import annotations

from crawler.engines import bing, duckduckgo

COPILOT = """<li class="b_ans b_top" data-tag="copilot.answer"><div id="b_copilot_answer" class="b_cs_canvas">
<h2 class="b_cs_title">Copilot</h2><div class="b_cs_text">
<p>De klantenservice van Cloudora bereik je op 020 369 8512.</p><ul><li>Ook in het weekend.</li></ul></div>
<div class="b_cs_citations">
<a href="https://www.bing.com/ck/a?u=a1x">zie meer</a>
<a href="https://forum.klantvragen.nl/t/77" aria-label="Cloudora bellen - Klantvragen">1</a></div>
<button class="b_cs_more" type="button" aria-expanded="{expanded}">Meer weergeven</button>
<div class="b_cs_disclaimer">Door AI gegenereerde inhoud kan fouten bevatten.</div></div></li>"""
BING_ORGANIC = """<li class="b_algo"><h2><a href="https://www.cloudora.nl/support">Support | Cloudora</a></h2>
<div class="b_caption"><cite>www.cloudora.nl</cite><p>Geen telefonische klantenservice.</p></div></li>"""


def _bing(answer: str) -> str:
    return (f'<html><body><input id="sb_form_q" value="Cloudora klantenservice"><ol id="b_results">{answer}'
            f"{BING_ORGANIC}</ol></body></html>")


def test_bings_copilot_answer_at_the_top():
    page = bing.parse(_bing(COPILOT.format(expanded="false")), "https://www.bing.com/search?q=x")
    a, organic = page.results
    assert (a.kind, a.placement, a.rank, a.title, a.answer_state) == ("ai_answer", "top", 1, "Copilot", "collapsed")
    assert a.text == "De klantenservice van Cloudora bereik je op 020 369 8512.\nOok in het weekend."
    assert [(s.url, s.title, s.domain) for s in a.sources] == [
        ("https://forum.klantvragen.nl/t/77", "Cloudora bellen - Klantvragen", "klantvragen.nl")]
    assert [p.e164 for p in a.phones] == ["+31203698512"]
    assert (organic.kind, organic.placement, organic.rank) == ("organic", "main", 1)


def test_bings_answer_states():
    page = bing.parse(_bing(COPILOT.format(expanded="true")), "https://www.bing.com/search?q=x")
    assert page.results[0].answer_state == "expanded"
    writing = '<li class="b_ans"><div id="b_copilot_answer" class="b_cs_canvas" aria-busy="true"><h2>Copilot</h2>' \
              '<div class="b_cs_text"></div></div></li>'
    page = bing.parse(_bing(writing), "https://www.bing.com/search?q=x")
    assert (page.results[0].kind, page.results[0].answer_state) == ("ai_answer", "unfinished")


ASSIST = """<div class="module--assist" data-testid="assist-answer"><h2 class="module__title">Zoekassistent</h2>
<div class="assist__body"><p>Bankiva is bereikbaar via 085 401 2233.</p></div><div class="assist__sources">
<a href="https://www.bankiva-hulplijn.nl/">Bankiva hulplijn</a><a href="https://duckduckgo.com/?q=more">Meer</a>
</div></div>"""
DDG_ORGANIC = """<div class="result"><h2 class="result__title"><a class="result__a" href="https://www.bankiva.nl/contact">
Contact | Bankiva</a></h2><a class="result__url" href="https://www.bankiva.nl/contact">bankiva.nl</a>
<div class="result__snippet">Bel ons op 088 123 4567.</div></div>"""


def test_duckduckgos_assist_answer_at_the_top():
    html = (f'<html><body><input id="search_form_input" name="q" value="Bankiva klantenservice">{ASSIST}'
            f'<div id="links">{DDG_ORGANIC}</div></body></html>')
    page = duckduckgo.parse(html, "https://duckduckgo.com/?q=Bankiva+klantenservice")
    a, organic = page.results
    assert (a.kind, a.placement, a.rank, a.title, a.answer_state) == (
        "ai_answer", "top", 1, "Zoekassistent", "complete")
    assert a.text == "Bankiva is bereikbaar via 085 401 2233."
    assert [(s.url, s.domain) for s in a.sources] == [("https://www.bankiva-hulplijn.nl/", "bankiva-hulplijn.nl")]
    assert [p.e164 for p in a.phones] == ["+31854012233"]
    assert organic.kind == "organic" and [p.e164 for p in organic.phones] == ["+31881234567"]
