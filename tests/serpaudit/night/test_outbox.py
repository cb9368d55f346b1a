"""The outbox against a real SMTP server (aiosmtpd on loopback): a refused or cut-off mail is kept and sent on
the next run, once; one mail's failure never stops the others; size limit and overall deadline."""

from __future__ import annotations

import email
import json
import os
import socket
import time
import zipfile
from email.policy import default
from typing import Any

import pytest
from typer.testing import CliRunner

from audits.store import Store
from reports.mail import MailConfig
from serpaudit.cli import app
from serpaudit.night.outbox import fit, flush
from serpaudit.night.pipeline import run_pipeline
from serpaudit.settings import load_settings
from tests.support.ad_store import NIGHT, ad_store

pytest.importorskip("aiosmtpd", reason="aiosmtpd is not installed (pip install -e '.[dev]')")
from aiosmtpd.controller import Controller  # noqa: E402

runner = CliRunner()
ANALYSTS, GOOGLE, MICROSOFT = "analist@example.nl", "ads-abuse@example.com", "msads-abuse@example.com"


class FlakyInbox:
    """Takes every mail, except that ``fail[recipient]`` lists what to do instead, one mail at a time: an SMTP
    reply such as "451 ..." or "drop" (the connection is closed mid-mail)."""

    def __init__(self) -> None:
        self.mails: list[tuple[list[str], email.message.EmailMessage]] = []
        self.fail: dict[str, list[str]] = {}

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        for rcpt in envelope.rcpt_tos:
            if self.fail.get(rcpt):
                action = self.fail[rcpt].pop(0)
                if action == "drop":
                    server.transport.close()
                    return "421 4.4.2 closing"
                return action
        self.mails.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content, policy=default)))
        return "250 OK"

    def to(self, rcpt: str) -> list[email.message.EmailMessage]:
        return [m for rcpts, m in self.mails if rcpt in rcpts]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def relay():
    inbox, port = FlakyInbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def _mail_settings(port: int, extra: str = "") -> str:
    return (f'send_reports = true\nsmtp_host = "127.0.0.1"\nsmtp_port = {port}\nsmtp_security = "none"\n'
            f'mail_from = "serpaudit@example.nl"\nanalyst_recipients = ["{ANALYSTS}"]\n'
            f'google_ads_recipients = ["{GOOGLE}"]\nmicrosoft_advertising_recipients = ["{MICROSOFT}"]\n{extra}')


def _attachments(msg: email.message.EmailMessage) -> dict[str, bytes]:
    return {part.get_filename(): part.get_payload(decode=True) for part in msg.walk() if part.get_filename()}


def _night(settings: Any, store: Store, day: str) -> Any:
    """Another night's run (its own report folder), then its report stage as `serpaudit run` ends."""
    run_id = store.start_run("run", f"{day}T02:00:00+00:00")
    store.finish_run(run_id, "complete", {"captures": {"ok": 8}}, f"{day}T03:00:00+00:00")
    return run_pipeline(settings, store, stages=("report",), run_id=run_id)


@pytest.mark.parametrize("failure", ["451 4.3.0 Try again later", "550 5.7.1 Rejected for now", "drop"])
def test_a_refused_platform_mail_is_sent_on_the_next_run_and_reaches_the_platform_once(tmp_path, relay, failure):
    inbox, port = relay
    config, ids = ad_store(tmp_path, _mail_settings(port))
    settings = load_settings(config, env={})
    store = Store(settings.database)
    inbox.fail[GOOGLE] = [failure]

    first = run_pipeline(settings, store, stages=("report",), run_id=store.latest_run_id())
    # the analysts had their night, and only the confirmed ad was for Google: refused, so kept and failed loudly
    assert [m["Subject"] for m in inbox.to(ANALYSTS)] and not inbox.to(GOOGLE)
    assert first.exit_code == 3 and first.decision.status == "incomplete"
    [reason] = first.reasons
    assert "to Google Ads" in reason and "kept in the outbox, retried on the next run" in reason
    stored = store.run(first.run_id)
    assert stored["summary"]["reasons"] == [reason] and stored["status"] == "incomplete"
    assert store.finding(ids["confirmed"])["state"] == "confirmed"  # not reported: it did not go
    [pending] = store.outbox("pending")
    assert pending["kind"] == "google_ads" and pending["attempts"] == 1 and pending["last_error"]
    # never what nobody looked at: the open ads stay for the analyst, and Microsoft gets no mail at all
    assert not inbox.to(MICROSOFT)

    second = _night(settings, store, "2026-12-01")
    assert second.exit_code in (0, 1), second.reasons  # findings or clean: the mail went through
    [google] = inbox.to(GOOGLE)
    zipped = _attachments(google)["google_ads.zip"]
    (tmp_path / "got.zip").write_bytes(zipped)
    with zipfile.ZipFile(tmp_path / "got.zip") as zf:
        assert ids["confirmed"] in zf.read("google_ads.csv").decode("utf-8-sig")
        assert ids["open"] not in zf.read("google_ads.csv").decode("utf-8-sig")
    confirmed = store.finding(ids["confirmed"])
    assert (confirmed["state"], confirmed["reported_platform"]) == ("reported", "google_ads")
    event = store.finding_events(ids["confirmed"])[-1]
    assert event["new_state"] == "reported" and event["user"] == "serpaudit" and GOOGLE in event["reference"]
    [delivery] = store.submission_deliveries(pending["submission_id"])
    assert delivery["finding_id"] == ids["confirmed"] and delivery["recipients"] == GOOGLE
    assert delivery["zip_sha256"] == store.submission(pending["submission_id"])["zip_sha256"]
    assert store.mail(pending["id"])["status"] == "sent" and store.mail(pending["id"])["attempts"] == 2

    _night(settings, store, "2026-12-02")
    assert len(inbox.to(GOOGLE)) == 1  # exactly once
    assert len(inbox.to(ANALYSTS)) == 3 and not store.outbox("pending")


def test_one_refused_mail_does_not_stop_the_others(tmp_path, relay):
    inbox, port = relay
    config, ids = ad_store(tmp_path, _mail_settings(port))
    inbox.fail[ANALYSTS] = ["552 5.3.4 Message size exceeds fixed limit"]
    result = runner.invoke(app, ["report", "--config", str(config), "--send"], env={"SERPAUDIT_SMTP_PASSWORD": ""})
    assert result.exit_code == 3, result.output
    assert "552" in result.stderr and "to the analysts" in result.stderr
    assert len(inbox.to(GOOGLE)) == 1 and not inbox.to(ANALYSTS)
    assert Store(tmp_path / "db.sqlite").finding(ids["confirmed"])["state"] == "reported"


def test_submit_send_mails_the_platform_and_the_ads_are_reported_by_the_os_user(tmp_path, relay, monkeypatch):
    inbox, port = relay
    config, ids = ad_store(tmp_path, _mail_settings(port))
    monkeypatch.setenv("USER", "analist")
    monkeypatch.setattr("getpass.getuser", lambda: "analist")
    result = runner.invoke(app, ["submit", "--config", str(config), "--platform", "google_ads", "--send"],
                           env={"SERPAUDIT_SMTP_PASSWORD": ""})
    assert result.exit_code == 0, result.output
    assert f"mailed to {GOOGLE}" in result.stderr
    [google] = inbox.to(GOOGLE)
    assert google["Subject"].startswith("Google Ads: 3 ads with fake support numbers")
    store = Store(tmp_path / "db.sqlite")
    for name in ("open", "confirmed", "recurring"):
        f = store.finding(ids[name])
        assert (f["state"], f["reported_platform"]) == ("reported", "google_ads"), name
        assert store.finding_events(ids[name])[-1]["user"] == "analist"
    again = runner.invoke(app, ["submit", "--config", str(config), "--platform", "google_ads", "--send"])
    assert again.exit_code == 0 and "no ad to submit" in again.stderr and len(inbox.to(GOOGLE)) == 1


def test_attachments_over_the_size_limit_go_zipped_or_the_mail_says_where_they_are(tmp_path):
    small, text, noise = tmp_path / "summary.txt", tmp_path / "report.html", tmp_path / "shot.png"
    small.write_text("3 findings\n")
    text.write_text("<p>same line</p>\n" * 200_000)  # 3.4 MB that zips small
    limit = 1024 * 1024
    zipped = fit([small, text], limit, tmp_path / "out", "report.zip", tmp_path)
    assert [p.name for p in zipped.attachments] == ["report.zip"] and "zipped" in zipped.note
    noise.write_bytes(os.urandom(2 * 1024 * 1024))  # does not zip
    linked = fit([small, text, noise], limit, tmp_path / "out2", "report.zip", tmp_path)
    assert [p.name for p in linked.attachments] == ["summary.txt"]
    assert "Too large to mail" in linked.note and str(tmp_path) in linked.note and "shot.png" in linked.note
    assert fit([small], limit, tmp_path / "out3", "x.zip", None).attachments == (small,)


def test_a_server_that_never_answers_costs_the_deadline_and_the_mails_stay_pending(tmp_path):
    config, _ = ad_store(tmp_path)
    store = Store(tmp_path / "db.sqlite")
    from serpaudit.night.outbox import enqueue

    for n in range(3):
        enqueue(store, kind="analysts", recipients=[ANALYSTS], subject=f"night {n}", body="", attachments=[],
                now=NIGHT, max_bytes=10**7, zip_dir=tmp_path / "z", key=str(n))
    with socket.socket() as blackhole:  # accepts connections (the backlog) and never says a word
        blackhole.bind(("127.0.0.1", 0))
        blackhole.listen(8)
        mail = MailConfig(host="127.0.0.1", port=blackhole.getsockname()[1], security="none",
                          sender="serpaudit@example.nl", timeout=30, deadline_s=2)
        start = time.monotonic()
        done = flush(store, mail, lambda: NIGHT)
        assert time.monotonic() - start < 10
    assert not done.sent and len(done.failed) == 3
    assert all(m["attempts"] == 1 for m in store.outbox("pending")) and len(store.outbox("pending")) == 3


def test_the_outbox_command_shows_what_waits_and_sends_it_now(tmp_path, relay):
    inbox, port = relay
    config, ids = ad_store(tmp_path, _mail_settings(port))
    inbox.fail[GOOGLE] = ["451 4.3.0 Try again later"]
    assert runner.invoke(app, ["report", "--config", str(config), "--send"]).exit_code == 3
    [waiting] = json.loads(runner.invoke(app, ["outbox", "--config", str(config), "--json"]).stdout)
    assert waiting["kind"] == "google_ads" and waiting["attempts"] == 1 and "451" in waiting["last_error"]
    sent = runner.invoke(app, ["outbox", "--config", str(config), "--send", "--json"])
    assert sent.exit_code == 0, sent.output
    assert json.loads(sent.stdout) == [] and len(inbox.to(GOOGLE)) == 1
    assert Store(tmp_path / "db.sqlite").finding(ids["confirmed"])["state"] == "reported"
    assert len(json.loads(runner.invoke(app, ["outbox", "--config", str(config), "--all", "--json"]).stdout)) == 2
