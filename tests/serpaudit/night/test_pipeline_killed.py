"""The SIGKILL loop, short: `serpaudit run` killed at random points twice, resumed, nothing lost or doubled.

`make soak` runs the long version (scripts/kill_test.py --kills 12 over the whole default world).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.sandbox_runs import skip_without_chromium

# `serpaudit run` processes killed and resumed, minutes: `make soak`
pytestmark = [pytest.mark.browser, pytest.mark.system, pytest.mark.soak]
SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "kill_test.py"


def test_a_night_killed_twice_resumes_and_ends_as_an_uninterrupted_one(tmp_path):
    skip_without_chromium()
    done = subprocess.run([sys.executable, str(SCRIPT), "--kills", "2", "--brands", "2", "--engines", "google",
                           "--seed", "7", "--out", str(tmp_path), "--json"], capture_output=True, text=True,
                          timeout=900)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["ok"], result
    assert result["lost"] == 0 and result["runs"] == 1 and result["integrity"] == "ok"
    assert result["captures"] == result["jobs"] and result["findings_equal"] and result["findings"] > 0
    assert result["kills"] >= 1 and result["resumed"] >= result["kills"] - 1
    assert result["leaked_processes"] == 0  # the killed runs left no Chromium behind
