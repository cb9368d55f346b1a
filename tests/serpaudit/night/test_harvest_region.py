"""A harvest on the wrong region (issue 20, item 11): `region = BE` on Dutch contact pages reads their Dutch
numbers; and a region that reads no number from pages that plainly show some fails the brand's harvest, saying
why, so the night is incomplete instead of clean."""

from __future__ import annotations

from audits.brands import Brand
from audits.store import Store
from crawler.browser_launch import PageCapture
from serpaudit.crawl.evidence import EvidenceFolder
from serpaudit.night.harvest import harvest_brand, phone_like
from serpaudit.night.health import harvest_reasons

TELNOVA = Brand("Telnova", ("telnova.nl",), ("https://www.telnova.nl/contact",))
PAGE = """<html><body><h1>Contact</h1><p>Klantenservice: bel 088 123 4567 (7 dagen per week bereikbaar),
zakelijk 020 123 4567. KvK 12345678, IBAN NL91 ABNA 0417 1643 00, open 08:00-17.30.</p></body></html>"""


class ContactPages:
    def __init__(self, html: str) -> None:
        self.html = html

    def capture(self, url: str, reveal: bool = False) -> PageCapture:
        return PageCapture(url=url, final_url=url, http_status=200, html=self.html, screenshot=b"", user_agent="",
                           device="desktop", captured_at="2026-05-01T02:00:00+00:00")

    def fetch_text(self, url: str) -> tuple[int, str]:
        return 404, ""


def _harvest(tmp_path, region: str, html: str = PAGE):
    store = Store(":memory:")
    store.upsert_brands([TELNOVA])
    run = store.start_run("harvest", "2026-05-01T02:00:00+00:00")
    outcome = harvest_brand(ContactPages(html), store, TELNOVA, run, EvidenceFolder(tmp_path, run), region=region,
                            max_pages=3)
    return outcome, store.official_numbers("Telnova")


def test_a_belgian_sweep_harvests_a_dutch_brands_numbers(tmp_path):
    outcome, numbers = _harvest(tmp_path, "BE")
    assert outcome.status == "ok" and numbers == {"+31881234567", "+31201234567"}


def test_a_region_that_reads_none_of_the_numbers_shown_fails_the_harvest_saying_why(tmp_path):
    outcome, numbers = _harvest(tmp_path, "US")
    assert outcome.status == "failed" and not numbers
    assert "the pages show 2 phone numbers that region US does not read ('088 123 4567', '020 123 4567')" \
        in outcome.detail and "is `region` right?" in outcome.detail
    # one brand of one failing: more than max_failed_harvest_share, the night is incomplete and says so
    assert harvest_reasons({"Telnova": outcome.status}, max_failed_share=0.2) == [
        "1 of 1 brand harvests failed (more than max_failed_harvest_share 20%)"]


def test_a_page_with_no_number_at_all_is_still_empty_not_failed(tmp_path):
    outcome, _ = _harvest(tmp_path, "US", "<p>Mail ons: KvK 12345678, IBAN NL91 ABNA 0417 1643 00, 12-03-2024,"
                                          " open 08:00-17.30, 1234 AB Utrecht, € 12,95</p>")
    assert outcome.status == "empty"


def test_what_looks_like_a_phone_number():
    assert phone_like("<p>0900 1234 567, +31 (0)20 123 4567, 020-1234567, +32 2 511 12 34</p>") == [
        "0900 1234 567", "+31 (0)20 123 4567", "020-1234567", "+32 2 511 12 34"]
    assert phone_like("<p>KvK 12345678 IBAN NL91 ABNA 0417 1643 00 12-03-2024 1234 AB</p>"
                      "<script>'0201234567'</script>") == []
