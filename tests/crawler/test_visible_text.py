"""One set of visibility rules for every page the crawler reads (crawler.visible_text).

Result pages (the engine parsers, the drift alarm) and contact and landing pages (crawler.contact) go
through the same parse and the same walker.  Until the contact reader was moved onto it, it had its own
(BeautifulSoup); where the two differed, the rule kept is the one a person looking at the page would
expect, and each such rule has a test here.
"""

from __future__ import annotations

from crawler import contact
from crawler.htmltree import phones_in, sweep
from crawler.models import Phone
from crawler.visible_text import is_hidden, page_text, parse_html, visible_text

AMS = Phone("020 123 4567", "+31201234567", "fixed_line", "text")


def first(root, tag: str):  # noqa: ANN001, ANN201 - lxml ships no types
    return next(root.iter(tag))


# --------------------------------------------------------------------------- the rules


def test_visible_text_skips_invisible_and_separates_blocks() -> None:
    root = parse_html(
        """<div id="r"><h3>Klant<b>service</b></h3>
        <script>var tel = "0900 7654321";</script><style>.x{}</style><noscript>0900 1111111</noscript>
        <template><p>0900 2222222</p></template><!-- 0900 3333333 -->
        <p hidden>0900 4444444</p><p style="color:red; display: none">0900 5555555</p>
        <span style="visibility:hidden">0900 6666666</span>
        <span style="VISIBILITY: collapse !important">0900 7777777</span>
        <svg><title>0900 9999999</title></svg>
        <span aria-hidden="true">0900 8170</span>
        <div>020</div><div>1234567</div><table><tr><td>020</td><td>7654321</td></tr></table></div>"""
    )
    block = first(root, "div")
    assert visible_text(block) == "Klant service\n0900 8170\n020\n1234567\n020\n7654321"
    assert visible_text(block, block_sep=" | ").startswith("Klant service | 0900 8170 | 020")
    assert visible_text(None) == ""


def test_hidden_is_inherited_and_aria_hidden_is_not_hidden() -> None:
    root = parse_html('<div style="display:none"><p><a href="tel:0201234567">x</a></p></div>'
                      '<div aria-hidden="true"><a href="tel:0201234568">y</a></div>')
    hidden, shown = list(root.iter("a"))
    assert is_hidden(hidden) and not is_hidden(shown)


def test_the_contact_reader_and_the_result_parsers_read_the_same_text() -> None:
    html = """<html><head><title>0900 7777777</title></head><body><div id="b">
      <p>Bel <b>020</b> 123 4567</p><span aria-hidden="true">088 444 66 66</span>
      <p hidden>0900 1111111</p><div style="display:none">0900 2222222</div><noscript>0900 3333333</noscript>
    </div></body></html>"""
    block = first(parse_html(html), "div")
    assert {p.e164 for p in phones_in(block)} == {p.e164 for p in contact.parse(html).phones}
    assert {p.e164 for p in contact.parse(html).phones} == {"+31201234567", "+31884446666"}


# --------------------------------------------------------------------------- where the two walkers differed


def test_a_number_nested_deeper_than_libxml2_builds_is_still_read() -> None:
    """libxml2 stops building a tree 256 elements deep and drops the rest of the page, so the lxml walker
    (result pages) saw nothing of it; the BeautifulSoup one (contact pages) did.  A browser shows it, and a
    hostile landing page can nest its number that deep: it is read, and so is what follows it."""
    deep = "<div>" * 1000 + '<a href="tel:0201234567">Bel</a> 0900 1234567' + "</div>" * 1000
    html = f"<html><body><p>Klantenservice</p>{deep}<p>Of bel 088 444 66 66</p></body></html>"
    text = page_text(parse_html(html))
    assert text.split("\n") == ["Klantenservice", "Bel 0900 1234567", "Of bel 088 444 66 66"]
    assert [(p.e164, p.channel) for p in contact.parse(html).phones] == [
        ("+31201234567", "tel"), ("+319001234567", "text"), ("+31884446666", "text"),
    ]
    block = first(parse_html(html), "body")
    assert {(p.e164, p.channel) for p in sweep(block)} == {
        ("+31201234567", "tel"), ("+319001234567", "text"), ("+31884446666", "text"),
    }


def test_a_deep_page_keeps_its_comments_and_hidden_elements() -> None:
    """The deep page is read by the same rules: a comment still separates the text around it and a hidden
    element is still hidden."""
    html = "<div>" * 300 + '<p>a<!-- x -->b</p><p hidden>0900 1111111</p>' + "</div>" * 300
    assert page_text(parse_html(html)) == "a b"


def test_what_stands_after_the_body_is_read_on_a_contact_page() -> None:
    """A browser shows what a page writes after ``</body>`` (it goes back into the body); both walkers read
    only the body and missed it."""
    html = "<html><body><h1>Contact</h1></body><p>Bel 020 123 4567</p></html>"
    assert contact.parse(html).phones == (AMS,)
    assert contact.parse('<html><body hidden><p>x</p></body><p>Bel 020 123 4567</p></html>').phones == (AMS,)


def test_a_hidden_page_root_hides_everything() -> None:
    assert contact.parse('<html hidden><body><p>Bel 020 123 4567</p></body></html>').phones == ()
    assert contact.parse('<html><body style="display:none"><p>Bel 020 123 4567</p></body></html>').phones == ()


# --------------------------------------------------------------------------- numbers in a block


def test_phones_in_links_first_then_text() -> None:
    root = parse_html(
        """<div class="ad"><a href="tel:+31900 8170">Bellen</a>
        <a class="btn" href="tel:0800-0227"><span>Bel nu</span></a>
        <a href="https://wa.me/31626652583">WhatsApp</a>
        <a href="tel:0201234567" style="display:none">verborgen</a>
        <p>Bel 0900-8170 of 06 26 65 25 83</p><div>020</div><div>1234567</div></div>"""
    )
    assert phones_in(first(root, "div"), "NL", call_buttons=".btn") == (
        Phone("+31900 8170", "+319008170", "premium_rate", "tel"),
        Phone("0800-0227", "+318000227", "toll_free", "call_button"),
        Phone("+31626652583", "+31626652583", "mobile", "whatsapp"),
        Phone("0900-8170", "+319008170", "premium_rate", "text"),
        Phone("06 26 65 25 83", "+31626652583", "mobile", "text"),
    )


def test_phones_in_dedupes_per_channel() -> None:
    root = parse_html('<div><a href="tel:09008170">Bellen</a><a href="tel:0900-8170">Bel</a> 0900 8170 0900-8170</div>')
    assert [(p.e164, p.channel) for p in phones_in(first(root, "div"))] == [
        ("+319008170", "tel"),
        ("+319008170", "text"),
    ]


def test_phones_in_call_button_wrapper() -> None:
    root = parse_html(
        '<div><span class="call-btn"><a href="tel:0900-8170"><svg><title>0900 1234567</title></svg>Bellen</a>'
        '</span><a href="tel:0800-0227">0800-0227</a></div>'
    )
    assert phones_in(first(root, "div"), call_buttons=".call-btn") == (
        Phone("0900-8170", "+319008170", "premium_rate", "call_button"),
        Phone("0800-0227", "+318000227", "toll_free", "tel"),
        Phone("0800-0227", "+318000227", "toll_free", "text"),
    )


def test_phones_in_on_a_link_itself() -> None:
    link = first(parse_html('<a href="tel:0900-8170">Bellen</a>'), "a")
    assert phones_in(link) == (Phone("0900-8170", "+319008170", "premium_rate", "tel"),)
