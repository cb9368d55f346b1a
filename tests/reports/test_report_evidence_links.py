"""A report folder over the content-addressed evidence folder (issue 22): its evidence files are hard links to
the stored ones (no bytes copied), real files to whoever zips or copies the folder; each platform zip holds
real copies, a captured page uncompressed, hashing to the sha256 the store recorded."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import zipfile
from pathlib import Path

from PIL import Image

from audits.evidence_files import read_evidence
from reports import write_bundle
from serpaudit.crawl.evidence import EvidenceFolder
from tests.reports.test_reports import finding, read_dicts

PAGE = b"<html><body><div>KPN Klantenservice</div><p>Bel 0900-1234567</p><script>x()</script></body></html>" * 20


def _png(width: int, height: int, colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def _stored(tmp_path: Path) -> dict[str, str]:
    ev = EvidenceFolder(tmp_path / "evidence", "run-1")
    (html, html_sha), (shot, shot_sha), (crop, crop_sha) = (
        ev.write("serp", ".html", PAGE), ev.write("serp", ".png", _png(400, 300, (250, 250, 250))),
        ev.write("serp-top1", ".png", _png(120, 40, (200, 220, 255))))
    return {"html_path": html, "html_sha256": html_sha, "screenshot_path": shot, "screenshot_sha256": shot_sha,
            "evidence_path": crop, "evidence_sha256": crop_sha, "box": "[20, 30, 120, 40]"}


def _bundle(tmp_path: Path, out: str, evidence: dict[str, str]):
    return write_bundle([finding(id="f1", status="new", **evidence)], tmp_path / out)


def test_the_report_folder_links_the_stored_evidence_instead_of_copying_it(tmp_path: Path) -> None:
    evidence = _stored(tmp_path)
    bundle = _bundle(tmp_path, "night-1", evidence)
    row = read_dicts(bundle.dir / "findings.csv")[0]
    for key in ("html_path", "screenshot_path", "evidence_path"):
        in_folder, stored = bundle.dir / row[key], Path(evidence[key])
        assert os.path.samefile(in_folder, stored), key  # a hard link: the same file, no second copy
        assert not in_folder.is_symlink()
    assert row["html_path"] == f"evidence/{evidence['html_sha256']}.html.gz"
    assert read_evidence(bundle.dir / row["html_path"]) == PAGE
    safe = bundle.dir / "evidence" / f"{evidence['html_sha256']}.safe.html"
    assert os.path.samefile(safe, Path(evidence["html_path"]).with_name(safe.name))
    assert 'href="evidence/' + safe.name + '"' in (bundle.dir / "report.html").read_text(encoding="utf-8")


def test_the_outlined_screenshot_is_made_once_and_shared_by_the_nights_that_show_the_same_page(tmp_path) -> None:
    evidence = _stored(tmp_path)
    one, two = _bundle(tmp_path, "night-1", evidence), _bundle(tmp_path, "night-2", evidence)
    [a] = list((one.dir / "evidence").glob("*outlined*"))
    [b] = list((two.dir / "evidence").glob("*outlined*"))
    assert a.name == b.name and os.path.samefile(a, b)
    with Image.open(a) as image:  # the frame is drawn: red at the box's left edge, the page's grey inside
        assert image.getpixel((20 - 6, 50))[:3] == (227, 18, 11) and image.getpixel((80, 50))[:3] == (250, 250, 250)


def test_each_platform_zip_holds_real_copies_the_page_uncompressed_with_the_stored_sha256(tmp_path) -> None:
    evidence = _stored(tmp_path)
    bundle = _bundle(tmp_path, "night-1", evidence)
    [ad] = read_dicts(bundle.dir / "google_ads.csv")
    assert ad["page_html_file"] == f"evidence/{evidence['html_sha256']}.html"
    with zipfile.ZipFile(bundle.platform_zips["google_ads"]) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    assert members[ad["page_html_file"]] == PAGE
    for file_col, sha_col in (("page_html_file", "page_html_sha256"), ("screenshot_file", "screenshot_sha256"),
                              ("ad_crop_file", "ad_crop_sha256"),
                              ("screenshot_ad_outlined_file", "screenshot_ad_outlined_sha256")):
        assert hashlib.sha256(members[ad[file_col]]).hexdigest() == ad[sha_col], file_col
    sums = dict(reversed(line.split("  ")) for line in members["SHA256SUMS"].decode().splitlines())
    assert sums[ad["page_html_file"]] == evidence["html_sha256"]
    assert set(sums) == set(members) - {"SHA256SUMS"}


def test_a_copied_report_folder_is_whole_without_the_evidence_folder(tmp_path: Path) -> None:
    evidence = _stored(tmp_path)
    bundle = _bundle(tmp_path, "night-1", evidence)
    moved = tmp_path / "elsewhere"
    shutil.copytree(bundle.dir, moved)
    shutil.rmtree(tmp_path / "evidence")  # retention, or another machine: the copy needs nothing else
    for line in (moved / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        sha, name = line.split("  ")
        assert hashlib.sha256((moved / name).read_bytes()).hexdigest() == sha, name


def test_a_report_over_an_evidence_folder_on_another_disk_copies_instead(tmp_path: Path, monkeypatch) -> None:
    evidence = _stored(tmp_path)

    def cross_device(src, dst):
        raise OSError(18, "Invalid cross-device link")  # EXDEV

    monkeypatch.setattr(os, "link", cross_device)
    bundle = _bundle(tmp_path, "night-1", evidence)
    row = read_dicts(bundle.dir / "findings.csv")[0]
    shot = bundle.dir / row["screenshot_path"]
    assert shot.read_bytes() == Path(evidence["screenshot_path"]).read_bytes()
    assert not os.path.samefile(shot, evidence["screenshot_path"])
