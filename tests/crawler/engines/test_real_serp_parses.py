"""Every real saved result page parses exactly as it did before the parsers were reworked.

``tests/data/real_serp_parses.json`` holds the parse of each page in ../shared/fixtures as recorded with the
BeautifulSoup parsers (before the click-tracker, drift and lxml work), read in region NL and in the page's
own region (``name@REGION``).  Results must stay identical, apart
from the fields added since (listed in ADDED_FIELDS) and the changes listed in CHANGED with the reason.
To re-record after an intended change: ``python -m tests.crawler.engines.test_real_serp_parses --record`` and say why
in the commit.

CHANGED (intended, with the reason):
- google/2025-blocked-javascript-required.html, google/2026-blocked-soft-redirect.html: "unknown" with no
  query became "blocked" with the query (from the page's retry link, from its title): issue 19, the
  JavaScript wall and the soft block are blocks, never a page the parser could not read.
- google/2025-desktop-pt-br-ai-overview-collapsed.html: its collapsed AI Overview is read as a result of kind
  "ai_answer" (top 1, state "collapsed"), before the 11 organic results, which are unchanged: issue 19.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from crawler.engines import get_engine
from tests.support.fixtures import shared_fixtures_dir

BASELINE = Path(__file__).resolve().parents[2] / "data" / "real_serp_parses.json"
ADDED_FIELDS = ("advertiser_domain", "advertiser_domain_source")
ADDED_PHONE_FIELDS = ("found_in",)
_RECORDED: dict = json.loads(BASELINE.read_text(encoding="utf-8"))


def _without_added(page: dict) -> dict:
    def result(r: dict) -> dict:
        phones = [{k: v for k, v in p.items() if k not in ADDED_PHONE_FIELDS} for p in r["phones"]]
        return {**{k: v for k, v in r.items() if k not in ADDED_FIELDS}, "phones": phones}

    return {**page, "results": [result(r) for r in page["results"]]}


@pytest.mark.parametrize("name", sorted(_RECORDED))
def test_parse_is_unchanged(name, serp_fixture):
    engine, region = name.split("/")[0], name.rsplit("@", 1)[1]
    page = get_engine(engine).parse(serp_fixture(name.rsplit("@", 1)[0]), region=region).to_dict()
    want = _RECORDED[name]
    got = _without_added(page)
    assert got["status"] == want["status"] and got["query"] == want["query"]
    assert len(got["results"]) == len(want["results"])
    for i, (g, w) in enumerate(zip(got["results"], want["results"], strict=True)):
        assert g == w, f"{name}: result {i} ({w['kind']} {w['placement']}{w['rank']}) changed"
    assert got == want


def test_every_real_fixture_is_recorded(serp_fixture):
    base = shared_fixtures_dir()
    assert base is not None
    on_disk = {f"{p.parent.name}/{p.name}" for p in (base / "serp").glob("*/*.html")}
    recorded = {n.rsplit("@", 1)[0] for n in _RECORDED}
    assert on_disk == recorded, "a fixture was added or removed: record it (see module docstring)"


def page_region(name: str) -> str:
    """The region a saved page was served in, from its file name."""
    if "-pt-br-" in name:
        return "BR"
    return "CH" if "de-ch" in name else "DE" if "-de-" in name else "US" if "-en-" in name else "NL"


def record() -> None:
    base = shared_fixtures_dir()
    assert base is not None, "no fixtures"
    out = {}
    for p in sorted((base / "serp").glob("*/*.html")):
        html = p.read_text(encoding="utf-8", errors="replace")
        for region in sorted({"NL", page_region(p.name)}):
            page = get_engine(p.parent.name).parse(html, region=region).to_dict()
            out[f"{p.parent.name}/{p.name}@{region}"] = _without_added(page)
    BASELINE.write_text(json.dumps(out, indent=1, ensure_ascii=False, sort_keys=True), encoding="utf-8")


if __name__ == "__main__" and "--record" in sys.argv:
    record()
