"""Numbers on a brand's contact page: links, visible text, JSON-LD and microdata."""

from __future__ import annotations

from crawler.contact import FoundNumber, harvest, looks_like_html, parse
from crawler.models import ContactPage, Phone

URL = "https://www.example.nl/klantenservice"

AMS = "+31201234567"
MOBILE = "+31626652583"


def found(raw: str, e164: str, number_type: str, channel: str, found_by: str) -> FoundNumber:
    return FoundNumber(Phone(raw, e164, number_type, channel), found_by)


def test_tel_and_whatsapp_links() -> None:
    html = """<html><body>
      <a href="tel:+31201234567">Bellen</a>
      <a href="https://wa.me/31626652583?text=Hallo">Chat via WhatsApp</a>
      <a href="https://api.whatsapp.com/send?phone=31612345678">App ons</a>
      <a href="/contact">Contact</a>
    </body></html>"""
    assert parse(html, URL) == ContactPage(
        url=URL,
        phones=(
            Phone("+31201234567", AMS, "fixed_line", "tel"),
            Phone("+31626652583", MOBILE, "mobile", "whatsapp"),
            Phone("+31612345678", "+31612345678", "mobile", "whatsapp"),
        ),
    )
    assert [f.found_by for f in harvest(html, URL)] == ["tel_link", "whatsapp_link", "whatsapp_link"]


def test_visible_text_and_whatsapp_context() -> None:
    html = """<body><h1>Klantenservice</h1>
      <p>Bel ons op 020 123 4567 (ma-vr 08:00 - 20:00).</p>
      <p>WhatsApp: 06 26 65 25 83</p>
      <p>Of stuur een bericht naar 06 12 34 56 78 (WhatsApp)</p>
      <p>KvK 12345678 · BTW NL855123456B01 · IBAN NL18 ABNA 0201 2345 67</p>
      <p>Bestelnummer: 0301234567</p>
    </body>"""
    assert harvest(html, URL) == [
        found("020 123 4567", AMS, "fixed_line", "text", "text"),
        found("06 26 65 25 83", MOBILE, "mobile", "whatsapp", "text"),
        found("06 12 34 56 78", "+31612345678", "mobile", "whatsapp", "text"),
    ]


def test_same_number_in_three_formats_gives_one_phone() -> None:
    html = "<p>Bel 020 123 4567</p><p>Buitenland: +31 20 123 4567</p><p>of 0031 (0)20-1234567</p>"
    assert parse(html).phones == (Phone("020 123 4567", AMS, "fixed_line", "text"),)


def test_link_and_text_of_the_same_number_are_two_channels() -> None:
    html = '<a href="tel:0900-8170">0900 - 81 70</a><a href="tel:09008170">Bellen</a>'
    assert parse(html).phones == (
        Phone("0900-8170", "+319008170", "premium_rate", "tel"),
        Phone("0900 - 81 70", "+319008170", "premium_rate", "text"),
    )


def test_json_ld_organization_with_nested_contact_points() -> None:
    html = """<html><head><script type="application/ld+json">
    {"@context": "https://schema.org", "@type": "Organization", "name": "Voorbeeld B.V.",
     "telephone": "+31 20 123 4567",
     "contactPoint": [
        {"@type": "ContactPoint", "telephone": "+31-800-0227", "contactType": "customer service"},
        {"@type": "ContactPoint", "telephone": ["+31 88 444 66 66"], "contactType": "sales"},
        {"@type": "ContactPoint", "telephone": "+31 6 26 65 25 83", "contactType": "WhatsApp"}
     ]}
    </script></head><body><p>Welkom</p></body></html>"""
    assert harvest(html, URL) == [
        found("+31 20 123 4567", AMS, "fixed_line", "text", "json_ld"),
        found("+31-800-0227", "+318000227", "toll_free", "text", "json_ld"),
        found("+31 88 444 66 66", "+31884446666", "uan", "text", "json_ld"),
        found("+31 6 26 65 25 83", MOBILE, "mobile", "whatsapp", "json_ld"),
    ]


def test_json_ld_graph_and_array() -> None:
    html = """<script type="application/ld+json">
    {"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "name": "x"},
        {"@type": "Organization", "contactPoint": {"@type": "ContactPoint", "telephone": "085 123 4567"}}
    ]}</script>
    <script type="application/ld+json">[{"@type": "LocalBusiness", "telephone": "010-2411723"}]</script>
    <script type="application/ld+json">{ this is not json 0900 1234567 }</script>"""
    assert parse(html).phones == (
        Phone("085 123 4567", "+31851234567", "voip", "text"),
        Phone("010-2411723", "+31102411723", "fixed_line", "text"),
    )
    assert {f.found_by for f in harvest(html)} == {"json_ld"}


def test_microdata() -> None:
    html = """<div itemscope itemtype="https://schema.org/Organization">
      <span itemprop="name">Voorbeeld</span>
      Telefoon: <span itemprop="telephone">0800 024 12 12</span>
      <meta itemprop="telephone" content="+31884446666">
      <a itemprop="telephone" href="tel:+31851234567">Bel ons</a>
    </div>"""
    result = harvest(html)
    assert [f for f in result if f.found_by == "microdata"] == [
        found("0800 024 12 12", "+318000241212", "toll_free", "text", "microdata"),
        found("+31884446666", "+31884446666", "uan", "text", "microdata"),
        found("+31851234567", "+31851234567", "voip", "text", "microdata"),
    ]
    assert parse(html).phones == (
        Phone("+31851234567", "+31851234567", "voip", "tel"),
        Phone("0800 024 12 12", "+318000241212", "toll_free", "text"),
        Phone("+31884446666", "+31884446666", "uan", "text"),
        Phone("+31851234567", "+31851234567", "voip", "text"),
    )


def test_numbers_in_scripts_and_hidden_elements_are_not_read() -> None:
    html = """<html><head><title>0900 7777777</title></head><body>
      <script>window.callNumber = "0900 1234567"; var wa = "https://wa.me/31612345678";</script>
      <div style="display:none"><p>Bel 0900 7654321</p><a href="tel:09007654321">Bel</a></div>
      <p hidden>0900 1111111</p>
      <div style="display: none"><span itemprop="telephone">0900 2222222</span></div>
      <noscript>0900 3333333</noscript>
      <p>Klantenservice: <span aria-hidden="true">088 444 66 66</span></p>
    </body></html>"""
    # aria-hidden text is still shown on screen, so it is read.
    assert parse(html).phones == (Phone("088 444 66 66", "+31884446666", "uan", "text"),)


def test_plain_text_input() -> None:
    text = (
        "Klantenservice\n"
        "Telefoon: 088 444 66 66 (ma-vr 09.00-17.00 uur, € 0,10 per minuut)\n"
        "WhatsApp: 06 26 65 25 83\n"
        "Chat: wa.me/31612345678\n"
        "KvK 12345678 | Postbus 1234, 1000 AB Amsterdam | 2024-03-12\n"
    )
    assert not looks_like_html(text)
    assert harvest(text, None) == [
        found("+31612345678", "+31612345678", "mobile", "whatsapp", "whatsapp_link"),
        found("088 444 66 66", "+31884446666", "uan", "text", "text"),
        found("06 26 65 25 83", MOBILE, "mobile", "whatsapp", "text"),
    ]
    assert parse(text).phones == tuple(f.phone for f in harvest(text))


def test_plain_text_with_angle_brackets_is_still_plain_text() -> None:
    text = "Bel 0900-8170 als 3 < 5 en 5 > 3"
    assert not looks_like_html(text)
    assert parse(text, region="NL").phones == (Phone("0900-8170", "+319008170", "premium_rate", "text"),)


def test_empty_content() -> None:
    assert parse("", URL) == ContactPage(url=URL, phones=())
    assert harvest("   ") == []


def test_numbers_in_adjacent_blocks_do_not_merge() -> None:
    html = "<table><tr><td>Tel</td><td>020</td><td>1234567</td></tr></table><div>0800</div><div>0227</div>"
    assert parse(html).phones == ()


def test_to_dict() -> None:
    [f] = harvest('<a href="tel:0800-0227">Bel</a>')
    assert f.to_dict() == {
        "phone": {"raw": "0800-0227", "e164": "+318000227", "number_type": "toll_free", "channel": "tel"},
        "found_by": "tel_link",
    }
