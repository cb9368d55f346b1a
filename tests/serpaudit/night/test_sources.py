"""The sources stage: the pages an AI answer cites are opened once each, and the finding says which of them
carry the answer's number (no Chromium: a browser double hands back the pages)."""

from __future__ import annotations

from pathlib import Path

from audits.brands import Brand
from audits.rules import audit
from audits.store import Store
from crawler.browser_launch import PageCapture
from crawler.errors import FetchError
from sandbox.pdf import make_pdf
from serpaudit.crawl.evidence import EvidenceFolder
from serpaudit.night.sources import source_targets, visit_sources

T1 = "2026-12-03T02:00:00Z"
TELNOVA = Brand("Telnova", ("telnova.nl",), ("https://www.telnova.nl/klantenservice",))
CLOUDORA = Brand("Cloudora", ("cloudora.nl",), phone_support=False)
OFFICIAL, SCAM = "+318000234567", "+319008877665"
FORUM = "https://forum.klantenvragen.nl/t/48213-telnova-storing"
PDF = "https://www.docdeel.nl/d/telnova.pdf"
OWN = "https://www.telnova.nl/klantenservice"
SCAN = "https://www.docdeel.nl/d/scan.pdf"
GONE = "https://www.weg.nl/t/1"
CLICK = "https://www.googleadservices.com/pagead/aclk?sa=L&adurl=https://www.x.nl/"
PAGES = {
    FORUM: "<html><body><p>Ik belde de Telnova klantenservice op 0900 8877 665.</p></body></html>",
    OWN: "<html><body><p>Bel gratis 0800 023 4567.</p></body></html>",
}
DOCS = {PDF: make_pdf(["Telnova klantenservice", "Bel 0900 8877 665 (24/7)"]),
        SCAN: make_pdf(["Telnova klantenservice 0900 8877 665"], text_layer=False)}


class Pages:
    """Browser double: ``visit`` answers the planted pages and PDFs, and counts what was opened."""

    def __init__(self, robots: str | None = None) -> None:
        self.opened: list[str] = []
        self.robots = robots  # the brand's robots.txt, None for none

    def fetch_text(self, url: str) -> tuple[int, str]:
        return (404, "") if self.robots is None else (200, self.robots)

    def visit(self, url: str) -> PageCapture:
        self.opened.append(url)
        if url == GONE:
            raise FetchError(url, "net::ERR_NAME_NOT_RESOLVED")
        if url in DOCS:
            return PageCapture(url, url, 200, "", b"", "UA", "desktop", T1, redirect_chain=(url,),
                               content_type="application/pdf", document=DOCS[url])
        return PageCapture(url, url, 200, PAGES[url], b"", "UA", "desktop", T1, redirect_chain=(url,),
                           content_type="text/html")


def _phone(e164: str, number_type: str = "premium_rate") -> dict:
    return {"raw": "0900 8877 665" if e164 == SCAM else e164, "e164": e164, "number_type": number_type,
            "channel": "text", "found_in": "text"}


def _answer(phones: list[dict], sources: list[str], rank: int = 1) -> dict:
    return {"kind": "ai_answer", "placement": "top", "rank": rank, "title": "AI-overzicht", "display_url": None,
            "landing_url": None, "click_url": None, "domain": None, "text": "Bel ...", "phones": phones,
            "answer_state": "complete", "sources": [{"url": u, "title": u, "domain": None} for u in sources]}


def _store() -> tuple[Store, str]:
    store = Store(":memory:")
    store.upsert_brands([TELNOVA, CLOUDORA])
    run = store.start_run("nightly", T1)
    store.record_official("Telnova", _phone(OFFICIAL, "toll_free"), OWN, "contact", T1, run)
    store.record_harvest(run, "Telnova", "ok", "1 number", T1)
    store.record_harvest(run, "Cloudora", "empty", "no phone support", T1)
    return store, run


def _capture(store: Store, run: str, brand: str, results: list[dict], device: str = "desktop",
             engine: str = "google") -> None:
    cap = {"run_id": run, "brand": brand, "engine": engine, "query": f"{brand} klantenservice", "device": device,
           "captured_at": T1, "status": "ok"}
    store.record_capture(cap, {"engine": engine, "status": "ok", "query": cap["query"], "results": results})


def _visit(store: Store, run: str, tmp_path: Path, browser: Pages) -> dict[str, int]:
    brands = {b.name: b for b in store.brands()}
    return visit_sources(browser, store, run, brands, EvidenceFolder(tmp_path, run), region="NL")


def test_each_source_is_checked_for_the_number_and_the_finding_says_where_it_was_found(tmp_path):
    store, run = _store()
    _capture(store, run, "Telnova", [_answer([_phone(SCAM)], [FORUM, OWN, PDF])])
    _capture(store, run, "Telnova", [_answer([_phone(SCAM)], [FORUM, PDF])], device="mobile")  # the same pages
    browser = Pages()
    assert _visit(store, run, tmp_path, browser) == {"ok": 3}
    assert sorted(browser.opened) == sorted([FORUM, OWN, PDF])  # once each, though cited on both devices

    visits = {v["source_url"]: v for v in store.source_visits(run)}
    assert {u: v["numbers"] for u, v in visits.items()} == {FORUM: [SCAM], OWN: [OFFICIAL], PDF: [SCAM]}
    assert all(v["kind"] == "source" and v["via_result_id"] for v in visits.values())
    assert visits[PDF]["notes"].startswith("PDF, 1 page") and Path(visits[PDF]["html_path"]).suffix == ".pdf"

    (finding,) = audit(store, run).findings  # the official number on the brand's page is no finding
    assert (finding.rule, finding.e164, finding.verdict) == ("ai_answer_number", SCAM, "scam")
    assert finding.reason.endswith("; found on forum.klantenvragen.nl/t/48213-telnova-storing and a PDF on "
                                   "docdeel.nl")
    assert len(finding.sightings) == 2  # a number on a cited page is never a sighting of its own


def test_a_source_without_the_number_an_unreadable_pdf_and_a_dead_page_are_told_apart(tmp_path):
    store, run = _store()
    _capture(store, run, "Telnova", [_answer([_phone(SCAM)], [OWN, SCAN, GONE])])
    assert _visit(store, run, tmp_path, Pages()) == {"ok": 1, "unread": 1, "error": 1}
    visits = {v["source_url"]: v for v in store.source_visits(run)}
    assert "no text layer" in visits[SCAN]["error"] and visits[SCAN]["numbers"] == []
    assert "did not load" in visits[GONE]["error"]
    (finding,) = audit(store, run).findings
    assert finding.reason.endswith("on none of its 3 cited source(s) (2 not read)")
    # tracing is not the audit: a source that could not be read leaves the night complete
    assert all(c["kind"] != "source" for c in audit(store, run).blocked)


def test_a_resumed_run_does_not_open_a_source_again_but_retries_one_that_failed(tmp_path):
    store, run = _store()
    _capture(store, run, "Telnova", [_answer([_phone(SCAM)], [FORUM, GONE])])
    _visit(store, run, tmp_path, Pages())
    again = Pages()
    assert _visit(store, run, tmp_path, again) == {"ok": 1, "error": 1}
    assert again.opened == [GONE]


def test_only_answers_with_an_unpublished_number_are_traced_and_click_urls_never(tmp_path):
    store, run = _store()
    _capture(store, run, "Telnova", [_answer([_phone(OFFICIAL, "toll_free")], [FORUM])])  # official: nothing to trace
    _capture(store, run, "Telnova", [_answer([_phone(SCAM)], [CLICK, "javascript:alert(1)", OWN])], engine="bing")
    _capture(store, run, "Cloudora", [_answer([_phone(OFFICIAL, "toll_free")], [PDF])])  # no phone support
    brands = {b.name: b for b in store.brands()}
    assert sorted(t["visit_url"] for t in source_targets(store, run, brands)) == [PDF, OWN]
    browser = Pages()
    _visit(store, run, tmp_path, browser)
    assert CLICK not in browser.opened and FORUM not in browser.opened


def test_a_browser_a_page_stopped_is_relaunched_before_the_next_source(tmp_path):
    class Stopped(Pages):
        def __init__(self) -> None:
            super().__init__()
            self.relaunched = 0

        def alive(self) -> bool:  # the first source's visit left the browser stopped
            return len(self.opened) == 0 or self.relaunched > 0

        def relaunch(self) -> None:
            self.relaunched += 1

    store, run = _store()
    _capture(store, run, "Telnova", [_answer([_phone(SCAM)], [FORUM, OWN])])
    browser = Stopped()
    assert _visit(store, run, tmp_path, browser) == {"ok": 2}
    assert browser.relaunched == 1 and browser.opened == [FORUM, OWN]


def test_the_brands_own_page_is_opened_only_where_its_robots_txt_allows(tmp_path):
    store, run = _store()
    _capture(store, run, "Telnova", [_answer([_phone(SCAM)], [FORUM, OWN])])
    browser = Pages(robots="User-agent: *\nDisallow: /klantenservice\n")
    assert _visit(store, run, tmp_path, browser) == {"ok": 1, "error": 1}
    assert browser.opened == [FORUM]  # the forum is not the brand's: its visit is the trace's own
    visits = {v["source_url"]: v for v in store.source_visits(run)}
    assert visits[OWN]["error"] == "disallowed by robots.txt (the brand's own site)"
    (finding,) = audit(store, run).findings
    assert finding.reason.endswith("; found on forum.klantenvragen.nl/t/48213-telnova-storing; "
                                   "1 other source(s) not read")
