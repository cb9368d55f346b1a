"""`serpaudit submit`: the ads a platform is offered, the bundle built from them, and the night folders kept."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

from typer.testing import CliRunner

from audits.store import Store
from serpaudit.cli import app
from tests.support.ad_store import ad_store

runner = CliRunner()


def _submit(config: Path, *args: str):
    return runner.invoke(app, ["submit", "--config", str(config), *args])


def _tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_platform_is_offered_its_live_open_or_confirmed_ads_never_reported(tmp_path):
    config, ids = ad_store(tmp_path)
    result = _submit(config, "--platform", "google_ads", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    # open (new), confirmed and recurring: whichever night first seen; not dismissed, gone, reported,
    # inconclusive, nor the Bing ad (Microsoft Advertising's)
    assert {a["id"] for a in out["ads"]} == {ids["open"], ids["confirmed"], ids["recurring"]}
    folder = Path(out["folder"])
    assert folder.parent == tmp_path / "reports" / "submissions" and folder.name.startswith("google_ads-")
    with zipfile.ZipFile(out["zip"]) as zf:
        names = zf.namelist()
        sums = dict(line.split("  ")[::-1] for line in zf.read("SHA256SUMS").decode().splitlines())
        assert set(sums) == set(names) - {"SHA256SUMS"}
        for name in sums:
            assert hashlib.sha256(zf.read(name)).hexdigest() == sums[name], name
    assert "google_ads.csv" in names and sum(n.startswith("evidence/") for n in names) == 3
    assert hashlib.sha256(Path(out["zip"]).read_bytes()).hexdigest() == out["zip_sha256"]
    csv_text = (folder / "google_ads.csv").read_text(encoding="utf-8-sig")
    assert "confirmed by an analyst" in csv_text and "still live, not yet reported" in csv_text
    # built, not sent: nothing is reported, and the store knows the bundle and who built it
    store = Store(tmp_path / "db.sqlite")
    assert {store.finding(i)["state"] for i in (ids["open"], ids["recurring"])} == {"open"}
    [recorded] = store.submissions("google_ads")
    assert recorded["folder"] == str(folder) and sorted(recorded["finding_ids"]) == sorted(a["id"] for a in out["ads"])
    assert recorded["by"] and out["by"] == recorded["by"]

    confirmed = json.loads(_submit(config, "--platform", "google_ads", "--state", "confirmed", "--json").stdout)
    assert [a["id"] for a in confirmed["ads"]] == [ids["confirmed"]]
    assert Path(confirmed["folder"]) != folder  # a new folder each time, the earlier one untouched
    bing = json.loads(_submit(config, "--platform", "microsoft_advertising", "--json").stdout)
    assert [a["id"] for a in bing["ads"]] == [ids["bing"]]


def test_named_ads_are_checked_against_the_platform_and_their_state(tmp_path):
    config, ids = ad_store(tmp_path)
    result = _submit(config, "--platform", "google_ads", ids["open"][:4], "--json")
    assert result.exit_code == 0, result.output
    assert [a["id"] for a in json.loads(result.stdout)["ads"]] == [ids["open"]]
    for name, why in (("bing", "not an ad on Google Ads (seen on Microsoft Advertising)"),
                      ("dismissed", "its state is dismissed"), ("gone", "gone: not seen"),
                      ("inconclusive", "judged inconclusive")):
        refused = _submit(config, "--platform", "google_ads", ids[name])
        assert refused.exit_code == 2 and why in refused.stderr, (name, refused.output)
    # a reported ad named by id goes again: a second report of an ad still live
    again = _submit(config, "--platform", "google_ads", ids["reported"], "--json")
    assert again.exit_code == 0 and "still live after the report" in Path(
        json.loads(again.stdout)["folder"], "google_ads.csv").read_text(encoding="utf-8-sig")
    assert _submit(config, "--platform", "yahoo").exit_code == 2
    assert _submit(config, "--platform", "google_ads", "--state", "dismissed").exit_code == 2
    assert "no smtp_host" in _submit(config, "--platform", "google_ads", "--send").stderr


def test_nothing_to_submit_builds_nothing_and_says_so(tmp_path):
    config, _ = ad_store(tmp_path)
    store = Store(tmp_path / "db.sqlite")
    for f in store.query_findings():
        store.update_finding(f["id"], status="gone")
    result = _submit(config, "--platform", "google_ads")
    assert result.exit_code == 0 and "no ad to submit to Google Ads" in result.stderr
    built = tmp_path / "reports" / "submissions"
    assert not built.exists() or not any(built.iterdir())


def test_a_nights_folder_is_written_once_and_kept_byte_for_byte(tmp_path):
    config, ids = ad_store(tmp_path)
    first = runner.invoke(app, ["report", "--config", str(config)])
    assert first.exit_code == 0, first.output
    folder = Path(first.stdout.splitlines()[0]).parent
    before = _tree(folder)
    assert "google_ads.csv" in before
    store = Store(tmp_path / "db.sqlite")
    store.update_finding(ids["open"], status="recurring")  # later nights and triage change the case file
    runner.invoke(app, ["findings", "dismiss", ids["confirmed"], "--reason", "test", "--config", str(config)])
    assert _submit(config, "--platform", "google_ads").exit_code == 0
    again = runner.invoke(app, ["report", "--config", str(config)])
    assert again.exit_code == 0, again.output
    assert "kept as it was written" in again.stderr and "never rewritten" in again.stderr
    assert Path(again.stdout.splitlines()[0]).parent == folder
    assert _tree(folder) == before
