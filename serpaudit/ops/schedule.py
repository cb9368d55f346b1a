"""Running sweeps: crontab lines, or a systemd service and timer, and editing the user's crontab.

A *sweep* is one ``serpaudit run``. Several a day catch the ads that run only at some hours: ``--at
02:30,09:30,14:00`` names the times; ``--every 4h`` sweeps at ``--at`` (02:30 by default) and every 4 hours
before and after it within the day (02:30, 06:30, ..., 22:30; with a step that does not divide the day, the
gap across midnight is shorter).

``--at`` is UTC, like ``window`` and every time serpaudit logs: the systemd timer says ``UTC``; the
crontab lines carry the machine's local time of that moment (cron has no time zone of its own), one line
per minute of the hour (sweeps at 02:30 and 14:30 share a line, ``30 2,14 * * *``).

Both carry the working directory, the settings file (``SERPAUDIT_CONFIG``), the
environment (``PATH``, ``SERPAUDIT_BROWSER_PATH`` where set) and a log file.
``serpaudit run`` exits 1 when it found scams: that is a successful sweep, so the
systemd unit says ``SuccessExitStatus=1`` (exit 3, incomplete, and 4, locked, stay failures).

``install`` and ``remove`` edit only the lines they own, tagged with a marker that names
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
_EVERY = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?$")
DEFAULT_AT = "02:30"
# a sweep takes its time (30 s between two searches of an engine by default): sweeps closer than an hour
# would find the run lock taken (exit 4)
MIN_EVERY_MINUTES = 60


class ScheduleError(Exception):
    """Bad --at or --every, or the crontab command is missing or failed; the message says which."""


class NoCrontab(ScheduleError):
    """This machine has no ``crontab`` program: a setup problem the user fixes (exit 2), not a failed run."""


# cron's own PATH is minimal; the line names the one folder serpaudit needs beyond it, never the
# interactive PATH of whoever installed it (pyenv shims, ~/.cargo/bin, ...).
SYSTEM_PATH = ("/usr/local/bin", "/usr/bin", "/bin")


def _minutes(text: str) -> int:
    m = _AT.match(text.strip())
    if not m:
        raise ScheduleError(f"--at: {text.strip()!r} is not HH:MM (UTC), e.g. 02:30 or 02:30,09:30,14:00")
    return int(m[1]) * 60 + int(m[2])


def sweep_times(at: str = DEFAULT_AT, every: str | None = None) -> tuple[str, ...]:
    """The day's sweep times, HH:MM UTC, earliest first: ``--at`` as a comma-separated list, or ``--every``
    from one ``--at`` through the day. Raises :class:`ScheduleError` naming the option."""
    parts = [p for p in (at or "").split(",") if p.strip()]
    if not parts:
        raise ScheduleError("--at: give a time, HH:MM in UTC, e.g. 02:30")
    starts = sorted({_minutes(p) for p in parts})
    if every is not None:
        if len(starts) > 1:
            raise ScheduleError("--every: repeats from one --at time; give either --at 02:30,09:30 or "
                                "--at 02:30 --every 4h")
        m = _EVERY.match(every.strip().lower())
        if not every.strip() or not m:
            raise ScheduleError(f"--every: {every!r} is not hours or minutes, e.g. 4h, 90m or 1h30m")
        step = int(m[1] or 0) * 60 + int(m[2] or 0)
        if not MIN_EVERY_MINUTES <= step <= 24 * 60:
            raise ScheduleError(f"--every: {every!r}: give from 1h to 24h (sweeps closer than an hour would "
                                "find the previous one still running)")
        # the day's sweeps fall on --at and every step before and after it, within the day
        first = starts[0] % step
        starts = list(range(first, 24 * 60, step))
    return tuple(f"{t // 60:02d}:{t % 60:02d}" for t in starts)


@dataclass(frozen=True)
class Schedule:
    workdir: Path
    config: Path | None
    log_file: Path
    executable: str
    times: tuple[str, ...] = (DEFAULT_AT,)  # HH:MM UTC, earliest first (sweep_times)
    env: tuple[tuple[str, str], ...] = ()

    def hour_minutes(self) -> list[tuple[int, int]]:
        return [divmod(_minutes(t), 60) for t in self.times]

    def cron_hour_minutes(self) -> list[tuple[int, int]]:
        """``--at`` is UTC (as ``window`` is); cron reads its times in the machine's local time zone, so the
        lines carry the local time of each UTC moment, at today's offset."""
        today = datetime.now(UTC)
        out = []
        for hour, minute in self.hour_minutes():
            local = today.replace(hour=hour, minute=minute, second=0, microsecond=0).astimezone()
            out.append((local.hour, local.minute))
        return out

    @property
    def tag(self) -> str:
        return MARKER + hashlib.sha1(str(self.workdir).encode()).hexdigest()[:8]

    def environment(self) -> list[tuple[str, str]]:
        dirs = dict.fromkeys([str(Path(self.executable).parent), *SYSTEM_PATH])
        out = [("PATH", ":".join(dirs))]
        if self.config:
            out.append(("SERPAUDIT_CONFIG", str(self.config)))
        return out + list(self.env)

    def crontab_lines(self) -> list[str]:
        """One line per minute of the hour the sweeps start at (``30 2,14 * * *``), each tagged."""
        hours: dict[int, list[int]] = {}
        for hour, minute in self.cron_hour_minutes():
            hours.setdefault(minute, []).append(hour)
        env = " ".join(f"{k}={shlex.quote(v)}" for k, v in self.environment())
        log = shlex.quote(str(self.log_file))
        cmd = (f"cd {shlex.quote(str(self.workdir))} && mkdir -p {shlex.quote(str(self.log_file.parent))} && {env}"
               f" {shlex.quote(self.executable)} run >> {log} 2>&1")
        # cron turns an unescaped % into a newline; the shell ignores the trailing marker comment
        return [f"{minute} {','.join(str(h) for h in sorted(hs))} * * * {cmd} {self.tag} {self.workdir}"
                .replace("%", "\\%") for minute, hs in sorted(hours.items(), key=lambda kv: min(kv[1]))]

    def systemd_service(self, user: str | None = None) -> str:
        """The service; with ``user`` a system unit (/etc/systemd/system) that runs as that user."""
        env = "\n".join(f'Environment="{k}={v}"' for k, v in self.environment())
        return (
            "[Unit]\n"
            f"Description=serpaudit sweep of search results ({self.workdir})\n"
            "After=network-online.target\nWants=network-online.target\n\n"
            "[Service]\nType=oneshot\n"
            + (f"User={user}\n" if user else "")
            + f"WorkingDirectory={self.workdir}\n{env}\n"
            f"ExecStart={self.executable} run\n"
            "# exit 1 means findings: a successful sweep. 3 (incomplete) and 4 (locked) stay failures.\n"
            "SuccessExitStatus=1\n"
            f"StandardOutput=append:{self.log_file}\nStandardError=append:{self.log_file}\n"
        )

    def logrotate(self) -> str:
        """A logrotate stanza for the log file: weekly, eight kept, compressed; copytruncate, because cron and
        systemd append to the file by name and never reopen it."""
        return (f"{self.log_file} {{\n    weekly\n    rotate 8\n    compress\n    delaycompress\n    missingok\n"
                "    notifempty\n    copytruncate\n}\n")

    def systemd_timer(self) -> str:
        """One ``OnCalendar`` per sweep, in UTC."""
        calendars = "".join(f"OnCalendar=*-*-* {h:02d}:{m:02d}:00 UTC\n" for h, m in self.hour_minutes())
        return (
            f"[Unit]\nDescription=Run serpaudit's sweeps at {', '.join(self.times)} UTC\n\n"
            f"[Timer]\n{calendars}Persistent=true\nUnit=serpaudit.service\n\n"
            "[Install]\nWantedBy=timers.target\n"
        )


def make_schedule(settings: object, config: Path | None, at: str = DEFAULT_AT, every: str | None = None) -> Schedule:
    times = sweep_times(at, every)  # validates --at and --every first
    workdir = Path.cwd().resolve()
    if config is None and os.environ.get("SERPAUDIT_CONFIG"):
        config = Path(os.environ["SERPAUDIT_CONFIG"])
    if config is None and Path("serpaudit.toml").is_file():
        config = Path("serpaudit.toml")
    log_file = getattr(settings, "log_file", "") or str(Path(settings.database).parent / "serpaudit.log")  # type: ignore[attr-defined]
    exe = shutil.which("serpaudit") or str(Path(sys.executable).with_name("serpaudit"))
    env = tuple((k, v) for k, v in os.environ.items() if k == "SERPAUDIT_BROWSER_PATH")
    window = getattr(settings, "window", "")
    if window and len(times) > 1:
        # a sweep spreads its searches until its window ends (outside it: until the next one ends), so the
        # second sweep of the day would find the first still running and the run lock taken
        raise ScheduleError(f"window = {window!r} and {len(times)} sweeps a day ({', '.join(times)}): "
                            "the window spreads one sweep over its hours and the next would find it still "
                            "running; set window = \"\" (max_per_hour still paces the searches) or sweep once")
    return Schedule(workdir, config.resolve() if config else None, Path(log_file).resolve(), exe, times, env)


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


def install(schedule: Schedule) -> list[str]:
    """Add (or replace) this working directory's lines; other lines stay as they were."""
    lines = [line for line in read_crontab() if schedule.tag not in line]
    ours = schedule.crontab_lines()
    write_crontab([*lines, *ours])
    return ours


def remove(schedule: Schedule) -> int:
    """Remove this working directory's lines; returns how many lines went."""
    lines = read_crontab()
    kept = [line for line in lines if schedule.tag not in line]
    if len(kept) != len(lines):
        write_crontab(kept)
    return len(lines) - len(kept)
