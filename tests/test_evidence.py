from serpaudit.evidence import EvidenceFolder, sha256_of, slug


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
