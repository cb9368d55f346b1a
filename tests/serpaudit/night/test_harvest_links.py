"""The harvest finds a brand's contact pages from its home page's links (serpaudit.night.harvest.contact_links)."""

from __future__ import annotations

from serpaudit.night.harvest import contact_links

HOME = "https://www.telnova.nl/"
DOMAINS = ("telnova.nl",)


def test_links_on_the_brands_domains_that_name_a_contact_page() -> None:
    html = """<html><body><nav>
      <a href="/over-ons">Over ons</a>
      <a href="/klant">Klant<b>en</b>service</a>
      <a href="https://mijn.telnova.nl/help/vragen#boven">Vragen?</a>
      <a href="/pagina-7"><span>Bel ons</span> <script>track("contact")</script></a>
      <a href="https://www.telnova-hulp.nl/contact">Contact</a>
      <a href="mailto:contact@telnova.nl">Contact</a>
      <a href="/klant#openingstijden">Klantenservice</a>
      <a>Contact</a>
    </nav><div style="display:none"><a href="/contact">Contact</a></div></body></html>"""
    # "Klant<b>en</b>service" reads "Klant en service" (the words of a link, as BeautifulSoup joined them), so
    # it is found by "service"; a link hidden in a collapsed menu still leads to the contact page; the words
    # of a script in a link are no words of the link; other domains, mailto: and links without href are not
    assert contact_links(html, HOME, DOMAINS) == [
        "https://www.telnova.nl/klant",
        "https://mijn.telnova.nl/help/vragen",
        "https://www.telnova.nl/contact",
    ]


def test_a_link_whose_only_sign_is_its_path() -> None:
    assert contact_links('<a href="/klantenservice/"><img alt=""></a>', HOME, DOMAINS) == [
        "https://www.telnova.nl/klantenservice/"]
    assert contact_links("", HOME, DOMAINS) == []
