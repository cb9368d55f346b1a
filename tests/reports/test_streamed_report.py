"""A report written from the store streams (reports.ordered): every case once, in report order, in
findings.csv, findings.xlsx, report.html and the platform CSVs and zips, and the same files as a report of the
night's findings handed over as a list (sorted in memory, as reports always were)."""

from __future__ import annotations

import csv
import re
import zipfile

import openpyxl

from reports.cells import is_inert
from reports.context import finding_key, sort_key, state_of
from reports.platforms import to_report
from serpaudit.night.reporting import report_context, write_report_bundle
from serpaudit.settings import Settings
from tests.support.big_night import big_night

NOW = "2026-11-30T08:00:00+00:00"
TEXT_FILES = ("findings.csv", "report.html", "summary.txt", "ai_answers.csv", "google_ads.csv",
              "microsoft_advertising.csv")


def _settings(tmp_path):
    return Settings(database=tmp_path / "db.sqlite", reports_dir=tmp_path / "reports",
                    evidence_dir=tmp_path / "evidence")


def _csv_column(path, column):
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [row[column] for row in csv.DictReader(fh)]


def _sheets(path):
    book = openpyxl.load_workbook(path)
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in book.worksheets}


def test_a_report_streamed_from_the_store_holds_every_case_once_in_order(tmp_path):
    store, run_id = big_night(tmp_path)
    expected = sorted(store.findings(run_id=run_id), key=sort_key)
    ids = [finding_key(f) for f in expected]
    bundle = write_report_bundle(_settings(tmp_path), store, run_id, tmp_path / "out", NOW)
    folder = bundle.dir

    assert _csv_column(folder / "findings.csv", "id") == ids
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert re.findall(r'<div class="finding sev-\w+" id="f-(\w+)">', html) == ids
    # each brand's heading counts its cases, though the page is written before they are read
    headings = re.findall(r'<h3 id="brand-\d+">(.*?) <span class="muted">\((\d+)\)</span></h3>', html)
    assert [(b, int(n)) for b, n in headings] == [
        (b, sum(1 for f in expected if f["brand"] == b)) for b in dict.fromkeys(f["brand"] for f in expected)]
    assert "&lt;b&gt;ad 0&lt;/b&gt;" in html and "<b>ad" not in html

    sheets = _sheets(folder / "findings.xlsx")
    assert list(sheets)[:5] == ["open", "confirmed", "reported", "dismissed", "resolved"]
    for state in ("open", "confirmed", "reported", "dismissed", "resolved"):
        rows = sheets[state]
        assert [r[0] for r in rows[1:]] == [finding_key(f) for f in expected if state_of(f) == state]
    title = sheets["open"][0].index("title")
    assert sheets["open"][1][title].startswith("=HYPERLINK(")  # text, not a formula (openpyxl reads it as is)

    ctx = report_context(_settings(tmp_path), store, store.run(run_id), NOW)
    for platform in ("google_ads", "microsoft_advertising"):
        chosen = [finding_key(f) for f in to_report(expected, platform, ctx)]
        assert chosen and _csv_column(folder / f"{platform}.csv", "report_id") == chosen == bundle.sent[platform]
        with zipfile.ZipFile(folder / f"{platform}.zip") as zf:
            crops = [n for n in zf.namelist() if n.endswith(".png")]
        # the crops its CSV names (an older store's file is named by its folder too), in order, each once
        assert crops == list(dict.fromkeys(f"evidence/evidence-{f['evidence_path'].rsplit('/', 1)[-1]}" for f in
                                           to_report(expected, platform, ctx) if f.get("evidence_path")))
    with (folder / "findings.csv").open(encoding="utf-8-sig", newline="") as fh:
        assert all(is_inert(cell) for row in csv.reader(fh) for cell in row if not cell.startswith("tel:"))


def test_the_streamed_report_is_the_report_of_the_listed_findings(tmp_path):
    store, run_id = big_night(tmp_path)
    settings = _settings(tmp_path)
    streamed = write_report_bundle(settings, store, run_id, tmp_path / "streamed", NOW)
    listed = write_report_bundle(settings, store, run_id, tmp_path / "listed", NOW,
                                 findings=store.findings(run_id=run_id))
    for name in TEXT_FILES:
        assert (streamed.dir / name).read_bytes() == (listed.dir / name).read_bytes(), name
    assert _sheets(streamed.dir / "findings.xlsx") == _sheets(listed.dir / "findings.xlsx")
    assert streamed.sent == listed.sent and streamed.summary == listed.summary


def test_triage_at_the_desk_while_the_report_is_written_changes_no_output_of_it(tmp_path):
    # the report reads the night in several passes (minutes at 100,000 cases) while analysts triage: every
    # output shows the night as it was when the report began, so no case is in one and missing from another
    from audits.store import Store

    store, run_id = big_night(tmp_path)
    expected = sorted(store.findings(run_id=run_id), key=sort_key)
    moved = [f for f in expected if state_of(f) == "open"][:5]
    desk = Store(tmp_path / "db.sqlite")  # another connection, as the desk's process has
    passes = []
    read = store.report_findings

    def report_findings(*args, **kwargs):
        passes.append(1)
        if len(passes) == 2:  # after the first pass (the CSVs' tally), before the workbook's and the page's
            with desk.transaction():
                for f in moved:
                    desk.db.execute("update findings set state = 'resolved' where id = ?", [f["id"]])
        return read(*args, **kwargs)

    store.report_findings = report_findings
    folder = write_report_bundle(_settings(tmp_path), store, run_id, tmp_path / "out", NOW).dir
    assert len(passes) >= 3
    assert {f["id"]: f["state"] for f in desk.findings(run_id=run_id)}[moved[0]["id"]] == "resolved"  # it did
    sheets = _sheets(folder / "findings.xlsx")
    for state in ("open", "resolved"):
        assert [r[0] for r in sheets[state][1:]] == [finding_key(f) for f in expected if state_of(f) == state]
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert re.findall(r'<div class="finding sev-\w+" id="f-(\w+)">', html) == [finding_key(f) for f in expected]
