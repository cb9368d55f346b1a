"""Retention over the content-addressed evidence folder (issue 22): a file shared by many nights goes only
when no night has stored it since the cutoff and no finding names it; with it go its sanitised copy and its
outlined screenshots, never those of a finding."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from audits.brands import Brand
from audits.store import Store
from serpaudit.crawl.evidence import EvidenceFolder, safe_copy_path
from serpaudit.ops.outputs import prune_evidence

NOW = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)
LONG_AGO = datetime(2025, 1, 1, 3, 0, tzinfo=UTC).timestamp()


def _aged(*paths: str | Path) -> None:
    for p in paths:
        os.utime(p, (LONG_AGO, LONG_AGO))


def test_old_shared_files_go_unless_stored_again_since_or_named_by_a_finding(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite")
    ev = EvidenceFolder(tmp_path / "ev", "old-night")
    finding_page, _ = ev.write("a", ".html", b"<p>the scam page</p>")
    finding_shot, _ = ev.write("a", ".png", b"\x89PNG finding")
    outlined = Path(finding_shot).with_name(Path(finding_shot).name.removesuffix(".png") + ".outlined-1.png")
    outlined.write_bytes(b"\x89PNG outlined")
    old_page, _ = ev.write("b", ".html", b"<p>an old result page</p>")
    again, _ = ev.write("c", ".png", b"\x89PNG the same every night")
    _aged(finding_page, safe_copy_path(finding_page), finding_shot, outlined, old_page, safe_copy_path(old_page),
          again)
    EvidenceFolder(tmp_path / "ev", "last-night").write("c", ".png", b"\x89PNG the same every night")
    store.upsert_brands([Brand(name="Telnova", domains=("telnova.nl",))])
    run = store.start_run("run", "2025-01-01T02:00:00+00:00")
    store.upsert_findings(run, [{"brand": "Telnova", "e164": "+31900", "engine": "google", "kind": "ad",
                                 "verdict": "scam", "captured_at": "2025-01-01T02:00:00+00:00",
                                 "html_path": finding_page, "screenshot_path": finding_shot}])

    assert prune_evidence(store, tmp_path / "ev", 90, now=NOW) == 2  # the old page and its sanitised copy
    assert not Path(old_page).exists() and not Path(safe_copy_path(old_page)).exists()
    for kept in (finding_page, safe_copy_path(finding_page), finding_shot, outlined, again):
        assert Path(kept).exists(), kept
