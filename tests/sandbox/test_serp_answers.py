"""Sandbox engines serve AI answers planted in the world file ([serps.ai_answer]); pure, no browser."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.engines import get_engine
from sandbox.web import SandboxWeb
from sandbox.world import DEFAULT_WORLD_PATH, WorldError, load_world

UA = {"user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"}
URLS = {"google": "https://www.google.nl/search?q=Telnova+storing&hl=nl",
        "bing": "https://www.bing.com/search?q=Telnova+storing&setlang=nl",
        "duckduckgo": "https://duckduckgo.com/?q=Telnova+storing&kl=nl-nl"}
TEXT = '"""De Telnova storingslijn is 0900 1234 567.\n\n## Ook bereikbaar\n- Via 0900 2233 445, dag en nacht."""'


def _world(tmp_path: Path, answer: str, engine: str = "google", nights: int | None = None):
    text = DEFAULT_WORLD_PATH.read_text(encoding="utf-8")
    if nights is not None:
        text = text.replace("nights = 3 ", f"nights = {nights} ", 1)
    text += f'\n[[serps]]\nengine = "{engine}"\nquery = "Telnova storing"\n  [serps.ai_answer]\n{answer}\n'
    (tmp_path / "w.toml").write_text(text, encoding="utf-8")
    return load_world(tmp_path / "w.toml")


def _answer(world, engine: str = "google"):
    html = SandboxWeb(world).respond("GET", URLS[engine], UA).text
    page = get_engine(engine).parse(html, URLS[engine], region="NL")
    answers = [r for r in page.results if r.kind == "ai_answer"]
    return html, (answers[0] if answers else None), page


def test_google_serves_the_planted_answer_with_its_sources_from_the_world(tmp_path):
    answer = (f'  text = {TEXT}\n  sources = ["https://www.klantenservicegids.nl/energiq", '
              '"https://www.telnova.nl/klantenservice"]')
    html, a, page = _answer(_world(tmp_path, answer))
    assert (a.placement, a.rank, a.title, a.answer_state) == ("top", 1, "AI-overzicht", "complete")
    assert a.text.splitlines() == ["De Telnova storingslijn is 0900 1234 567.", "Ook bereikbaar",
                                   "Via 0900 2233 445, dag en nacht."]
    assert [(s.title, s.domain) for s in a.sources] == [
        ("Energiq klantenservice - Klantenservicegids", "klantenservicegids.nl"), ("Klantenservice | Telnova",
                                                                                  "telnova.nl")]
    assert {p.e164 for p in a.phones} == {"+319001234567", "+319002233445"}
    assert "niet beschikbaar voor deze zoekopdracht" in html  # shipped hidden, as Google does
    assert page.status == "ok" and [r.kind for r in page.results].count("organic") >= 1


def test_a_collapsed_answer_shows_its_second_number_only_after_expanding(tmp_path):
    html, a, _ = _answer(_world(tmp_path, f"  text = {TEXT}\n  collapsed = true"))
    assert a.answer_state == "collapsed" and [p.e164 for p in a.phones] == ["+319001234567"]
    assert 'aria-expanded="false"' in html and "0900 2233 445" in html  # there, hidden until the click
    opened = html.replace('id="aio-', 'data-x="').replace(" hidden>", ">").replace('aria-expanded="false"',
                                                                                   'aria-expanded="true"')
    page = get_engine("google").parse(opened, URLS["google"])
    b = next(r for r in page.results if r.kind == "ai_answer")
    assert b.answer_state == "expanded" and "+319002233445" in [p.e164 for p in b.phones]


@pytest.mark.parametrize(("answer", "state"), [
    (f"  text = {TEXT}\n  late_ms = 1500", "unfinished"),  # read before its script ran: still being written
    ('  state = "unfinished"', "unfinished"),
    ('  state = "declined"', "declined"),
])
def test_late_unfinished_and_declined_answers(tmp_path, answer, state):
    html, a, page = _answer(_world(tmp_path, answer))
    assert (a.answer_state, a.text, a.phones) == (state, "", ())
    assert page.status == "ok"
    if "late_ms" in answer:
        assert "setTimeout(" in html and ",1500);" in html and "0900 1234 567" in html  # in its template


@pytest.mark.parametrize("engine", ["bing", "duckduckgo"])
def test_bing_and_duckduckgo_serve_their_answers(tmp_path, engine):
    answer = f'  text = {TEXT}\n  sources = ["https://www.klantenservicegids.nl/energiq"]'
    _, a, _ = _answer(_world(tmp_path, answer, engine), engine)
    assert (a.placement, a.title, a.answer_state) == (
        "top", {"bing": "Copilot", "duckduckgo": "Zoekassistent"}[engine], "complete")
    assert {p.e164 for p in a.phones} == {"+319001234567", "+319002233445"}
    assert [s.domain for s in a.sources] == ["klantenservicegids.nl"]
    _, b, _ = _answer(_world(tmp_path, '  state = "unfinished"', engine), engine)
    assert b.answer_state == "unfinished"


def test_an_answer_on_some_nights_only(tmp_path):
    world = _world(tmp_path, f"  text = {TEXT}\n  nights = [2]")
    assert _answer(world.night(1))[1] is None
    assert _answer(world.night(2))[1].answer_state == "complete"


@pytest.mark.parametrize(("answer", "message"), [
    ('  sources = ["https://www.nergens.nl/x"]\n  text = "x"', "ai_answer.sources[0]: host 'www.nergens.nl' is not"),
    ('  text = "x"\n  late_ms = -1', "ai_answer.late_ms: must be a whole number of milliseconds"),
    ("  collapsed = true", "ai_answer.text: must be a non-empty string"),  # a complete answer has text
    ('  state = "half"', "ai_answer.state: must be one of complete, unfinished, declined"),
])
def test_a_bad_answer_is_an_error_naming_the_field(tmp_path, answer, message):
    with pytest.raises(WorldError) as err:
        _world(tmp_path, answer)
    assert str(err.value).startswith("w.toml: serps[") and message in str(err.value)
