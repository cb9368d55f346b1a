"""crawler.rendered_text: the text a person sees, from a stored Chromium DOMSnapshot of a hostile landing page
(tests/data/hostile_landing.html, captured with SNAPSHOT_PARAMS after its late number was written)."""

import json
from pathlib import Path

import pytest

from crawler.contact import parse
from crawler.rendered_text import SNAPSHOT_PARAMS, rendered_text

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def text() -> str:
    return rendered_text(json.loads((DATA / "hostile_landing.snapshot.json").read_text()))


def test_reads_what_the_html_parse_misses(text: str) -> None:
    lines = text.splitlines()
    assert "Bel 0900 1234 567" in lines  # ::before content joined to the element's own text
    assert "Of WhatsApp: 088 765 4321" in lines  # ::after after the element's children
    assert "0800 123 4567" in lines  # <input value>
    assert "070 765 4321" in lines  # an empty input's placeholder
    assert "088 111 2222" in lines  # SVG <text>
    assert "010 222 3333" in lines and "030 444 5555" in lines  # open and closed shadow roots
    assert "Call 070 333 4444" in lines  # iframe srcdoc
    assert "Late 040 666 7777" in lines  # written by script 1.5 s after load


def test_junk_a_person_cannot_see_is_left_out(text: str) -> None:
    # digits at font-size 0 and 1 px between the real ones: the number reads as a person sees it
    assert "Tel 020 555 1234" in text.splitlines()
    for hidden in ("0900 000 0000", "0900 111 0000", "0900 222 0000", "0900 333 0000", "0900 999 9999",
                   "0611111111"):  # display none, visibility hidden, an ancestor's opacity 0, transparent
        assert hidden not in text  # colour, a frame that is not shown, a password field
    assert "\n\n" not in text and not text.startswith("\n")


def test_the_numbers_read_from_it(text: str) -> None:
    found = {p.e164 for p in parse(text, region="NL").phones}
    assert {"+319001234567", "+31887654321", "+31205551234", "+318001234567", "+31707654321", "+31881112222",
            "+31102223333", "+31304445555", "+31703334444", "+31406667777"} <= found
    assert not found & {"+319000000000", "+319001110000", "+319002220000", "+319003330000", "+319009999999"}


def test_html_alone_misses_them() -> None:
    # why the rendered text is read beside the HTML: the plain parse of the same page finds almost none
    found = {p.e164 for p in parse((DATA / "hostile_landing.html").read_text(), region="NL").phones}
    assert "+319001234567" not in found and "+31205551234" not in found and "+31102223333" not in found


def test_params_ask_for_the_styles_it_reads() -> None:
    assert SNAPSHOT_PARAMS["computedStyles"] == ["font-size", "visibility", "display", "opacity", "color"]


def _snapshot(nodes: list[tuple[int, str]], layout: list[tuple[int, str | None, list[str]]]) -> dict:
    """A hand-made snapshot: nodes as (parent, name), layout entries as (node, text or None, styles)."""
    strings: list[str] = []

    def s(v: str) -> int:
        strings.append(v)
        return len(strings) - 1

    doc = {"nodes": {"parentIndex": [p for p, _ in nodes], "nodeName": [s(n) for _, n in nodes],
                     "attributes": [[] for _ in nodes]},
           "layout": {"nodeIndex": [n for n, _, _ in layout],
                      "text": [s(t) if t is not None else -1 for _, t, _ in layout],
                      "styles": [[s(v) for v in st] for _, _, st in layout]}}
    return {"documents": [doc], "strings": strings}


VISIBLE = ["16px", "visible", "block", "1", "rgb(0, 0, 0)"]


def test_deep_dom_is_read_in_one_pass() -> None:
    depth = 20_000
    nodes = [(-1, "#document")] + [(i, "DIV") for i in range(depth)] + [(depth, "#text")]
    layout = [(i, None, VISIBLE) for i in range(1, depth + 1)] + [(depth + 1, "Bel 020 123 4567", VISIBLE)]
    assert rendered_text(_snapshot(nodes, layout)) == "Bel 020 123 4567"


def test_cut_at_max_chars_and_empty_input() -> None:
    nodes = [(-1, "#document"), (0, "P"), (1, "#text"), (0, "P"), (3, "#text")]
    layout = [(1, None, VISIBLE), (2, "a" * 50, VISIBLE), (3, None, VISIBLE), (4, "b" * 50, VISIBLE)]
    assert rendered_text(_snapshot(nodes, layout), max_chars=60) == "a" * 50 + "\n" + "b" * 9
    assert rendered_text({}) == "" and rendered_text({"documents": [{}], "strings": []}) == ""
