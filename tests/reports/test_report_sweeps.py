"""Several sweeps a day in the reports (issue 21): each case says on how many days and in how many of the sweeps
that looked it was seen, and the hours of day (UTC) it was live at."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from reports import write_bundle
from tests.reports.test_reports import T1, finding, read_dicts

RUN = {"id": "r1", "command": "run", "status": "complete", "started_at": T1, "summary": {}}


def test_the_card_the_csv_and_the_xlsx_show_days_sweeps_and_hours(tmp_path: Path) -> None:
    f = finding(status="recurring", nights_seen=5, times_seen=9, sweeps_audited=15, hours_seen=[14, 9])
    one = finding(e164="+31201234567", status="new", nights_seen=1, times_seen=1, sweeps_audited=1, hours_seen="[2]")
    write_bundle([f, one], tmp_path, run=RUN, blocked=[])
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "seen on 5 days, in 9 of 15 sweeps · hours seen 09, 14 (UTC)" in html
    assert "seen on 1 day, in 1 of 1 sweep · hours seen 02 (UTC)" in html
    rows = {r["phone_tel"]: r for r in read_dicts(tmp_path / "findings.csv")}
    row = rows["tel:+319001234567"]
    assert (row["sweeps_audited"], row["hours_seen_utc"]) == ("15", "09, 14")
    sheet = openpyxl.load_workbook(tmp_path / "findings.xlsx")["open"]
    header = [c.value for c in sheet[1]]
    values = {h: [c.value for c in col[1:]] for h, col in zip(header, sheet.iter_cols(), strict=True)}
    assert sorted(values["hours seen (UTC)"]) == ["02", "09, 14"] and sorted(values["sweeps audited"]) == [1, 15]
    assert sorted(values["days seen"]) == [1, 5]


def test_a_case_from_before_several_sweeps_shows_its_days(tmp_path: Path) -> None:
    write_bundle([finding(status="recurring", nights_seen=3)], tmp_path, run=RUN, blocked=[])
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "seen on 3 days" in html and "sweep" not in html.split('id="findings"')[1].split("</section>")[0]


def test_the_card_says_when_it_was_seen_as_a_person_writes_a_time(tmp_path: Path) -> None:
    f = finding(status="recurring", nights_seen=2, first_seen="2024-04-30T02:00:41+00:00")
    write_bundle([f], tmp_path, run=RUN, blocked=[])
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "seen 2024-05-01 02:00 UTC · first seen 2024-04-30 02:00 UTC" in html
    assert "T02:00" not in html.split('id="findings"')[1].split("</section>")[0]
