"""The landing-page fingerprint reads a page's text as it always has: fingerprints are kept with the findings
and join campaigns across nights, so moving it from BeautifulSoup to lxml must not change one."""

from __future__ import annotations

import hashlib

from audits.campaigns import page_fingerprint

PAGE = """<html><head><title>Klantenservice hulp</title><style>.x{color:red}</style>
<script>var tel = "0900 1234567";</script></head><body><h1>Klant<b>en</b>service</h1>
<p>Bel direct 0900 1234 567 op www.kpn-hulp.nl: wij helpen je 24 uur per dag.</p>
<div style="display:none">verborgen tekst</div><!-- een opmerking --><template><p>sjabloon</p></template>
<p>Tot <ruby>ziens<rt>zi:ns</rt></ruby></p></body></html>"""


def test_the_title_and_hidden_text_count_scripts_styles_templates_and_comments_do_not() -> None:
    # what BeautifulSoup's get_text(" ") gave for this page, host names as @, digits as #, spaces folded
    text = ("klantenservice hulp klant en service bel direct # # # op @: wij helpen je # uur per dag. "
            "verborgen tekst tot ziens")
    assert page_fingerprint(PAGE) == hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def test_a_page_nested_deeper_than_libxml2_builds_has_its_whole_text() -> None:
    flat = "<p>Bel direct 0900 1234 567: wij helpen je 24 uur per dag met al je vragen.</p>"
    deep = "<div>" * 400 + flat + "</div>" * 400
    assert page_fingerprint(deep) == page_fingerprint(flat) is not None
