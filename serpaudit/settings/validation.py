"""Checks of a loaded settings object; each error names the file or variable and the field at fault."""

from __future__ import annotations

import re

import phonenumbers

from audits.brands import query_template_problem
from crawler.engines import ENGINE_NAMES
from serpaudit.crawl.distributed.pacing import worker_limits
from serpaudit.crawl.politeness import SettingsProblem, check_night_settings, longest_spread_delay_s
from serpaudit.settings.model import Settings, SettingsError

_SQLITE_MAGIC = b"SQLite format 3\x00"
_MINIMUMS = {"timeout_ms": 1, "retries": 0, "max_contact_pages": 1, "max_page_chars": 1_000,
             "page_time_budget_s": 1, "max_screenshot_height": 500, "max_mail_mb": 1, "smtp_deadline_s": 5,
             "broker_wait_s": 1}


def validate(s: Settings) -> None:
    bad = [e for e in s.engines if e not in ENGINE_NAMES]
    if bad:
        known = ", ".join(sorted(ENGINE_NAMES))
        raise SettingsError(f"{s._source}: engines: unknown {', '.join(bad)} (known: {known})")
    bad = [d for d in s.devices if d not in {"desktop", "mobile"}]
    if bad:
        raise SettingsError(f"{s._source}: devices: unknown {', '.join(bad)} (known: desktop, mobile)")
    for name in ("engines", "devices", "query_templates"):
        if not getattr(s, name):
            raise SettingsError(f"{s._source}: {name}: must not be empty")
    if s.region not in phonenumbers.SUPPORTED_REGIONS:
        hint = (f"region codes are upper case: {s.region.upper()!r}" if s.region.upper() in
                phonenumbers.SUPPORTED_REGIONS else "not a region code such as NL, BE or DE")
        raise SettingsError(f"{s._source}: region: {s.region!r}: {hint}")
    for t in s.query_templates:
        problem = query_template_problem(t)
        if problem:
            raise SettingsError(f"{s._source}: query_templates: {t!r}: {problem}")
    for name, minimum in _MINIMUMS.items():
        value = getattr(s, name)
        if value < minimum:
            raise SettingsError(f"{s._source}: {name}: must be at least {minimum}, got {value}")
    if s.gone_after_nights < 1 or s.followup_days < 1:
        raise SettingsError(f"{s._source}: gone_after_nights and followup_days must be at least 1")
    _check_database(s)
    _validate_distributed(s)
    _validate_mail(s)
    _validate_web_users(s)


def _validate_distributed(s: Settings) -> None:
    if s.broker_url and not s.broker_url.startswith(("redis://", "rediss://", "redis+socket://")):
        raise SettingsError(f"{s._source}: broker_url: {s.broker_url!r} is not a Redis URL (redis://host:6379/0)")
    if s.job_timeout_s <= 0 or s.max_queued_jobs < 1:
        raise SettingsError(f"{s._source}: job_timeout_s and max_queued_jobs must be positive")
    if s.worker_min_delay_s < 0:
        raise SettingsError(f"{s._source}: worker_min_delay_s: must not be negative (and it is deprecated: "
                            "set min_delay_s)")
    _validate_night(s)
    if s.broker_url:
        _validate_worker_pacing(s)
    if s.visibility_timeout_s <= s.job_timeout_s:
        raise SettingsError(f"{s._source}: visibility_timeout_s ({s.visibility_timeout_s}) must exceed "
                            f"job_timeout_s ({s.job_timeout_s}), or jobs still running are delivered twice")


def _validate_worker_pacing(s: Settings) -> None:
    """A worker's job waits for its engine's turn within half of job_timeout_s: the spacing must fit."""
    for engine in ENGINE_NAMES:  # a worker takes whatever engine its jobs name
        limits = worker_limits(s, engine)
        gap = longest_spread_delay_s(limits)
        if gap > s.job_timeout_s / 2:
            spread = limits.max_per_hour and 3600 / limits.max_per_hour >= limits.min_delay_s + limits.jitter_s
            name = "max_per_hour" if spread else "min_delay_s"
            if any(i.split("=")[0].strip() == f"{engine}.{name}" for i in s.engine_limits):
                name = f"engine_limits ({engine}.{name})"
            elif not spread and s.worker_min_delay_s >= limits.min_delay_s:
                name = "worker_min_delay_s"
            raise SettingsError(f"{s._source}: {name}: workers space {engine} searches up to {gap:.0f} s apart, "
                                f"more than half of job_timeout_s ({s.job_timeout_s}): a job waits for its turn "
                                "within its time limit; raise job_timeout_s (and visibility_timeout_s)")


def _validate_night(s: Settings) -> None:
    try:
        check_night_settings(s)
    except SettingsProblem as exc:
        raise SettingsError(f"{s._source}: {exc}") from exc


def _check_database(s: Settings) -> None:
    db = s.database
    if db.is_dir():
        raise SettingsError(f"{s._source}: database: {str(db)!r} is a folder, not a database file")
    if db.is_file():
        try:
            with db.open("rb") as fh:
                head = fh.read(len(_SQLITE_MAGIC))
        except OSError as exc:
            raise SettingsError(f"{s._source}: database: {str(db)!r}: {exc.strerror or exc}") from exc
        if head and head != _SQLITE_MAGIC:
            raise SettingsError(f"{s._source}: database: {str(db)!r} is not an SQLite database")
    for name in ("evidence_dir", "reports_dir"):
        path = getattr(s, name)
        if path.exists() and not path.is_dir():
            raise SettingsError(f"{s._source}: {name}: {str(path)!r} is a file, not a folder")


def _validate_mail(s: Settings) -> None:
    if s.smtp_security not in ("starttls", "ssl", "none"):
        raise SettingsError(f"{s._source}: smtp_security: {s.smtp_security!r} is not starttls, ssl or none")
    if s.smtp_security == "none" and (s.smtp_user or s.smtp_password):
        raise SettingsError(f"{s._source}: smtp_user: smtp_security = none (a plain internal relay, port 25) "
                            "never sends a login; use starttls or ssl to log in")
    if not 0 <= s.smtp_port <= 65535:
        raise SettingsError(f"{s._source}: smtp_port: {s.smtp_port} is not a port number")
    for name in ("analyst_recipients", "google_ads_recipients", "microsoft_advertising_recipients"):
        bad = [a for a in getattr(s, name) if "@" not in a or any(c in a for c in " ,;<>\r\n")]
        if bad:
            raise SettingsError(f"{s._source}: {name}: {bad[0]!r} is not a mail address")
    if s.mail_from and "@" not in s.mail_from:
        raise SettingsError(f"{s._source}: mail_from: {s.mail_from!r} is not a mail address")
    if s.smtp_host and not s.mail_from:
        raise SettingsError(f"{s._source}: mail_from: needed when smtp_host is set")


WEB_USER_NAME = re.compile(r"[A-Za-z0-9._@-]{1,64}")


def _validate_web_users(s: Settings) -> None:
    """Each entry is ``name:hash`` with an Argon2 hash (``serpaudit serve --hash-password NAME`` makes one)."""
    seen: set[str] = set()
    for entry in s.web_users:
        name, _, digest = entry.partition(":")
        if not WEB_USER_NAME.fullmatch(name):
            raise SettingsError(f"{s._source}: web_users: {name[:64]!r} is not a user name (letters, digits, . _ @ -)")
        if not digest.startswith("$argon2"):
            raise SettingsError(f"{s._source}: web_users: {name}: expected name:HASH with the hash that "
                                f"`serpaudit serve --hash-password {name}` prints, never a password")
        if name in seen:
            raise SettingsError(f"{s._source}: web_users: {name} is listed twice")
        seen.add(name)
