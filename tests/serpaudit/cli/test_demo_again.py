"""`serpaudit demo` can be run again and again on one out folder (issue 21); a real database there is kept."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from audits.store import Store
from crawler.browser import find_chromium
from crawler.errors import BrowserNotFound


def _demo(out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SERPAUDIT_")}
    return subprocess.run([sys.executable, "-m", "serpaudit", "demo", "--out", str(out), *extra],
                          capture_output=True, text=True, timeout=900, env=env, cwd=out.parent)


@pytest.mark.browser
@pytest.mark.system  # two `serpaudit demo` processes, minutes each
@pytest.mark.soak  # six nights: `make soak`
def test_two_demos_in_a_row_on_one_out_folder_both_score_perfectly(tmp_path):
    try:
        find_chromium(None)
    except BrowserNotFound as exc:
        pytest.skip(f"no Chromium: {exc}")
    out = tmp_path / "demo-out"
    for attempt in (1, 2):
        done = _demo(out, "--nights", "1", "--json")
        assert done.returncode == 0, f"demo {attempt}: exit {done.returncode}\n{done.stderr[-3000:]}"
        result = json.loads(done.stdout)
        assert (result["precision"], result["recall"], result["perfect"]) == (1.0, 1.0, True), attempt
    # the second demo started on a fresh store: one night, one run, one report folder
    assert [r["command"] for r in Store(out / "serpaudit.db").db["runs"].rows] == ["demo"]
    assert len([p for p in (out / "reports").iterdir() if p.name != "latest"]) == 1


def test_a_demo_on_a_folder_with_real_runs_exits_2_and_loses_nothing(tmp_path):
    out = tmp_path / "data"
    store = Store(out / "serpaudit.db")
    store.start_run("run", "2026-01-01T02:30:00+00:00")
    store.db.close()
    (out / "evidence").mkdir()
    (out / "evidence" / "capture.html").write_text("<html></html>", encoding="utf-8")
    before = (out / "serpaudit.db").read_bytes()
    done = _demo(out, "--nights", "1")
    assert done.returncode == 2, done.stderr
    assert "holds runs that are not demo runs (1 run)" in done.stderr and "choose another --out" in done.stderr
    assert "Traceback" not in done.stderr
    assert (out / "serpaudit.db").read_bytes() == before and (out / "evidence" / "capture.html").exists()
