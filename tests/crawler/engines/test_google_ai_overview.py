"""Google's AI Overview is a result (kind "ai_answer"): its text, cited sources, numbers and state, in the flat
and sectioned layouts, collapsed, unfinished and declined, and on the real pt-BR page."""

from __future__ import annotations

import json
from pathlib import Path

from crawler.engines import google

URL = "https://www.google.nl/search?q=telnova+klantenservice"
RECORDED = Path(__file__).resolve().parents[2] / "data" / "real_serp_parses.json"

# Google ships both messages, hidden, on every page with an AI Overview.
HIDDEN_MESSAGES = ('<span class="YWpX0d" style="display:none"><span>Kan op dit moment geen AI-overzicht genereren. '
                   'Probeer het later opnieuw.</span><span style="display:none">Een AI-overzicht is niet '
                   "beschikbaar voor deze zoekopdracht</span></span>")
TRAY = ('<ul class="bTFeG"><li class="CyMdWb"><a href="https://forum.klantvragen.nl/t/123#:~:text=0900" '
        'aria-label="Telnova bellen? Dit nummer werkt - Klantvragen Forum"><span class="Z1JFYc">Klantvragen</span>'
        '</a></li><li class="CyMdWb"><a href="https://www.telnova.nl/klantenservice" aria-label="Klantenservice | '
        'Telnova"><span class="Z1JFYc">Telnova</span></a></li></ul>')


def _panel(body: str, extra: str = "", label: str = "AI-overzicht") -> str:
    return (f'<div class="YzCcne" data-mcpr=""><div class="q8sySb"><h1 class="VW3apb">{label}</h1>'
            f'<div jscontroller="EYwa3d" data-aim="1">{HIDDEN_MESSAGES}<div role="heading" aria-level="2">'
            f'<strong>{label}</strong></div><a href="https://support.google.com/websearch?p=ai_overviews">Meer '
            f"informatie</a>{body}{extra}</div></div></div>")


def _page(panel: str) -> str:
    organic = ('<div class="g"><a href="https://www.telnova.nl/klantenservice"><h3>Klantenservice | Telnova</h3>'
               "<cite>www.telnova.nl</cite></a><div>Bel gratis 0800 023 4567</div></div>")
    return (f'<html><body><form><textarea name="q">telnova klantenservice</textarea></form><div id="center_col">'
            f'<div id="taw"><div id="tvcap"></div></div>{panel}<div id="search"><div id="rso">{organic}</div>'
            "</div></div></body></html>")


FLAT = ('<div class="mZJni"><div class="Y3BBE">Je bereikt de klantenservice van Telnova via <mark>0900 1234 567'
        "</mark>, dag en nacht.</div><ul class=\"KsbFXc\"><li>Kies optie 2 voor storingen.</li></ul></div>")
SECTIONED = ('<div class="mZJni"><div class="Y3BBE">Telnova heeft meerdere lijnen.</div><div class="otQkpb" '
             'role="heading" aria-level="3">Klantenservice</div><ul class="KsbFXc"><li>Bel 0900 1234 567 '
             '<button class="rBl3me"><span class="iFMVXd">Klantvragen</span></button></li></ul><div '
             'class="otQkpb" role="heading" aria-level="3">Storingen</div><ul class="KsbFXc"><li>Meld een storing '
             'via <a href="https://www.storingsmelder.nl/telnova">Storingsmelder</a>.</li></ul></div>')


def _answer(html: str):
    page = google.parse(html, URL, region="NL")
    answers = [r for r in page.results if r.kind == "ai_answer"]
    assert len(answers) == 1, [r.kind for r in page.results]
    return page, answers[0]


def test_the_flat_layout_is_an_answer_at_the_top_with_its_text_sources_and_number():
    page, a = _answer(_page(_panel(FLAT + TRAY)))
    assert (a.placement, a.rank, a.title, a.answer_state) == ("top", 1, "AI-overzicht", "complete")
    assert a.text == "Je bereikt de klantenservice van Telnova via 0900 1234 567 , dag en nacht.\n" \
                     "Kies optie 2 voor storingen."
    assert [(s.url, s.title, s.domain) for s in a.sources] == [
        ("https://forum.klantvragen.nl/t/123#:~:text=0900", "Telnova bellen? Dit nummer werkt - Klantvragen Forum",
         "klantvragen.nl"),
        ("https://www.telnova.nl/klantenservice", "Klantenservice | Telnova", "telnova.nl")]
    assert [p.e164 for p in a.phones] == ["+319001234567"]
    assert "beschikbaar" not in a.text and "Meer informatie" not in a.text
    # the cited pages are sources, not organic results; the organic result is read as before
    assert [(r.kind, r.placement, r.rank, r.domain) for r in page.results] == [
        ("ai_answer", "top", 1, None), ("organic", "main", 1, "telnova.nl")]


def test_the_sectioned_layout_keeps_its_sections_and_inline_links():
    _, a = _answer(_page(_panel(SECTIONED + TRAY)))
    assert a.text.splitlines() == ["Telnova heeft meerdere lijnen.", "Klantenservice", "Bel 0900 1234 567",
                                   "Klantvragen", "Storingen", "Meld een storing via Storingsmelder ."]
    assert [s.domain for s in a.sources] == ["storingsmelder.nl", "klantvragen.nl", "telnova.nl"]
    assert a.answer_state == "complete" and [p.e164 for p in a.phones] == ["+319001234567"]


def test_a_collapsed_answer_and_an_expanded_one():
    more = '<div role="button" aria-expanded="{}" aria-controls="m-x-content"><span>Meer weergeven</span></div>'
    _, a = _answer(_page(_panel(FLAT, more.format("false"))))
    assert a.answer_state == "collapsed" and "0900 1234 567" in a.text
    _, b = _answer(_page(_panel(FLAT, more.format("true"))))
    assert b.answer_state == "expanded"
    link = '<a href="https://www.google.nl/search?q=x&amp;udm=50" aria-expanded="false">Meer weergeven</a>'
    _, c = _answer(_page(_panel(FLAT, link)))  # a link is never the expand control
    assert c.answer_state == "complete"


def test_an_answer_still_being_written_is_unfinished_not_no_answer():
    loading = ('<div class="mZJni" aria-busy="true"></div><div role="progressbar" class="hoqQCc">'
               '<div class="vgF7Od"></div></div>')
    page, a = _answer(_page(_panel(loading)))
    assert (a.answer_state, a.text, a.phones) == ("unfinished", "", ())
    assert page.status == "ok"


def test_a_declined_answer_is_declined_and_the_hidden_messages_decline_nothing():
    shown = ('<div class="mZJni"></div><div class="YWpX0d">Een AI-overzicht is niet beschikbaar voor deze '
             "zoekopdracht</div>")
    _, a = _answer(_page(_panel(shown)))
    assert a.answer_state == "declined"
    _, b = _answer(_page(_panel(FLAT)))  # the hidden messages ship with every answer
    assert b.answer_state == "complete"
    _, c = _answer(_page(_panel("")))  # nothing written yet, the messages still hidden
    assert c.answer_state == "unfinished"


def test_the_english_title_and_other_results_keep_their_shape():
    page, a = _answer(_page(_panel(FLAT, label="AI Overview")))
    assert a.title == "AI Overview"
    d = page.to_dict()["results"]
    assert d[0]["answer_state"] == "complete" and d[0]["sources"] == []
    assert "answer_state" not in d[1] and "sources" not in d[1]  # an organic result's dict is as it was


def test_the_real_pt_br_page_has_a_collapsed_answer_above_the_organic_results(serp_fixture):
    html = serp_fixture("google/2025-desktop-pt-br-ai-overview-collapsed.html")
    page = google.parse(html, region="BR")
    a = page.results[0]
    assert (a.kind, a.placement, a.rank, a.title) == ("ai_answer", "top", 1, "Visão geral criada por IA")
    assert a.answer_state == "collapsed"  # behind "Mostrar mais"; its hidden messages decline nothing
    assert a.text.startswith("Ferramentas de Inteligência Artificial (IA) são programas que ajudam a criar")
    assert "não está disponível" not in a.text and "Tente de novo" not in a.text
    assert a.phones == () and a.sources == ()  # the collapsed answer's sources tray is still empty
    # the organic results are exactly those recorded before the answer was read
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))
    before = recorded["google/2025-desktop-pt-br-ai-overview-collapsed.html@BR"]["results"]
    organic = [r for r in page.to_dict()["results"] if r["kind"] != "ai_answer"]
    assert len(organic) == 11
    keys = ("kind", "placement", "rank", "title", "landing_url", "domain", "text")
    assert [{k: r[k] for k in keys} for r in organic] == [{k: r[k] for k in keys} for r in before
                                                          if r["kind"] != "ai_answer"]


def test_an_answer_in_markup_the_parser_does_not_know_keeps_its_text_and_number():
    unknown = ('<div class="zz9new"><p>Bel Telnova op 0900 1234 567.</p></div><div role="button" '
               'aria-expanded="false">Meer weergeven</div>')
    _, a = _answer(_page(_panel(unknown)))
    assert (a.answer_state, a.text) == ("collapsed", "Bel Telnova op 0900 1234 567.")
    assert [p.e164 for p in a.phones] == ["+319001234567"]
