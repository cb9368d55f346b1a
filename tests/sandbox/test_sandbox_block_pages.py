"""The sandbox engines serve the block pages of 2025-2026 where the world asks for them ([[serps]] ``page``),
and the engine parsers read each as a block or a CAPTCHA (pure: SandboxWeb.respond, no browser)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote_plus

import pytest

from crawler.engines import get_engine
from sandbox.web import SandboxWeb
from sandbox.world import DEFAULT_WORLD_PATH, WorldError, load_world

DESKTOP = {"user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"}
URLS = {
    "google": lambda q: f"https://www.google.nl/search?q={quote_plus(q)}&hl=nl&gl=nl",
    "bing": lambda q: f"https://www.bing.com/search?q={quote_plus(q)}&setlang=nl&cc=NL",
    "duckduckgo": lambda q: f"https://duckduckgo.com/?q={quote_plus(q)}&kl=nl-nl",
}
QUERY = "Telnova storing"  # planted nowhere in the default world


def _world_with(tmp_path: Path, plant: str):
    text = DEFAULT_WORLD_PATH.read_text(encoding="utf-8") + "\n" + plant
    (tmp_path / "w.toml").write_text(text, encoding="utf-8")
    return load_world(tmp_path / "w.toml")


def _plant(engine: str, status: str, page: str | None) -> str:
    line = f'page = "{page}"\n' if page else ""
    return f'[[serps]]\nengine = "{engine}"\nquery = "{QUERY}"\nstatus = "{status}"\n{line}'


@pytest.mark.parametrize(("engine", "status", "page", "http", "marker"), [
    ("google", "blocked", None, 403, "That’s an error."),
    ("google", "blocked", "javascript_required", 200, "/httpservice/retry/enablejs"),
    ("google", "blocked", "soft_redirect", 200, "/httpservice/retry/enablejs"),
    ("bing", "captcha", None, 200, "Nog één stap"),
    ("bing", "captcha", "one_last_step", 200, "One last step"),
    ("duckduckgo", "captcha", None, 202, "bots use DuckDuckGo too"),
    ("duckduckgo", "captcha", "html_challenge", 202, 'action="//duckduckgo.com/anomaly.js?'),
    ("duckduckgo", "captcha", "javascript_challenge", 202, "react-results--main"),
])
def test_each_block_page_is_served_and_read_as_not_audited(tmp_path, engine, status, page, http, marker):
    web = SandboxWeb(_world_with(tmp_path, _plant(engine, status, page)))
    url = URLS[engine](QUERY)
    r = web.respond("GET", url, DESKTOP)
    assert r.status == http and marker in r.text
    parsed = get_engine(engine).parse(r.text, url=url, region="NL")
    assert (parsed.status, parsed.results) == (status, ())
    assert parsed.query == QUERY
    other = web.respond("GET", URLS[engine]("Bankiva klantenservice"), DESKTOP)  # other queries still answer
    assert get_engine(engine).parse(other.text, url=URLS[engine]("Bankiva klantenservice")).status == "ok"


def test_bing_one_last_step_keeps_the_result_page_title(tmp_path):
    web = SandboxWeb(_world_with(tmp_path, _plant("bing", "captcha", "one_last_step")))
    r = web.respond("GET", URLS["bing"](QUERY), DESKTOP)
    assert f"<title>{QUERY} - Search</title>" in r.text
    assert 'id="sb_form_q"' in r.text and '<li class="b_algo"' not in r.text


def test_the_soft_block_is_only_a_title_and_a_frame(tmp_path):
    web = SandboxWeb(_world_with(tmp_path, _plant("google", "blocked", "soft_redirect")))
    r = web.respond("GET", URLS["google"](QUERY), DESKTOP)
    assert f"<title>{QUERY} - Google Zoeken</title>" in r.text and '<div id="main"></div>' in r.text
    assert 'id="rso"' not in r.text and "<a " not in r.text


@pytest.mark.parametrize(("plant", "message"), [
    (_plant("google", "blocked", "cloudflare"), "page: must be one of forbidden, javascript_required,"),
    (_plant("bing", "ok", "one_last_step"), "page: only a captcha or blocked page comes in variants"),
    (_plant("duckduckgo", "captcha", "one_last_step"), "page: must be one of html_challenge, javascript_challenge"),
])
def test_a_block_page_the_engine_does_not_have_is_an_error_naming_the_field(tmp_path, plant, message):
    planted = len(load_world(DEFAULT_WORLD_PATH).serps)  # the new entry comes after the default world's
    with pytest.raises(WorldError) as err:
        _world_with(tmp_path, plant)
    assert str(err.value).startswith(f"w.toml: serps[{planted}].{message}")
