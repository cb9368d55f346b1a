"""One list of ad labels (crawler.labels): the Google parser and the drift alarm know the same words and headings."""

from __future__ import annotations

import pytest

from crawler import drift
from crawler.engines import google
from crawler.labels import (
    AD_LABELS,
    AD_LABELS_BY_LANGUAGE,
    SPONSORED_GROUP_LABELS,
    SPONSORED_GROUP_LABELS_BY_LANGUAGE,
    is_ad_label,
)

CLICK = "https://www.googleadservices.com/pagead/aclk?sa=L&ai=DChcSE&adurl=https://www.scam-hulp.nl/"


def unknown_ad_markup(label: str) -> str:
    """An ad in Google's top-ads container, in markup the parser has no selector for: only its label
    says it is an ad."""
    return f"""<html><body><div id="tads"><div class="new-2027"><span>{label}</span>
      <a href="{CLICK}"><h3>Klantenservice hulp</h3></a><p>Bel 0900 1234 567</p></div></div>
      <div id="rso"><div class="g"><a href="https://www.example.nl/"><h3>Example</h3></a></div></div>
      </body></html>"""


@pytest.mark.parametrize("label", [x for x in AD_LABELS if " " not in x])
def test_the_parser_reads_an_ad_by_any_label_the_drift_alarm_knows(label: str) -> None:
    html = unknown_ad_markup(label)
    page = google.parse(html, "https://www.google.nl/search?q=klantenservice")
    ads = [r for r in page.results if r.kind == "ad"]
    assert [(r.advertiser_domain, [p.e164 for p in r.phones]) for r in ads] == [("scam-hulp.nl", ["+319001234567"])]
    check = drift.check("google", html, page)
    assert check.ad_labels == 1 and not check.drifted


def test_labels_are_matched_whole_and_in_any_case() -> None:
    assert is_ad_label("gesponsord") and is_ad_label("SPONSORED RESULTS") and is_ad_label("Gesponsorde resultaten")
    assert not is_ad_label("Gesponsord door") and not is_ad_label("Adres")


@pytest.mark.parametrize("heading", SPONSORED_GROUP_LABELS)
def test_a_group_of_ads_under_its_heading_is_read_by_the_parser_and_the_alarm_alike(heading: str) -> None:
    """Google heads a group of ads "Sponsored results" / "Gesponsorde resultaten" and labels no ad in it:
    the parser reads the group by its heading, and the drift alarm knows the same headings."""
    html = f"""<html><body><div id="tads"><div><div role="heading" aria-level="2">{heading}</div>
      <div><a href="{CLICK}"><h3>Klantenservice hulp</h3></a><p>Bel 0900 1234 567</p></div></div></div>
      <div id="rso"><div class="g"><a href="https://www.example.nl/"><h3>Example</h3></a></div></div>
      </body></html>"""
    page = google.parse(html, "https://www.google.nl/search?q=klantenservice")
    assert [(r.kind, r.placement, r.advertiser_domain) for r in page.results if r.kind == "ad"] == [
        ("ad", "top", "scam-hulp.nl")]
    check = drift.check("google", html, page)
    assert check.ad_labels == 1 and check.ads_seen == 1 and not check.drifted


def test_every_language_has_its_labels_once() -> None:
    for by_language in (AD_LABELS_BY_LANGUAGE, SPONSORED_GROUP_LABELS_BY_LANGUAGE):
        for language, labels in by_language.items():
            assert labels and len(set(labels)) == len(labels), language
    assert len(set(AD_LABELS)) == len(AD_LABELS) and not set(AD_LABELS) & set(SPONSORED_GROUP_LABELS)
