import gzip
import os
from pathlib import Path

import pytest

from audits.evidence_files import read_evidence, read_page
from serpaudit.crawl.evidence import EvidenceFolder, sha256_of, slug


def test_names_from_hostile_text_stay_inside_the_evidence_folder(tmp_path):
    ev = EvidenceFolder(tmp_path / "evidence", "../../run 1")
    for label in ["../../etc/passwd", "https://evil.nl/../../x?y=/z", "..", "", "ÄÖÜ/\\\x00"]:
        path, digest = ev.write(ev.name(label, label), ".html", b"<p>x</p>")
        assert (tmp_path / "evidence").resolve() in __import__("pathlib").Path(path).resolve().parents
        assert digest == sha256_of(b"<p>x</p>")


def test_names_are_stable_and_distinct_per_key(tmp_path):
    ev = EvidenceFolder(tmp_path, "run")
    assert ev.name("google", "a", "b") == ev.name("google", "a", "b")
    assert ev.name("google", "a", "b") != ev.name("google", "a", "c")
    assert slug("Pakketpost Express!") == "pakketpost-express"


def test_every_html_file_gets_a_sanitised_copy_that_cannot_run_or_load_anything(tmp_path):
    from serpaudit.crawl.evidence import SAFE_CSP, safe_copy_path

    ev = EvidenceFolder(tmp_path, "run")
    raw = (b'<html><head><script>alert(1)</script><link rel="stylesheet" href="https://t.example/a.css">'
           b'<meta http-equiv="refresh" content="0;url=https://t.example/"></head>'
           b'<body onload="track()"><img src="https://t.example/p.gif">'
           b'<a href="javascript:alert(2)" onclick="x()">a</a>'
           b'<p style="background:url(https://t.example/bg)">Bel 0900 123 4567</p>'
           b'<iframe src="https://t.example/"></iframe><form action="https://t.example/post">'
           b'<button formaction="https://t.example/b">go</button></form></body></html>')
    path, digest = ev.write("landing-x", ".html", raw)
    assert read_evidence(path) == raw and digest == sha256_of(raw)  # the raw evidence is untouched
    safe = open(safe_copy_path(path), encoding="utf-8").read()
    assert safe_copy_path(path).endswith(f"{digest}.safe.html")
    assert "Bel 0900 123 4567" in safe and digest in safe
    assert f'content="{SAFE_CSP}"' in safe and safe.index("Content-Security-Policy") < safe.index("<body")
    for gone in ("<script", "onload", "onclick", "javascript:alert", "<iframe", "<link", "refresh",
                 ' src="https://t.example', ' action="https://t.example', ' formaction=', "url(https://t.example"):
        assert gone not in safe, gone


PAGE = ("<html><body>" + "<div class='result'><a href='https://x.nl'>Klantenservice</a> Bel 0900 123 4567</div>" * 200
        + "</body></html>").encode("utf-8")


def test_a_page_is_stored_gzipped_named_by_the_sha256_of_the_page_as_served(tmp_path):
    path, digest = EvidenceFolder(tmp_path, "run").write("serp-google", ".html", PAGE)
    stored = Path(path)
    assert digest == sha256_of(PAGE) and stored.name == f"{digest}.html.gz"
    assert stored.parent == tmp_path.resolve() / "sha256" / digest[:2]
    assert gzip.decompress(stored.read_bytes()) == PAGE  # any gunzip opens it
    assert stored.stat().st_size < len(PAGE) / 5
    assert read_page(stored) == PAGE.decode("utf-8")


def test_the_same_bytes_are_stored_once_whatever_run_or_job_wrote_them(tmp_path):
    png = b"\x89PNG\r\n\x1a\n" + b"screenshot" * 100
    first = EvidenceFolder(tmp_path, "night-1").write("google-desktop-a", ".png", png)
    again = EvidenceFolder(tmp_path, "night-2").write("bing-mobile-b", ".png", png)
    other = EvidenceFolder(tmp_path, "night-2").write("bing-mobile-b", ".png", png + b"x")
    assert first == again and other[0] != first[0]
    assert Path(first[0]).read_bytes() == png  # a PNG is stored as it was captured
    assert sorted(p.name for p in (tmp_path / "sha256").rglob("*") if p.is_file()) == sorted(
        [f"{first[1]}.png", f"{other[1]}.png"])


def test_a_page_stored_again_is_not_rewritten_but_counts_as_stored_tonight(tmp_path):
    ev = EvidenceFolder(tmp_path, "run")
    path, _ = ev.write("a", ".html", PAGE)
    os.utime(path, (1_000_000, 1_000_000))
    inode = os.stat(path).st_ino
    assert ev.write("b", ".html", PAGE)[0] == path
    assert os.stat(path).st_ino == inode and os.stat(path).st_mtime > 1_000_000  # retention counts from now


def test_an_older_store_with_plain_pages_still_reads(tmp_path):
    from audits.campaigns import page_fingerprint
    from serpaudit.app.parse import parse_serp

    old = tmp_path / "evidence" / "d54db30a0b35ff2b"  # a run folder, as stores were before issue 22
    old.mkdir(parents=True)
    page = old / "google-desktop-bankiva-644e9f161932.html"
    page.write_bytes(PAGE)
    assert read_evidence(page) == PAGE and read_page(page) == PAGE.decode("utf-8")
    gz = Path(EvidenceFolder(tmp_path / "evidence", "run").write("x", ".html", PAGE)[0])
    assert page_fingerprint(read_page(page)) == page_fingerprint(read_page(gz)) is not None
    assert parse_serp([page], "google", "NL", None) == parse_serp([gz], "google", "NL", None)


def test_a_damaged_gzipped_page_is_a_clear_error_naming_the_file(tmp_path):
    path = Path(EvidenceFolder(tmp_path, "run").write("x", ".html", PAGE)[0])
    path.write_bytes(path.read_bytes()[:40])
    with pytest.raises(OSError, match=path.name):
        read_evidence(path)


def test_lanes_storing_the_same_bytes_at_once_each_get_the_one_whole_file(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    ev = EvidenceFolder(tmp_path, "run")
    with ThreadPoolExecutor(8) as pool:
        paths = set(pool.map(lambda i: ev.write(f"lane-{i}", ".html", PAGE), range(32)))
    [(path, digest)] = paths
    assert read_evidence(path) == PAGE and digest == sha256_of(PAGE)
    assert not list(tmp_path.rglob("*.part"))
