"""`serpaudit schedule`: the printed units once or several times a day, and install/remove against the real
`crontab` command."""

from __future__ import annotations

import getpass
import os
import re
import shutil
import subprocess
import time

import pytest
from typer.testing import CliRunner

from serpaudit.cli import app

runner = CliRunner()


@pytest.fixture
def local_tz(monkeypatch):
    """Set the process's local time zone (a POSIX TZ string); restored after the test."""
    def set_tz(tz: str) -> None:
        monkeypatch.setenv("TZ", tz)
        time.tzset()
    yield set_tz
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def workdir(tmp_path, monkeypatch, local_tz):
    local_tz("UTC")
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
    assert "OnCalendar=*-*-* 03:15:00 UTC" in out and f"StandardOutput=append:{workdir / 'logs' / 'night.log'}" in out
    bad = runner.invoke(app, ["schedule", "print", "--at", "25:00"])
    assert bad.exit_code == 2 and "--at" in bad.stderr


def test_several_sweeps_a_day_on_cron_and_the_systemd_timer(workdir):
    result = runner.invoke(app, ["schedule", "print", "--at", "14:00,02:30,09:30"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    lines = [x for x in out.splitlines() if " * * * cd " in x]
    # one line per minute of the hour, earliest first, each with the fixed PATH and the marker
    assert [x.split(" cd ", 1)[0] for x in lines] == ["30 2,9 * * *", "0 14 * * *"], lines
    assert all("PATH=" in x and ":/usr/local/bin:/usr/bin:/bin " in x and "# serpaudit:" in x for x in lines)
    timer = out.split("serpaudit.timer", 1)[1].split("[Install]", 1)[0]
    assert re.findall(r"OnCalendar=(.*)", timer) == ["*-*-* 02:30:00 UTC", "*-*-* 09:30:00 UTC",
                                                     "*-*-* 14:00:00 UTC"], timer
    assert "3 sweeps a day at 02:30, 09:30, 14:00 UTC" in out


def test_every_sweeps_from_at_through_the_day(workdir):
    out = runner.invoke(app, ["schedule", "print", "--at", "02:30", "--every", "4h"]).stdout
    [line] = [x for x in out.splitlines() if " * * * cd " in x]
    assert line.startswith("30 2,6,10,14,18,22 * * * "), line
    assert out.count("OnCalendar=") == 6
    out = runner.invoke(app, ["schedule", "print", "--at", "14:00", "--every", "5h"]).stdout  # before --at too
    assert "4 sweeps a day at 04:00, 09:00, 14:00, 19:00 UTC" in out
    out = runner.invoke(app, ["schedule", "print", "--every", "90m"]).stdout
    assert "16 sweeps a day at 01:00, 02:30, 04:00" in out


def test_several_sweeps_in_local_time_can_split_a_line(workdir, local_tz):
    local_tz("XYZ-5:30")  # five and a half hours east of UTC: 02:30 UTC is 08:00 there, 09:30 is 15:00
    out = runner.invoke(app, ["schedule", "print", "--at", "02:30,09:30,14:00"]).stdout
    starts = [x.split(" cd ", 1)[0] for x in out.splitlines() if " * * * cd " in x]
    assert starts == ["0 8,15 * * *", "30 19 * * *"], starts
    assert "OnCalendar=*-*-* 09:30:00 UTC" in out


@pytest.mark.parametrize(("args", "message"), [
    (["--at", "02:30,25:00"], "--at: '25:00' is not HH:MM (UTC)"),
    (["--at", ","], "--at: give a time"),
    (["--at", "02:30,09:30", "--every", "4h"], "--every: repeats from one --at time"),
    (["--every", "four"], "--every: 'four' is not hours or minutes"),
    (["--every", "30m"], "--every: '30m': give from 1h to 24h"),
    (["--every", "25h"], "--every: '25h': give from 1h to 24h"),
])
def test_bad_sweep_times_are_exit_2_naming_the_option(workdir, args, message):
    result = runner.invoke(app, ["schedule", "print", *args])
    assert result.exit_code == 2 and message in result.stderr, result.output


def test_several_sweeps_with_a_window_are_refused(workdir):
    (workdir / "serpaudit.toml").write_text('log_file = "logs/night.log"\nwindow = "01:00-05:00"\n')
    assert runner.invoke(app, ["schedule", "print", "--at", "02:30"]).exit_code == 0  # one sweep: fine
    result = runner.invoke(app, ["schedule", "print", "--at", "02:30,09:30"])
    assert result.exit_code == 2 and "window = '01:00-05:00' and 2 sweeps a day" in result.stderr, result.output


def test_the_cron_line_has_a_fixed_minimal_path_not_the_interactive_one(workdir, monkeypatch):
    monkeypatch.setenv("PATH", f"/root/.pyenv/shims:/root/.cargo/bin:/root/.cargo/bin:{os.environ['PATH']}")
    out = runner.invoke(app, ["schedule", "print"]).stdout
    [line] = [x for x in out.splitlines() if x.startswith("30 2 * * * ")]
    path = line.split("PATH=", 1)[1].split(" ", 1)[0]
    parts = path.split(":")
    assert parts[1:] == ["/usr/local/bin", "/usr/bin", "/bin"] and parts[0].endswith("bin"), path
    assert ".cargo" not in out and "shims" not in out


def test_at_is_utc_like_window_the_cron_line_in_local_time(workdir, local_tz):
    local_tz("XYZ-2")  # two hours east of UTC, no daylight saving
    out = runner.invoke(app, ["schedule", "print", "--at", "02:30"]).stdout
    assert any(x.startswith("30 4 * * * ") for x in out.splitlines()), out
    assert "OnCalendar=*-*-* 02:30:00 UTC" in out


def test_print_offers_a_system_unit_the_linger_hint_and_log_rotation(workdir):
    out = runner.invoke(app, ["schedule", "print"]).stdout
    user = getpass.getuser()
    assert f"loginctl enable-linger {user}" in out and "/etc/systemd/system/serpaudit.service" in out
    system_unit = out.split("/etc/systemd/system/serpaudit.service", 1)[1]
    assert f"\nUser={user}\n" in system_unit and "SuccessExitStatus=1" in system_unit
    rotate = out.split("/etc/logrotate.d/serpaudit", 1)[1]
    assert f"{workdir / 'logs' / 'night.log'} {{" in rotate and "copytruncate" in rotate and "rotate 8" in rotate


def test_install_without_a_crontab_program_is_exit_2_with_what_to_do(workdir, monkeypatch, tmp_path):
    empty = tmp_path / "no-cron-here"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    result = runner.invoke(app, ["schedule", "install"])
    assert result.exit_code == 2, result.output
    assert "no `crontab` command" in result.stderr and "apt-get install -y cron" in result.stderr


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


def test_install_several_sweeps_replaces_this_directorys_lines_and_remove_takes_them_all(workdir, real_crontab):
    mine = ["0 5 * * * echo keep-me"]
    subprocess.run(["crontab", "-"], input="\n".join(mine) + "\n", text=True, check=True)
    assert runner.invoke(app, ["schedule", "install", "--at", "02:30"]).exit_code == 0
    result = runner.invoke(app, ["schedule", "install", "--at", "02:30,09:30,14:00"])
    assert result.exit_code == 0 and "3 sweeps a day" in result.stdout, result.output
    ours = [x for x in crontab() if "# serpaudit:" in x]
    assert [x.split(" cd ", 1)[0] for x in ours] == ["30 2,9 * * *", "0 14 * * *"], ours
    assert crontab()[:1] == mine
    assert all(f"cd {workdir}" in x and "PATH=" in x and ":/usr/local/bin:/usr/bin:/bin " in x for x in ours)
    result = runner.invoke(app, ["schedule", "install", "--every", "6h"])  # replaces both lines with one
    ours = [x for x in crontab() if "# serpaudit:" in x]
    assert result.exit_code == 0 and [x.split(" cd ", 1)[0] for x in ours] == ["30 2,8,14,20 * * *"], ours
    removed = runner.invoke(app, ["schedule", "remove"])
    assert removed.exit_code == 0 and "removed 1" in removed.stdout
    assert crontab() == mine
