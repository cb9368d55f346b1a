"""`serpaudit report --send` against a real SMTP server (aiosmtpd on loopback, TLS with a test CA)."""

from __future__ import annotations

import email
import hashlib
import socket
from email.message import EmailMessage as Message
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from audits.brands import Brand
from audits.store import Store
from serpaudit.cli import app

aiosmtpd = pytest.importorskip("aiosmtpd", reason="aiosmtpd is not installed (pip install -e '.[dev]')")
trustme = pytest.importorskip("trustme")

from aiosmtpd.controller import Controller  # noqa: E402
from aiosmtpd.smtp import AuthResult, LoginPassword  # noqa: E402

runner = CliRunner()
T1 = "2024-05-01T02:00:00+00:00"


class Inbox:
    def __init__(self) -> None:
        self.mails: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        self.mails.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content, policy=default)))
        return "250 OK"


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (b"nightly", b"s3cret")
    return AuthResult(success=ok, handled=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_server(request, tmp_path):
    """(inbox, port, CA file) of a running SMTP server: STARTTLS required, or SSL from the start."""
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    import ssl

    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server_ctx)
    inbox, port = Inbox(), _free_port()
    kwargs: dict[str, Any] = {"authenticator": _authenticate, "auth_require_tls": True}
    if request.param == "ssl":  # aiosmtpd only counts STARTTLS as TLS for AUTH; this socket is TLS throughout
        kwargs.update(ssl_context=server_ctx, auth_require_tls=False)
    else:
        kwargs.update(tls_context=server_ctx, require_starttls=True)
    controller = Controller(inbox, hostname="127.0.0.1", port=port, server_hostname="127.0.0.1", **kwargs)
    controller.start()
    try:
        yield inbox, port, ca_file, request.param
    finally:
        controller.stop()


def _night(tmp_path: Path, smtp: str = "") -> tuple[Path, Path]:
    """A database holding one run with a Google ad and a Bing ad finding, and a settings file."""
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    crop = evidence / "crop.png"
    crop.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    store = Store(tmp_path / "db.sqlite")
    store.upsert_brands([Brand(name="Telnova", domains=("telnova.nl",))])
    run_id = store.start_run("run", T1)
    store.finish_run(run_id, "complete", {"captures": {"ok": 6}}, T1)
    base = {"brand": "Telnova", "number_type": "premium_rate", "verdict": "scam", "reason": "premium-rate number",
            "severity": "high", "kind": "ad", "query": "Telnova klantenservice", "device": "desktop",
            "placement": "top", "rank": 1, "captured_at": T1, "evidence_path": str(crop)}  # fmt: skip
    store.upsert_findings(run_id, [
        {**base, "e164": "+319001234567", "raw": "0900 1234 567", "engine": "google", "platform": "google_ads",
         "domain": "telnova-support.nl", "title": "=HYPERLINK(\"x\")"},
        {**base, "e164": "+319002023030", "raw": "0900 202 3030", "engine": "bing",
         "platform": "microsoft_advertising", "domain": "telnova-hulp.nl"},
    ])  # fmt: skip
    config = tmp_path / "serpaudit.toml"
    config.write_text(f'[serpaudit]\ndatabase = "db.sqlite"\nreports_dir = "reports"\nregion = "NL"\n{smtp}',
                      encoding="utf-8")  # fmt: skip
    return config, tmp_path / "reports" / "latest"  # each run writes its own folder; latest points at it


def _attachments(msg: Message) -> dict[str, bytes]:
    return {part.get_filename(): part.get_payload(decode=True) for part in msg.walk() if part.get_filename()}


@pytest.mark.parametrize("smtp_server", ["starttls", "ssl"], indirect=True)
def test_report_send_mails_each_platform_its_zip_and_the_analysts_their_files(tmp_path, smtp_server) -> None:
    inbox, port, ca_file, security = smtp_server
    # every new ad of the night, looked at or not (by default a platform gets only what an analyst confirmed)
    smtp = ('platform_mail_confirmed_only = false\n'
            f'smtp_host = "127.0.0.1"\nsmtp_port = {port}\nsmtp_security = "{security}"\nsmtp_user = "nightly"\n'
            f'smtp_ca_file = "{ca_file}"\nmail_from = "serpaudit@example.nl"\n'
            'analyst_recipients = ["analist@example.nl", "team@example.nl"]\n'
            'google_ads_recipients = ["ads-abuse@example.com"]\n'
            'microsoft_advertising_recipients = ["msads-abuse@example.com"]\n')  # fmt: skip
    config, reports = _night(tmp_path, smtp)
    env = {"SERPAUDIT_SMTP_PASSWORD": "s3cret"}  # the login comes from the environment
    result = runner.invoke(app, ["report", "--config", str(config), "--send"], env=env)
    assert result.exit_code == 0, result.output
    by_first = {rcpts[0]: (rcpts, msg) for rcpts, msg in inbox.mails}
    assert set(by_first) == {"analist@example.nl", "ads-abuse@example.com", "msads-abuse@example.com"}
    rcpts, analysts = by_first["analist@example.nl"]
    assert rcpts == ["analist@example.nl", "team@example.nl"]
    assert analysts["Subject"] == "serpaudit 2024-05-01: 2 cases"
    assert "2 cases (2 scam)" in analysts.get_body(("plain",)).get_content()
    files = _attachments(analysts)
    assert set(files) == {"report.html", "findings.xlsx", "findings.csv", "summary.txt"}
    for name, data in files.items():
        assert hashlib.sha256(data).hexdigest() == hashlib.sha256((reports / name).read_bytes()).hexdigest(), name
    _, google = by_first["ads-abuse@example.com"]
    assert google["Subject"] == "Google Ads: 1 ad with fake support numbers, 2024-05-01"
    zipped = _attachments(google)
    assert list(zipped) == ["google_ads.zip"]
    assert hashlib.sha256(zipped["google_ads.zip"]).digest() == hashlib.sha256(
        (reports / "google_ads.zip").read_bytes()).digest()
    assert list(_attachments(by_first["msads-abuse@example.com"][1])) == ["microsoft_advertising.zip"]
    # what a platform was mailed is reported to it, from today, by serpaudit, naming the recipients
    mailed = {f["engine"]: f for f in Store(tmp_path / "db.sqlite").findings()}
    assert mailed["google"]["state"] == "reported" and mailed["google"]["reported_platform"] == "google_ads"
    assert mailed["bing"]["reported_platform"] == "microsoft_advertising"
    events = Store(tmp_path / "db.sqlite").finding_events(mailed["google"]["id"])
    assert events[-1]["new_state"] == "reported" and events[-1]["user"] == "serpaudit"
    assert "ads-abuse@example.com" in events[-1]["reference"]

    # sent again: the analysts get the night again, the platforms nothing twice
    inbox.mails.clear()
    result = runner.invoke(app, ["report", "--config", str(config), "--send"], env=env)
    assert result.exit_code == 0, result.output
    assert [rcpts[0] for rcpts, _ in inbox.mails] == ["analist@example.nl"]
    # the night's report, written again, still shows what its platforms were sent
    assert "telnova-support.nl" in (reports / "google_ads.csv").read_text(encoding="utf-8-sig")
    assert len(Store(tmp_path / "db.sqlite").run_deliveries(Store(tmp_path / "db.sqlite").latest_run_id())) == 2


@pytest.mark.parametrize("smtp_server", ["starttls"], indirect=True)
def test_a_wrong_password_is_an_error_that_keeps_the_files(tmp_path, smtp_server) -> None:
    inbox, port, ca_file, _ = smtp_server
    smtp = (f'smtp_host = "127.0.0.1"\nsmtp_port = {port}\nsmtp_user = "nightly"\nsmtp_ca_file = "{ca_file}"\n'
            'mail_from = "serpaudit@example.nl"\nanalyst_recipients = ["analist@example.nl"]\n')  # fmt: skip
    config, reports = _night(tmp_path, smtp)
    result = runner.invoke(app, ["report", "--config", str(config), "--send"], env={"SERPAUDIT_SMTP_PASSWORD": "no"})
    assert result.exit_code == 3 and "535" in result.output
    assert (reports / "report.html").is_file() and not inbox.mails


def test_without_smtp_settings_the_files_are_written_and_it_says_so(tmp_path) -> None:
    config, reports = _night(tmp_path)
    result = runner.invoke(app, ["report", "--config", str(config), "--send"])
    assert result.exit_code == 0, result.output
    assert "not mailed: no smtp_host" in result.output
    assert (reports / "google_ads.zip").is_file()
    assert "password" not in runner.invoke(app, ["report", "--help"]).output.split("--send")[0]


@pytest.mark.parametrize("smtp_server", ["starttls"], indirect=True)
def test_send_reports_setting_mails_at_the_end_of_a_run(tmp_path, smtp_server, monkeypatch) -> None:
    from serpaudit.night.pipeline import run_pipeline
    from serpaudit.settings import load_settings

    inbox, port, ca_file, _ = smtp_server
    smtp = (f'send_reports = true\nsmtp_host = "127.0.0.1"\nsmtp_port = {port}\nsmtp_user = "nightly"\n'
            f'smtp_ca_file = "{ca_file}"\nmail_from = "serpaudit@example.nl"\n'
            'analyst_recipients = ["analist@example.nl"]\n')  # fmt: skip
    config, reports = _night(tmp_path, smtp)
    settings = load_settings(config, env={"SERPAUDIT_SMTP_PASSWORD": "s3cret"})
    store = Store(settings.database)
    outcome = run_pipeline(settings, store, stages=("report",), run_id=store.latest_run_id())
    assert outcome.mail_note == "mailed to analist@example.nl"
    ((rcpts, msg),) = inbox.mails
    assert rcpts == ["analist@example.nl"] and "report.html" in _attachments(msg)


def test_a_plain_internal_relay_gets_the_mails_without_tls_or_login(tmp_path) -> None:
    inbox, port = Inbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)  # port 25 in real life: no TLS offered
    controller.start()
    try:
        smtp = (f'smtp_host = "127.0.0.1"\nsmtp_port = {port}\nsmtp_security = "none"\n'
                'mail_from = "serpaudit@example.nl"\nanalyst_recipients = ["analist@example.nl"]\n')
        config, _ = _night(tmp_path, smtp)
        result = runner.invoke(app, ["report", "--config", str(config), "--send"],
                               env={"SERPAUDIT_SMTP_PASSWORD": ""})
        assert result.exit_code == 0, result.output
        assert [rcpts for rcpts, _ in inbox.mails] == [["analist@example.nl"]]
    finally:
        controller.stop()


def test_a_plain_relay_with_a_login_is_refused_before_anything_is_sent(tmp_path) -> None:
    smtp = ('smtp_host = "relay.internal"\nsmtp_security = "none"\nsmtp_user = "nightly"\n'
            'mail_from = "serpaudit@example.nl"\nanalyst_recipients = ["analist@example.nl"]\n')
    config, _ = _night(tmp_path, smtp)
    result = runner.invoke(app, ["report", "--config", str(config), "--send"])
    assert result.exit_code == 2, result.output
    assert "smtp_security = none" in result.stderr and "never sends a login" in result.stderr
