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
    assert open(path, "rb").read() == raw and digest == sha256_of(raw)  # the raw evidence is untouched
    safe = open(safe_copy_path(path), encoding="utf-8").read()
    assert safe_copy_path(path).endswith("landing-x.safe.html")
    assert "Bel 0900 123 4567" in safe and digest in safe
    assert f'content="{SAFE_CSP}"' in safe and safe.index("Content-Security-Policy") < safe.index("<body")
    for gone in ("<script", "onload", "onclick", "javascript:alert", "<iframe", "<link", "refresh",
                 ' src="https://t.example', ' action="https://t.example', ' formaction=', "url(https://t.example"):
        assert gone not in safe, gone
