"""One typed settings object with documented defaults.

Precedence, lowest first: the defaults below, a TOML file (``serpaudit.toml``
in the working directory, or the file named by ``--config`` /
``SERPAUDIT_CONFIG``), then environment variables ``SERPAUDIT_<FIELD>``
(upper case; lists comma-separated).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import phonenumbers

from audits.brands import query_template_problem
from serpaudit.crawl.distributed.pacing import worker_limits
from serpaudit.crawl.politeness import ENGINES, SettingsProblem, check_night_settings, longest_spread_delay_s

DEFAULT_CONFIG_NAME = "serpaudit.toml"


class SettingsError(ValueError):
    """A settings file or variable has a bad value; the message names it."""


@dataclass(frozen=True)
class Settings:
    # Where the SQLite audit trail lives.
    database: Path = Path("serpaudit-data/serpaudit.db")
    # Rendered HTML, screenshots and crops of every capture.
    evidence_dir: Path = Path("serpaudit-data/evidence")
    # CSV and HTML reports.
    reports_dir: Path = Path("serpaudit-data/reports")
    # Search engines to query: google, bing, duckduckgo.
    engines: tuple[str, ...] = ("google", "bing", "duckduckgo")
    # Devices to emulate: desktop, mobile.
    devices: tuple[str, ...] = ("desktop",)
    # Queries per brand; {brand} is replaced by the brand's name.
    query_templates: tuple[str, ...] = ("{brand} klantenservice",)
    # Region used to read national numbers and build engine URLs (ISO 3166).
    region: str = "NL"
    # Interface language of the engines (hl=, setlang=, kl=).
    language: str = "nl"
    # Chromium executable; empty: Playwright's own, else the system's chromium.
    browser_path: str = ""
    # Run the browser without a window.
    headless: bool = True
    # Milliseconds a page may take to load.
    timeout_ms: int = 20_000
    # Attempts per page when it fails to load (network errors, timeouts).
    retries: int = 1
    # Contact pages per brand when discovering them from the home page.
    max_contact_pages: int = 5
    # Visit landing pages of non-official ads and top results (isolated context).
    visit_landing_pages: bool = True
    # Characters of a page read for numbers at most; a longer page is read up to here and noted as
    # truncated (landing and contact pages are attacker-controlled: a 50 MB page must not stall a night).
    max_page_chars: int = 2_000_000
    # Seconds spent reading the numbers of one page at most; then it is noted as truncated.
    page_time_budget_s: int = 30
    # Screenshots stop at this many pixels (CSS); the rest of a taller page is kept as HTML.
    max_screenshot_height: int = 16_000
    # A sandbox world file (TOML): when set, every command runs against the
    # sandbox web it describes instead of the real web (training, rehearsals).
    sandbox_world: str = ""
    # Celery broker and result backend for distributed crawls (redis://host:6379/0). Empty: the crawl
    # runs on this machine; set: `run` and `crawl` send capture jobs to `serpaudit worker`s.
    broker_url: str = ""
    # Seconds one capture job may take in all, here or on a worker, before it is stopped and recorded
    # as an error (navigation timeouts are timeout_ms).
    job_timeout_s: int = 300
    # Seconds before the broker re-delivers a job whose worker died; must exceed job_timeout_s.
    visibility_timeout_s: int = 900
    # Most capture jobs the coordinator keeps queued or running at once (it never floods a queue).
    max_queued_jobs: int = 64
    # Deprecated (0: unused): workers keep min_delay_s, jitter_s, max_per_hour, engine_limits and the
    # backoff as a local lane does, shared by all worker processes on one egress; when set, this is
    # read as the least min_delay_s on workers.
    worker_min_delay_s: int = 0
    # Name of this worker's egress address (e.g. its public IP), which keys its shared politeness budget;
    # empty: the host name. Set it when containers or hosts share one address. An engine with a proxy
    # leaves from its proxy instead.
    egress: str = ""
    # Audited nights in a row a finding must be absent before it counts as gone
    # (a night whose search was blocked, on CAPTCHA or consent proves nothing).
    gone_after_nights: int = 2
    # Days after a report to a platform before a still-live finding is flagged for a second report.
    followup_days: int = 7
    # Log file (appended to, ISO timestamps); empty: stderr only.
    log_file: str = ""
    # Engines searched at once: one lane (one browser) per engine.
    concurrency: int = 3
    # Seconds each lane waits between two searches of its engine, plus up to jitter_s at random.
    min_delay_s: float = 8.0
    jitter_s: float = 4.0
    # Searches per engine per hour at most (0: no limit).
    max_per_hour: int = 120
    # Spread the night's searches over this UTC time window, e.g. "01:00-05:00" (empty: as fast as allowed).
    window: str = ""
    # Seed of the night's job order (empty: a fresh one, logged so a night can be replayed).
    seed: str = ""
    # First pause of an engine that blocks (doubles per block, up to backoff_max_s); its blocked
    # jobs are retried later in the night, up to block_retries times.
    backoff_s: float = 60.0
    backoff_max_s: float = 1800.0
    block_retries: int = 2
    # Browser profile folder kept across nights (consent cookies survive); empty: a fresh profile.
    profile_dir: str = ""
    # Per-engine proxies for regional egress, e.g. ["google=http://nl-proxy:3128"].
    proxies: tuple[str, ...] = ()
    # Per-engine overrides of min_delay_s, jitter_s, max_per_hour, e.g. ["google.max_per_hour=40"].
    engine_limits: tuple[str, ...] = ()
    # Browser time zone; empty: the region's (locale and Accept-Language follow language and region).
    timezone: str = ""
    # The run is incomplete (exit 3) when more than this share of brand harvests failed.
    max_failed_harvest_share: float = 0.2
    # ... or when an engine showed zero results for more than this share of its queries.
    max_empty_share: float = 0.5
    # Evidence of runs older than this many days is deleted, except evidence of findings (0: keep all).
    retention_days: int = 90
    # A run refuses to start with less free disk than this (MB) beside the database and evidence.
    min_free_disk_mb: int = 500
    # Mail the reports at the end of `run` (`report --send` does it by hand). Without smtp_host
    # the files are written and not mailed, and the log says so.
    send_reports: bool = False
    # SMTP server for report mails, e.g. "smtp.example.nl"; empty: no mail.
    smtp_host: str = ""
    # SMTP port; 0: 587 for starttls, 465 for ssl.
    smtp_port: int = 0
    # starttls (plain connection upgraded to TLS) or ssl (TLS from the start); never unencrypted.
    smtp_security: str = "starttls"
    # SMTP login name; empty: no login.
    smtp_user: str = ""
    # SMTP password: better set SERPAUDIT_SMTP_PASSWORD in the job's environment than write it here.
    smtp_password: str = ""
    # PEM file of the CA to trust for the SMTP server; empty: the system's CAs.
    smtp_ca_file: str = ""
    # Sender address of report mails.
    mail_from: str = ""
    # Analysts: the summary, report.html, findings.xlsx and findings.csv.
    analyst_recipients: tuple[str, ...] = ()
    # Google Ads' abuse intake (or your own, who files the complaint): google_ads.zip.
    google_ads_recipients: tuple[str, ...] = ()
    # Microsoft Advertising's abuse intake (Bing and DuckDuckGo ads): microsoft_advertising.zip.
    microsoft_advertising_recipients: tuple[str, ...] = ()
    _source: str = field(default="defaults", compare=False, repr=False)


_FIELD_TYPES = {f.name: f.type for f in fields(Settings) if not f.name.startswith("_")}


def _coerce(name: str, value: Any, origin: str) -> Any:
    """``value`` (a TOML value, or the text of an environment variable) as the field's type."""
    kind = _FIELD_TYPES[name]

    def bad(expected: str) -> SettingsError:
        return SettingsError(f"{origin}: {name}: expected {expected}, got {_show(value)}")

    if kind in ("Path", "str"):
        if not isinstance(value, str):
            raise bad("a string")
        if "\x00" in value:
            raise bad("text without NUL characters")
        return Path(value) if kind == "Path" else value
    if kind == "tuple[str, ...]":
        if isinstance(value, str):
            return tuple(i.strip() for i in value.split(",") if i.strip())
        if not isinstance(value, list) or not all(isinstance(i, str) for i in value):
            raise bad("a list of strings")
        return tuple(i.strip() for i in value if i.strip())
    if kind == "bool":
        if isinstance(value, bool):
            return value
        low = str(value).strip().lower() if isinstance(value, str) else None
        if low in {"1", "true", "yes", "on"}:
            return True
        if low in {"0", "false", "no", "off"}:
            return False
        raise bad("true or false")
    if kind == "float":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value.strip())
            except ValueError:
                pass
        raise bad("a number")
    if kind == "int":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value)
        raise bad("a whole number")
    raise bad(str(kind))  # pragma: no cover - every field type is handled above


def _show(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SettingsError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SettingsError(f"{path}:{line}: not UTF-8 text (byte {raw[exc.start]:#04x} at offset {exc.start}); "
                            "save the file as UTF-8") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: {exc}") from exc
    except RecursionError:
        raise SettingsError(f"{path}: nested too deeply to be a settings file") from None


def load_settings(config: Path | None = None, env: dict[str, str] | None = None) -> Settings:
    """Defaults, then the TOML file (if any), then SERPAUDIT_* variables."""
    env = dict(os.environ if env is None else env)
    values: dict[str, Any] = {}
    path = config or (Path(env["SERPAUDIT_CONFIG"]) if env.get("SERPAUDIT_CONFIG") else None)
    if path is None and Path(DEFAULT_CONFIG_NAME).is_file():
        path = Path(DEFAULT_CONFIG_NAME)
    source = "defaults"
    if path is not None:
        if not path.is_file():
            raise SettingsError(f"{path}: settings file not found")
        data = _read_toml(path)
        table = data.get("serpaudit", data)
        if not isinstance(table, dict):
            raise SettingsError(f"{path}: serpaudit: must be a table ([serpaudit]), got {_show(table)}")
        for key, value in table.items():
            if key not in _FIELD_TYPES:
                raise SettingsError(f"{path}: unknown setting {key!r}")
            values[key] = _coerce(key, value, str(path))
        source = str(path)
        base = path.parent
        for key in ("database", "evidence_dir", "reports_dir"):
            if key in values and not values[key].is_absolute():
                values[key] = base / values[key]
    for key in _FIELD_TYPES:
        var = f"SERPAUDIT_{key.upper()}"
        if var in env:
            values[key] = _coerce(key, env[var], var)
    settings = replace(Settings(), **values, _source=source)
    _validate(settings)
    return settings


_SQLITE_MAGIC = b"SQLite format 3\x00"
_MINIMUMS = {"timeout_ms": 1, "retries": 0, "max_contact_pages": 1, "max_page_chars": 1_000,
             "page_time_budget_s": 1, "max_screenshot_height": 500}


def _validate(s: Settings) -> None:
    known_engines = {"google", "bing", "duckduckgo"}
    bad = [e for e in s.engines if e not in known_engines]
    if bad:
        known = ", ".join(sorted(known_engines))
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
    for engine in ENGINES:  # a worker takes whatever engine its jobs name
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
    if s.smtp_security not in ("starttls", "ssl"):
        raise SettingsError(f"{s._source}: smtp_security: {s.smtp_security!r} is not starttls or ssl")
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


DEPRECATED = ("worker_min_delay_s",)


def settings_toml(s: Settings | None = None) -> str:
    """A commented settings file with the current (default) values, for ``serpaudit init``."""
    s = s or Settings()
    lines = ["# serpaudit settings. Every key is optional; environment variables",
             "# SERPAUDIT_<KEY> override this file (lists comma-separated).", "[serpaudit]"]
    comments = _field_comments()
    for name in _FIELD_TYPES:
        if name in DEPRECATED and getattr(s, name) == getattr(Settings(), name):
            continue  # still read from old files, never written into new ones
        value = getattr(s, name)
        for c in comments.get(name, []):
            lines.append(f"# {c}")
        lines.append(f"{name} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return str(v)
    if isinstance(v, tuple):
        return "[" + ", ".join(_toml_value(i) for i in v) + "]"
    return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _field_comments() -> dict[str, list[str]]:
    """The ``# comment`` lines above each field in this module's source."""
    src = Path(__file__).read_text(encoding="utf-8").splitlines()
    out: dict[str, list[str]] = {}
    pending: list[str] = []
    in_class = False
    for line in src:
        stripped = line.strip()
        if line.startswith("class Settings:"):
            in_class = True
            continue
        if in_class and line and not line.startswith(" "):
            break
        if not in_class:
            continue
        if stripped.startswith("#"):
            pending.append(stripped.lstrip("# "))
        elif ":" in stripped and not stripped.startswith("_"):
            out[stripped.split(":")[0]] = pending
            pending = []
        else:
            pending = []
    return out
