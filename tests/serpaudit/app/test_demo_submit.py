"""Submissions and report folders on the demo's nights (the default world in Chromium, played once per session).

The demo is shared: each test works on a copy of its database and reports.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from audits.store import Store
from serpaudit.cli import app
from serpaudit.night.submissions import ad_platforms
from serpaudit.ops.outputs import run_folder_name

pytestmark = pytest.mark.browser
runner = CliRunner()


def _copy(demo, tmp_path: Path, night: int | None = None) -> Path:
    """Settings for a copy of the demo's database (as ``night`` left it, default: the last) and its reports."""
    db = tmp_path / "serpaudit.db"
    source = demo.out_dir / f"night-{night}.db" if night else demo.settings.database
    Store(source).backup(db)
    shutil.copytree(demo.settings.reports_dir, tmp_path / "reports", symlinks=True)
    config = tmp_path / "serpaudit.toml"
    config.write_text(f'[serpaudit]\ndatabase = "{db}"\nreports_dir = "{tmp_path / "reports"}"\n'
                      f'evidence_dir = "{demo.settings.evidence_dir}"\nregion = "{demo.settings.region}"\n',
                      encoding="utf-8")
    return config


def _invoke(config: Path, *args: str):
    result = runner.invoke(app, [*args, "--config", str(config)])
    assert result.exit_code == 0, result.output
    return result


def _tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_submit_on_night_2_offers_the_live_ads_confirmed_or_open_never_reported(demo, tmp_path):
    config = _copy(demo, tmp_path, night=2)
    store = Store(tmp_path / "serpaudit.db")
    night1, night2 = (n.run.run_id for n in demo.nights[:2])
    offered = json.loads(_invoke(config, "submit", "--platform", "google_ads", "--json").stdout)["ads"]
    by_id = {a["id"]: a for a in offered}
    assert offered and all("google_ads" in ad_platforms(a) for a in offered)
    assert {a["state"] for a in offered} <= {"open", "confirmed"} and "gone" not in {a["status"] for a in offered}
    # every scam or suspect Google ad night 2 saw, and nobody dismissed, is offered: new or seen for nights
    seen = [f for f in store.findings(run_id=night2) if "google_ads" in ad_platforms(f)
            and f["verdict"] in ("scam", "suspect") and f["state"] != "dismissed"]
    assert seen and {f["id"] for f in seen} <= set(by_id)
    assert "recurring" in {by_id[f["id"]]["status"] for f in seen}  # the ones night 2 said nothing of
    # night 2's summary once said "To report: Google Ads 0 ads": every one of these was seen on night 1 already
    assert {a["advertiser_domain"] for a in offered} == {"telnova-support.nl", "energiq-storingsdienst.nl",
                                                         "cloudora-helpdesk.nl", "pakketpost-service.nl",
                                                         "accounthulp-direct.nl"}
    assert {a["first_run_id"] for a in offered} == {night1}
    # never an organic result (nothing to ask an ad platform), nor one dismissed (Bankiva's, on Bing)
    assert {a["kind"] for a in offered} == {"ad"}
    microsoft = json.loads(_invoke(config, "submit", "--platform", "microsoft_advertising", "--json").stdout)["ads"]
    assert "cloudora-hulplijn.nl" in {a["advertiser_domain"] for a in microsoft}
    assert "+31854012233" not in {a["e164"] for a in microsoft}

    chosen = seen[0]["id"]
    _invoke(config, "findings", "confirm", chosen)
    confirmed = json.loads(_invoke(config, "submit", "--platform", "google_ads", "--state", "confirmed",
                                   "--json").stdout)  # fmt: skip
    assert [a["id"] for a in confirmed["ads"]] == [chosen]
    csv_text = Path(confirmed["folder"], "google_ads.csv").read_text(encoding="utf-8-sig")
    assert chosen in csv_text and "confirmed by an analyst" in csv_text


def test_night_1s_folder_is_unchanged_after_report_or_submit_on_night_3(demo, tmp_path):
    config = _copy(demo, tmp_path)
    store = Store(tmp_path / "serpaudit.db")
    runs = [n.run.run_id for n in demo.nights]
    folders = [tmp_path / "reports" / run_folder_name(store.run(r), False) for r in runs]
    before = [_tree(f) for f in folders]
    assert all(before) and "google_ads.csv" in before[0]
    _invoke(config, "report", "--run", runs[2])
    again = _invoke(config, "report", "--run", runs[0], "--send")  # no SMTP settings here: nothing mailed
    assert "kept as it was written" in again.stderr
    for platform in ("google_ads", "microsoft_advertising"):
        _invoke(config, "submit", "--platform", platform)
    assert [_tree(f) for f in folders] == before
    assert (tmp_path / "reports" / "latest").resolve() == folders[2].resolve()
