"""`serpaudit schedule`: the printed units, and install/remove against the real `crontab` command."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from typer.testing import CliRunner

from serpaudit.cli import app

runner = CliRunner()


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for var in [v for v in os.environ if v.startswith("SERPAUDIT_")]:
        monkeypatch.delenv(var)
    (tmp_path / "serpaudit.toml").write_text('log_file = "logs/night.log"\n')
    return tmp_path


def test_print_gives_a_crontab_line_and_a_systemd_pair_treating_findings_as_success(workdir):
    result = runner.invoke(app, ["schedule", "print", "--at", "03:15"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    [line] = [x for x in out.splitlines() if x.startswith("15 3 * * * ")]
    assert f"cd {workdir}" in line and f"SERPAUDIT_CONFIG={workdir / 'serpaudit.toml'}" in line
    assert f">> {workdir / 'logs' / 'night.log'} 2>&1" in line and " run " in line
    assert "SuccessExitStatus=1" in out and f"WorkingDirectory={workdir}" in out
    assert "OnCalendar=*-*-* 03:15:00" in out and f"StandardOutput=append:{workdir / 'logs' / 'night.log'}" in out
    bad = runner.invoke(app, ["schedule", "print", "--at", "25:00"])
    assert bad.exit_code == 2 and "--at" in bad.stderr


@pytest.fixture
def real_crontab():
    """The user's crontab, restored exactly after the test."""
    if shutil.which("crontab") is None:
        pytest.skip("no crontab command (make test installs cron)")
    before = subprocess.run(["crontab", "-l"], capture_output=True, text=True)
    if before.returncode != 0 and "no crontab" not in before.stderr.lower():
        pytest.skip(f"crontab not usable here: {before.stderr.strip()}")
    yield
    if before.returncode == 0:
        subprocess.run(["crontab", "-"], input=before.stdout, text=True, check=True)
    else:
        subprocess.run(["crontab", "-r"], capture_output=True)


def crontab() -> list[str]:
    done = subprocess.run(["crontab", "-l"], capture_output=True, text=True)
    return done.stdout.splitlines() if done.returncode == 0 else []


def test_install_and_remove_keep_the_users_other_lines(workdir, real_crontab):
    mine = ["# my own jobs", "0 5 * * * echo keep-me"]
    subprocess.run(["crontab", "-"], input="\n".join(mine) + "\n", text=True, check=True)
    for _ in range(2):  # installing twice leaves one line
        result = runner.invoke(app, ["schedule", "install", "--at", "01:45"])
        assert result.exit_code == 0, result.output
    lines = crontab()
    ours = [x for x in lines if "serpaudit" in x and " run " in x]
    assert lines[:2] == mine and len(ours) == 1 and ours[0].startswith("45 1 * * * ")
    removed = runner.invoke(app, ["schedule", "remove"])
    assert removed.exit_code == 0 and "removed 1" in removed.stdout
    assert crontab() == mine
