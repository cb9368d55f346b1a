"""The settings object: every field with its type, default and the comment ``serpaudit init`` writes above it."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path

from crawler.engines import ENGINE_NAMES

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
    engines: tuple[str, ...] = ENGINE_NAMES
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
    # Visit landing pages of non-official ads and top results, and the pages an AI answer cites for a number
    # the brand does not publish (isolated context; serpaudit.night.sources).
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
    # Keep the politeness budgets (delays, max_per_hour, engine_limits) against the sandbox web too, as on the
    # real web (benchmarks of a politeness-bound night); false: the sandbox web is ours, no delays.
    sandbox_politeness: bool = False
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
    # Seconds the coordinator waits for the broker when it stops answering mid-night (a Redis restart);
    # past that the night stops with a clear error, its run left for the next `run` to resume.
    broker_wait_s: int = 300
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
    # Searches per engine per hour at most from one egress, spread evenly: two searches at least
    # 3600 / max_per_hour s apart, locally and on workers (0: no limit).
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
    # The nightly mail to a platform holds only ads an analyst confirmed (`findings confirm ID`), still live
    # and not yet reported: never what nobody has looked at. false: every new or reopened scam ad of the
    # night goes, looked at or not. `serpaudit submit --platform P --send` mails chosen ads at any time.
    platform_mail_confirmed_only: bool = True
    # A mail's size at most (MB, as sent): bigger attachments go zipped, and when still too big the mail
    # says where the files are instead.
    max_mail_mb: int = 10
    # Seconds all of one run's mails may take together; mails not sent by then stay in the outbox.
    smtp_deadline_s: int = 300
    # SMTP server for report mails, e.g. "smtp.example.nl"; empty: no mail.
    smtp_host: str = ""
    # SMTP port; 0: 587 for starttls, 465 for ssl, 25 for none.
    smtp_port: int = 0
    # starttls (plain connection upgraded to TLS), ssl (TLS from the start), or none: a plain internal relay
    # (port 25, no TLS), which never sends a login.
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
    # Who may log in to `serpaudit serve`, as "name:hash" (the hash from `serpaudit serve --hash-password NAME`;
    # never a password). Empty: the desk serves 127.0.0.1 only, without login; set: every page needs a login.
    web_users: tuple[str, ...] = ()
    _source: str = field(default="defaults", compare=False, repr=False)


FIELD_TYPES = {f.name: f.type for f in fields(Settings) if not f.name.startswith("_")}
