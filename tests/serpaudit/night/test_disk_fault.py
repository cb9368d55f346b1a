"""A full disk mid-night (issue 20, item 8), injected at the evidence writer as OSError(ENOSPC): the night stops
with a clear error and stays unfinished; once space is back the next run resumes the same run and completes it,
with no job captured twice."""

from __future__ import annotations

import errno
from collections import Counter
from pathlib import Path

import pytest

from serpaudit.crawl import evidence
from serpaudit.crawl.evidence import EvidenceWriteError
from tests.support.sandbox_runs import default_world_text, run_world, skip_without_chromium

pytestmark = pytest.mark.browser


def test_a_full_disk_leaves_the_run_to_resume_and_the_next_run_completes_it(tmp_path, monkeypatch):
    skip_without_chromium()
    real = evidence._write_atomically
    writes = Counter()

    def full_after_a_while(path: Path, data: bytes) -> None:
        writes["n"] += 1
        if writes["n"] > 12:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, data)

    monkeypatch.setattr(evidence, "_write_atomically", full_after_a_while)
    with pytest.raises(EvidenceWriteError, match="No space left on device"):
        run_world(tmp_path, default_world_text(), ["Telnova", "Bankiva"], engines=("google", "bing"))
    assert not list(tmp_path.rglob("*.part"))  # nothing half-written is left
    monkeypatch.setattr(evidence, "_write_atomically", real)  # space is back
    outcome, store, web = run_world(tmp_path, default_world_text(), ["Telnova", "Bankiva"],
                                    engines=("google", "bing"))
    runs = store.runs()
    assert len(runs) == 1 and runs[0]["id"] == outcome.run_id and runs[0]["status"] in ("complete", "incomplete")
    assert runs[0]["summary"].get("resumed") == 1
    serps = [c for c in store.captures(outcome.run_id) if c["kind"] == "serp"]
    assert len(serps) == 4 and all(c["status"] == "ok" for c in serps)
    assert "+319001234567" in {f["e164"] for f in outcome.scams}
