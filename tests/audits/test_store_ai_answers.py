"""The store keeps an AI answer's state and cited sources with its result (and its numbers as sightings)."""

from __future__ import annotations

import json

from audits.store import Store
from crawler.engines import google


def test_an_ai_answer_is_stored_with_its_state_sources_and_numbers(tmp_path):
    html = ('<html><body><div id="center_col"><div><h1>AI-overzicht</h1><div class="mZJni"><div class="Y3BBE">'
            'Bel Telnova op 0900 1234 567.</div></div><ul class="bTFeG"><li><a href="https://forum.klantvragen.nl/t/1"'
            ' aria-label="Telnova bellen">Klantvragen</a></li></ul></div><div id="search"><div id="rso"><div>'
            '<a href="https://www.telnova.nl/"><h3>Telnova</h3></a></div></div></div></div></body></html>')
    page = google.parse(html, "https://www.google.nl/search?q=telnova", region="NL")
    store = Store(tmp_path / "db.sqlite")
    run = store.start_run("crawl", "2026-12-03T02:00:00+00:00")
    store.record_capture({"run_id": run, "brand": "Telnova", "engine": "google", "query": "telnova",
                          "device": "desktop", "status": "ok"}, page.to_dict())
    rows = {r["kind"]: r for r in store.results(run)}
    answer = rows["ai_answer"]
    assert (answer["placement"], answer["rank"], answer["answer_state"]) == ("top", 1, "complete")
    assert json.loads(answer["sources"]) == [
        {"url": "https://forum.klantvragen.nl/t/1", "title": "Telnova bellen", "domain": "klantvragen.nl"}]
    assert rows["organic"]["answer_state"] is None and rows["organic"]["sources"] is None
    seen = [(s["kind"], s["e164"]) for s in store.sightings(run)]
    assert seen == [("ai_answer", "+319001234567")]
