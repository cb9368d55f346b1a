"""The browser's capture path in a real Chromium, against a tiny loopback web of our own.

The page a capture keeps is the page the engine showed: results that a script adds after the load
event are waited for (up to a bound), one reused page per device carries nothing from one capture to
the next (not even a failure), and the evidence is legible (full page at CSS scale, crops cut from
it with the numbers outlined, the page itself untouched).
"""

from __future__ import annotations

import io
import struct

import pytest
from PIL import Image

from crawler.browser import CROP_MARGIN, HIGHLIGHT_LINE, Browser, BrowserConfig
from crawler.errors import FetchError
from sandbox.server import SandboxServer
from sandbox.web import Response
from tests.support.sandbox_runs import skip_without_chromium

pytestmark = pytest.mark.browser

HTML = "text/html; charset=utf-8"
RESULT = '<div class="r"><h3>Result {i}</h3><p>Bel 020 123 456{i} voor hulp met uw account en vragen.</p></div>'
PAGES = {
    "/plain": "<html><head><meta name='viewport' content='width=device-width'></head><body><div id='results'>"
              + "".join(RESULT.format(i=i) for i in range(3)) + "</div></body></html>",
    # the results arrive from a script well after the load event, as on a page rendered client-side
    # (the script spells the title in two parts, so the HTML read at the load event does not hold it)
    "/late": "<html><body><div id='wait'>loading</div><script>setTimeout(() => {"
             " document.body.insertAdjacentHTML('beforeend', \"<div id='results'><h3>Late \" + \"result</h3></div>\");"
             " }, 700);</script></body></html>",
}


CLICKY = ("<html><body><div id='results'>x</div>"
          "<img src='https://www.googleadservices.com/pagead/aclk?sa=L&adurl=https://x.nl/'>"
          "<img src='https://www.bing.com/aclk?ld=e8&u=a1aHR0cHM6Ly94Lm5s'>"
          "<img src='https://www.bing.com.example/aclk?looks=alike'></body></html>")
PAGES["/clicky"] = CLICKY


class TinyWeb:
    def __init__(self) -> None:
        self.requests: list[str] = []

    def respond(self, method: str, url: str, headers: dict[str, str]) -> Response:
        self.requests.append(url)
        path = "/" + url.split("/", 3)[3].split("?")[0]
        if path in PAGES:
            return Response(200, {"content-type": HTML, "cache-control": "no-store"}, PAGES[path].encode())
        return Response(404, {"content-type": HTML}, b"<html><body>not found</body></html>")


WEB = TinyWeb()


@pytest.fixture(scope="module")
def browser():
    skip_without_chromium()
    with SandboxServer(WEB) as server, Browser(BrowserConfig(resolve_all_to=server.address)) as b:
        yield b


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", png[16:24])


def analyse(html: str, url: str) -> list[tuple[str, list[str]]]:
    return [(f"Result {i}", [f"020 123 456{i}"]) for i in range(3)]


def test_results_added_by_script_after_load_are_waited_for(browser):
    cap = browser.capture("https://example.test/late", ready="#results")
    assert "Late result" in cap.html


def test_a_page_read_too_early_is_read_again_once_its_results_are_there(browser):
    cap = browser.capture("https://example.test/late", ready="#results",
                          is_ready=lambda html, url: "Late result" in html,
                          analyse=lambda html, url: [("Late result", [])] if "Late result" in html else [])
    assert "Late result" in cap.html
    assert len(cap.blocks) == 1 and cap.blocks[0].box is not None  # measured on the page as it is now


def test_a_page_without_its_ready_marker_is_still_captured(browser):
    cap = browser.capture("https://example.test/plain", ready="#never-there")
    assert "Result 2" in cap.html and cap.screenshot


def test_a_failed_capture_does_not_spoil_the_next_one_on_the_reused_page(browser):
    first = browser.capture("https://example.test/plain", analyse=analyse, ready="#results")
    assert [b.png is not None for b in first.blocks] == [True, True, True]
    with pytest.raises(FetchError):
        browser.capture("https://unreachable.invalid:1/", ready="#results")  # refused by the browser
    second = browser.capture("https://example.test/late", ready="#results")
    assert second.final_url == "https://example.test/late"
    assert "Late result" in second.html
    assert "data-serpaudit-block" not in second.html and "<mark" not in second.html


def test_mobile_evidence_is_a_css_scale_page_and_crops_cut_from_it_with_numbers_outlined(browser):
    cap = browser.capture("https://example.test/plain", device="mobile", analyse=analyse, ready="#results")
    width, height = png_size(cap.screenshot)
    assert width == 412  # Pixel 7's CSS width: one image pixel per CSS pixel, legible and 7x smaller
    assert "<mark" not in cap.html and "outline" not in cap.html  # the page itself is never marked up
    for block in cap.blocks:
        assert block.png is not None and block.box is not None
        crop = Image.open(io.BytesIO(block.png)).convert("RGB")
        assert abs(crop.width - (block.box[2] + 2 * CROP_MARGIN)) <= 2
        assert abs(crop.height - (block.box[3] + 2 * CROP_MARGIN)) <= 2
        assert HIGHLIGHT_LINE[:3] in {color for _, color in crop.getcolors(1 << 20)}  # the number is outlined


def test_a_block_without_numbers_gets_a_box_but_no_crop(browser):
    cap = browser.capture("https://example.test/plain", analyse=lambda h, u: [("Result 0", []), ("Result 1", ["x"])],
                          ready="#results")
    assert cap.blocks[0].box is not None and cap.blocks[0].png is None
    assert cap.blocks[1].png is not None


def test_a_page_cannot_make_the_browser_request_an_ad_click_url(browser):
    browser.capture("https://example.test/clicky", ready="#results")
    assert not [u for u in WEB.requests if "googleadservices" in u or "www.bing.com/aclk" in u]
    assert "https://www.bing.com.example/aclk?looks=alike" in WEB.requests  # only click URLs are stopped
