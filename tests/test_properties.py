"""Property-based: random and mutated settings files, world files, brand CSVs and HTML go to the loaders
and parsers.  Only the documented errors may come out (SettingsError, WorldError, BrandFileError; the
parsers never raise), never a traceback or a hang.  Bounded so the suite stays fast."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audits.brands import BrandFileError, default_brands_path, load_brands_csv
from crawler import contact
from crawler.engines import ENGINE_NAMES, get_engine
from sandbox import DEFAULT_WORLD_PATH
from sandbox.world import WorldError, load_world
from serpaudit.settings import Settings, SettingsError, load_settings, settings_toml

BOUNDED = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                   derandomize=True)
SETTINGS_TEXT = settings_toml().encode("utf-8")
WORLD_TEXT = DEFAULT_WORLD_PATH.read_bytes()
BRANDS_TEXT = default_brands_path().read_bytes()
# Bytes that matter to the formats: quotes, brackets, separators, line breaks, braces, NUL, non-UTF-8.
SPECIAL = st.sampled_from([b'"', b"'", b"[", b"]", b"{", b"}", b"=", b",", b";", b"\n", b"\r", b"#", b"\x00",
                           b"\xff", b"\xe9", b"\\", b"<", b">", b"{x}", b"-1", b"[[", b"http://[", b":99999", b" "])


@st.composite
def mutated(draw, original: bytes) -> bytes:
    """``original`` with a few random edits: bytes replaced, inserted or deleted, lines dropped or doubled."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        kind = draw(st.sampled_from(["insert", "replace", "delete", "line"]))
        piece = draw(st.one_of(SPECIAL, st.binary(min_size=1, max_size=6)))
        if kind == "insert":
            data[at:at] = piece
        elif kind == "replace":
            data[at : at + len(piece)] = piece
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 40))]
        else:
            lines = bytes(data).split(b"\n")
            i = draw(st.integers(0, len(lines) - 1))
            lines[i:i + 1] = [] if draw(st.booleans()) else [lines[i], lines[i]]
            data = bytearray(b"\n".join(lines))
    return bytes(data)


_FOLDER = tempfile.TemporaryDirectory(prefix="serpaudit-prop-")


def _file(data: bytes, name: str) -> Path:
    path = Path(_FOLDER.name) / name  # one file per name, overwritten by each example
    path.write_bytes(data)
    return path


@BOUNDED
@given(st.one_of(mutated(SETTINGS_TEXT), st.binary(max_size=300)))
def test_settings_loader_gives_a_settings_object_or_a_settings_error(data):
    try:
        assert isinstance(load_settings(_file(data, "serpaudit.toml"), env={}), Settings)
    except SettingsError as exc:
        assert "serpaudit.toml" in str(exc) or "defaults" in str(exc)


@BOUNDED
@given(st.one_of(mutated(WORLD_TEXT), st.binary(max_size=300)))
def test_world_loader_gives_a_world_or_a_world_error(data):
    try:
        load_world(_file(data, "world.toml"))
    except WorldError as exc:
        assert str(exc).startswith("world.toml")


@BOUNDED
@given(st.one_of(mutated(BRANDS_TEXT), st.binary(max_size=300)))
def test_brand_loader_gives_brands_or_a_brand_file_error(data):
    try:
        load_brands_csv(_file(data, "brands.csv"))
    except BrandFileError as exc:
        assert str(exc).startswith("brands.csv:")


TAGS = st.sampled_from(["<p>", "</p>", "<div>", "</div>", "<a href='tel:+31201234567'>", "</a>", "<br>",
                        "<script type='application/ld+json'>", "</script>", "<span style='display:none'>",
                        "<li class='b_ad'>", "<div id='tads'>", "<h3>", "</h3>", "<!--", "-->", "<table><td>",
                        "<a href='https://wa.me/31612345678'>", "<meta itemprop='telephone' content='+31 20'>"])
TEXTS = st.sampled_from(["Bel 020 123 4567", "0900-KLANTEN", "06 12 34 56 78", "KvK 12345678", "12-03-2024",
                         "€ 12,95", '{"telephone": "+31 88 123 4567"}', "&amp;", "\x00", "\u202e", "+", "("])
HTML = st.lists(st.one_of(TAGS, TEXTS, st.text(max_size=20)), max_size=60).map("".join)


@BOUNDED
@given(HTML, st.sampled_from(["NL", "BE", "US"]))
def test_contact_parser_never_raises(html, region):
    page = contact.parse(html, "https://www.example.nl/", region, contact.Limits(max_chars=50_000, budget_s=5))
    assert all(p.e164.startswith("+") for p in page.phones)


@BOUNDED
@given(HTML, st.sampled_from(ENGINE_NAMES))
def test_engine_parsers_never_raise(html, engine):
    page = get_engine(engine).parse(html, None, region="NL")
    assert page.status in ("ok", "consent", "captcha", "blocked", "empty", "unknown", "drift")
