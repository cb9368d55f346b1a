"""``serpaudit schedule print|install|remove``: sweeps from cron or systemd, once or several times a day."""

from __future__ import annotations

import getpass
from pathlib import Path

from serpaudit.app.config import settings_for
from serpaudit.app.errors import IncompleteError, InputError
from serpaudit.ops import schedule as sched


def schedule(config: Path | None, at: str, action: str, every: str | None = None) -> list[str]:
    """``schedule print|install|remove``: the lines to show."""
    try:
        plan = sched.make_schedule(settings_for(config), config, at, every)
    except sched.ScheduleError as exc:
        raise InputError(str(exc)) from exc
    try:
        if action == "install":
            lines = sched.install(plan)
            return [f"installed in your crontab ({_sweeps(plan)}):", *lines]
        if action == "remove":
            n = sched.remove(plan)
            return [f"removed {n} serpaudit line(s) for {plan.workdir} from your crontab"]
    except sched.NoCrontab as exc:  # a setup problem, not an incomplete run
        raise InputError(str(exc)) from exc
    except sched.ScheduleError as exc:
        raise IncompleteError(str(exc)) from exc
    user = getpass.getuser()
    return [f"# {_sweeps(plan)}",
            "# crontab (crontab -e, or `serpaudit schedule install`):", *plan.crontab_lines(), "",
            "# systemd: ~/.config/systemd/user/serpaudit.service", plan.systemd_service(),
            "# systemd: ~/.config/systemd/user/serpaudit.timer", plan.systemd_timer(),
            "# then: systemctl --user daemon-reload && systemctl --user enable --now serpaudit.timer",
            f"# a user timer runs only while {user} is logged in, unless: loginctl enable-linger {user}", "",
            f"# or system-wide (runs with nobody logged in): /etc/systemd/system/serpaudit.service, as {user}",
            plan.systemd_service(user=user),
            "# /etc/systemd/system/serpaudit.timer: the timer above; then: systemctl daemon-reload && "
            "systemctl enable --now serpaudit.timer", "",
            "# log rotation: /etc/logrotate.d/serpaudit", plan.logrotate()]


def _sweeps(plan: sched.Schedule) -> str:
    n = len(plan.times)
    return f"{n} sweep{'s' if n > 1 else ''} a day at {', '.join(plan.times)} UTC"
