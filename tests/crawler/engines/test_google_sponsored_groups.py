"""Google's grouped sponsored results (October 2025): ads under one "Sponsored results" heading with a hide
button, labelled only on the group, at the top and at the bottom (even inside the organic results)."""

from __future__ import annotations

from crawler.drift import check
from crawler.engines import google

URL = "https://www.google.nl/search?q=telnova+klantenservice"


def _ad(n: int, host: str, number: str, markup: bool = True) -> str:
    click = f"https://www.googleadservices.com/pagead/aclk?sa=L&amp;ai=A{n}&amp;adurl=https://{host}/"
    attr = ' data-text-ad="1"' if markup else ""
    return (f'<div class="uEierd"><div{attr}><a href="{click}"><div role="heading" aria-level="3">'
            f"<span>Klantenservice {n}</span></div><span role=\"text\">{host}</span></a>"
            f"<div>Bel direct {number}</div></div></div>")


def _group(ads: str, heading: str = "Gesponsorde resultaten", hide: str = "Gesponsorde resultaten verbergen") -> str:
    return (f'<div role="region" aria-label="{heading}"><div role="heading" aria-level="2"><span>{heading}</span>'
            f'</div><div id="g1">{ads}</div><button type="button" aria-expanded="true" aria-controls="g1">{hide}'
            "</button></div>")


def _organic(n: int) -> str:
    return (f'<div class="MjjYud"><div class="g"><a href="https://www.telnova.nl/p{n}"><h3>Telnova {n}</h3>'
            f"<cite>www.telnova.nl</cite></a><div>Bel gratis 0800 023 4567</div></div></div>")


def _page(top: str = "", rso_before: str = "", rso_after: str = "") -> str:
    return (f'<html><head><title>telnova klantenservice - Google Zoeken</title></head><body><div id="main">'
            f'<form><textarea name="q">telnova klantenservice</textarea></form><div id="center_col">'
            f'<div id="taw"><div id="tvcap">{top}</div></div><div id="search"><div id="rso">{rso_before}'
            f"{_organic(1)}{_organic(2)}{rso_after}</div></div></div></div></body></html>")


def _ads(page):
    return [(r.placement, r.rank, r.domain, [p.e164 for p in r.phones]) for r in page.results if r.kind == "ad"]


def test_a_top_group_in_the_ad_container_without_a_label_on_its_ads():
    ads = _ad(1, "telnova-support.nl", "0900 1234 567") + _ad(2, "belhulp.nl", "0900 2233 445")
    page = google.parse(_page(top=f'<div id="tads">{_group(ads)}</div>'), URL)
    assert page.status == "ok"
    assert _ads(page) == [("top", 1, "telnova-support.nl", ["+319001234567"]),
                          ("top", 2, "belhulp.nl", ["+319002233445"])]
    assert [r.kind for r in page.results] == ["ad", "ad", "organic", "organic"]  # no heading, no hide button


def test_a_bottom_group_inside_the_organic_results_is_ads_at_the_bottom():
    ads = "".join(_ad(n, f"adv{n}.nl", f"0900 12{n}4 567") for n in range(1, 5))  # the most a group holds
    page = google.parse(_page(rso_after=f'<div class="MjjYud">{_group(ads)}</div>'), URL)
    assert [(p, r, d) for p, r, d, _ in _ads(page)] == [("bottom", n, f"adv{n}.nl") for n in range(1, 5)]
    organic = [r for r in page.results if r.kind == "organic"]
    assert [r.landing_url for r in organic] == ["https://www.telnova.nl/p1", "https://www.telnova.nl/p2"]
    assert all(r.click_url and "googleadservices" in r.click_url for r in page.results if r.kind == "ad")


def test_a_group_of_ads_without_ad_markup_is_read_by_its_click_links_in_english():
    ads = _ad(1, "telnova-help.com", "0900 1234 567", markup=False) + _ad(2, "callfix.com", "085 401 2233",
                                                                            markup=False)
    group = _group(ads, "Sponsored results", "Hide sponsored results")
    page = google.parse(_page(rso_before=f'<div class="MjjYud">{group}</div>'), URL)
    assert [(p, r, d) for p, r, d, _ in _ads(page)] == [("top", 1, "telnova-help.com"), ("top", 2, "callfix.com")]
    assert len([r for r in page.results if r.kind == "organic"]) == 2
    assert not any("Hide sponsored results" in r.text or r.title == "Sponsored results" for r in page.results)


def test_a_hidden_group_shows_no_ads_and_a_heading_alone_is_no_ad():
    ads = _ad(1, "telnova-support.nl", "0900 1234 567").replace('<div class="uEierd">',
                                                               '<div class="uEierd" style="display:none">')
    page = google.parse(_page(rso_after=_group(ads)), URL)
    assert _ads(page) == []
    lone = google.parse(_page(rso_after='<div><div role="heading">Gesponsorde resultaten</div></div>'), URL)
    assert [r.kind for r in lone.results] == ["organic", "organic"]


def test_the_drift_alarm_stays_quiet_on_a_grouped_page():
    top = _ad(1, "telnova-support.nl", "0900 1234 567", markup=False)
    bottom = _ad(2, "belhulp.nl", "0900 2233 445")
    html = _page(top=f'<div id="tads">{_group(top, "Sponsored results")}</div>', rso_after=_group(bottom))
    page = google.parse(html, URL)
    assert [(p, d) for p, _, d, _ in _ads(page)] == [("top", "telnova-support.nl"), ("bottom", "belhulp.nl")]
    assert not check("google", html, page).drifted
