"""Running nightly: a crontab line, or a systemd service and timer, and editing the user's crontab.

``--at`` is UTC, like ``window`` and every time serpaudit logs: the systemd timer says ``UTC``; the
crontab line carries the machine's local time of that moment (cron has no time zone of its own).

Both carry the working directory, the settings file (``SERPAUDIT_CONFIG``), the
environment (``PATH``, ``SERPAUDIT_BROWSER_PATH`` where set) and a log file.
``serpaudit run`` exits 1 when it found scams: that is a successful night, so the
systemd unit says ``SuccessExitStatus=1`` (exit 3, incomplete, and 4, locked, stay failures).

``install`` and ``remove`` edit only the line they own, tagged with a marker that names
the working directory; every other line of the user's crontab is kept as it was.
"""

from __future__ import annotations

import hashlib
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

MARKER = "# serpaudit:"
_AT = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class ScheduleError(Exception):
    """Bad --at, or the crontab command is missing or failed; the message says which."""


class NoCrontab(ScheduleError):
    """This machine has no ``crontab`` program: a setup problem the user fixes (exit 2), not a failed run."""


# cron's own PATH is minimal; the line names the one folder serpaudit needs beyond it, never the
# interactive PATH of whoever installed it (pyenv shims, ~/.cargo/bin, ...).
SYSTEM_PATH = ("/usr/local/bin", "/usr/bin", "/bin")


@dataclass(frozen=True)
class Schedule:
    workdir: Path
    config: Path | None
    log_file: Path
    executable: str
    at: str = "02:30"
    env: tuple[tuple[str, str], ...] = ()

    @property
    def hour_minute(self) -> tuple[int, int]:
        m = _AT.match(self.at)
        if not m:
            raise ScheduleError(f"--at: {self.at!r} is not HH:MM, e.g. 02:30")
        return int(m[1]), int(m[2])

    def cron_hour_minute(self) -> tuple[int, int]:
        """``--at`` is UTC (as ``window`` is); cron reads its times in the machine's local time zone, so the
        line carries the local time of that UTC moment, at today's offset."""
        hour, minute = self.hour_minute
        local = datetime.now(UTC).replace(hour=hour, minute=minute, second=0, microsecond=0).astimezone()
        return local.hour, local.minute

    @property
    def tag(self) -> str:
        return MARKER + hashlib.sha1(str(self.workdir).encode()).hexdigest()[:8]

    def environment(self) -> list[tuple[str, str]]:
        dirs = dict.fromkeys([str(Path(self.executable).parent), *SYSTEM_PATH])
        out = [("PATH", ":".join(dirs))]
        if self.config:
            out.append(("SERPAUDIT_CONFIG", str(self.config)))
        return out + list(self.env)

    def crontab_line(self) -> str:
        hour, minute = self.cron_hour_minute()
        env = " ".join(f"{k}={shlex.quote(v)}" for k, v in self.environment())
        log = shlex.quote(str(self.log_file))
        cmd = (f"cd {shlex.quote(str(self.workdir))} && mkdir -p {shlex.quote(str(self.log_file.parent))} && {env}"
               f" {shlex.quote(self.executable)} run >> {log} 2>&1")
        # cron turns an unescaped % into a newline; the shell ignores the trailing marker comment
        return f"{minute} {hour} * * * {cmd} {self.tag} {self.workdir}".replace("%", "\\%")

    def systemd_service(self, user: str | None = None) -> str:
        """The service; with ``user`` a system unit (/etc/systemd/system) that runs as that user."""
        env = "\n".join(f'Environment="{k}={v}"' for k, v in self.environment())
        return (
            "[Unit]\n"
            f"Description=serpaudit nightly audit of search results ({self.workdir})\n"
            "After=network-online.target\nWants=network-online.target\n\n"
            "[Service]\nType=oneshot\n"
            + (f"User={user}\n" if user else "")
            + f"WorkingDirectory={self.workdir}\n{env}\n"
            f"ExecStart={self.executable} run\n"
            "# exit 1 means findings: a successful night. 3 (incomplete) and 4 (locked) stay failures.\n"
            "SuccessExitStatus=1\n"
            f"StandardOutput=append:{self.log_file}\nStandardError=append:{self.log_file}\n"
        )

    def logrotate(self) -> str:
        """A logrotate stanza for the log file: weekly, eight kept, compressed; copytruncate, because cron and
        systemd append to the file by name and never reopen it."""
        return (f"{self.log_file} {{\n    weekly\n    rotate 8\n    compress\n    delaycompress\n    missingok\n"
                "    notifempty\n    copytruncate\n}\n")

    def systemd_timer(self) -> str:
        hour, minute = self.hour_minute
        return (
            "[Unit]\nDescription=Run serpaudit every night\n\n"
            f"[Timer]\nOnCalendar=*-*-* {hour:02d}:{minute:02d}:00 UTC\nPersistent=true\nUnit=serpaudit.service\n\n"
            "[Install]\nWantedBy=timers.target\n"
        )


def make_schedule(settings: object, config: Path | None, at: str) -> Schedule:
    workdir = Path.cwd().resolve()
    if config is None and os.environ.get("SERPAUDIT_CONFIG"):
        config = Path(os.environ["SERPAUDIT_CONFIG"])
    if config is None and Path("serpaudit.toml").is_file():
        config = Path("serpaudit.toml")
    log_file = getattr(settings, "log_file", "") or str(Path(settings.database).parent / "serpaudit.log")  # type: ignore[attr-defined]
    exe = shutil.which("serpaudit") or str(Path(sys.executable).with_name("serpaudit"))
    env = tuple((k, v) for k, v in os.environ.items() if k == "SERPAUDIT_BROWSER_PATH")
    schedule = Schedule(workdir, config.resolve() if config else None, Path(log_file).resolve(), exe, at, env)
    _ = schedule.hour_minute  # validates --at
    return schedule


def _crontab(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("crontab")
    if exe is None:
        raise NoCrontab("no `crontab` command on this machine: install cron (`apt-get install -y cron`) or use "
                        "the systemd timer from `serpaudit schedule print`")
    return subprocess.run([exe, *args], input=stdin, capture_output=True, text=True, timeout=30)


def read_crontab() -> list[str]:
    done = _crontab("-l")
    if done.returncode != 0:
        if "no crontab" in done.stderr.lower():
            return []
        raise ScheduleError(f"crontab -l failed: {done.stderr.strip()}")
    return done.stdout.splitlines()


def write_crontab(lines: list[str]) -> None:
    done = _crontab("-", stdin="\n".join(lines) + "\n")
    if done.returncode != 0:
        raise ScheduleError(f"crontab - failed: {done.stderr.strip()}")


def install(schedule: Schedule) -> str:
    """Add (or replace) this working directory's line; other lines stay as they were."""
    lines = [line for line in read_crontab() if schedule.tag not in line]
    line = schedule.crontab_line()
    write_crontab([*lines, line])
    return line


def remove(schedule: Schedule) -> int:
    """Remove this working directory's line; returns how many lines went."""
    lines = read_crontab()
    kept = [line for line in lines if schedule.tag not in line]
    if len(kept) != len(lines):
        write_crontab(kept)
    return len(lines) - len(kept)
