"""The outbox never sends a mail twice, nor one without its evidence: each mail is claimed before it is sent
(two processes flushing at once, or a process stopped mid-send), a mail whose attachment is gone is not sent,
and a platform's zip over the size limit is refused instead of mailed without it (aiosmtpd on loopback)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from audits.store import Store
from reports.mail import MailConfig
from serpaudit.cli import app
from serpaudit.night.outbox import MailTooLarge, enqueue, flush
from tests.serpaudit.night.test_outbox import ANALYSTS, GOOGLE, _mail_settings, relay  # noqa: F401 (fixture)
from tests.support.ad_store import NIGHT, ad_store

runner = CliRunner()
LATER = "2026-11-30T03:00:00+00:00"  # an hour after NIGHT: past any SMTP session's deadline


def _config(port: int) -> MailConfig:
    return MailConfig(host="127.0.0.1", port=port, security="none", sender="serpaudit@example.nl", timeout=10,
                      deadline_s=60)


def _google_mail(tmp_path: Path, store: Store, finding_id: str) -> str:
    zipped = tmp_path / "google_ads.zip"
    zipped.write_bytes(b"PK\x05\x06" + bytes(18))  # an empty zip
    return enqueue(store, kind="google_ads", recipients=[GOOGLE], subject="Google Ads: 1 ad", body="one ad",
                   attachments=[zipped], now=NIGHT, max_bytes=10**7, zip_dir=tmp_path / "z",
                   finding_ids=[finding_id], key="one")


def test_a_mail_another_process_is_sending_is_left_to_it(tmp_path, relay):  # noqa: F811
    inbox, port = relay
    _, ids = ad_store(tmp_path)
    store = Store(tmp_path / "db.sqlite")
    mid = _google_mail(tmp_path, store, ids["confirmed"])
    assert store.claim_mail(mid, NIGHT) and not store.claim_mail(mid, NIGHT)  # one claim wins
    done = flush(store, _config(port), lambda: NIGHT)  # a second flush while the first is still sending
    assert not inbox.mails and not done.sent and not done.failed and not done.unsure
    assert store.mail(mid)["status"] == "sending"
    assert store.queued_finding_ids("google_ads") == {ids["confirmed"]}  # still held: no other mail takes it


@pytest.mark.parametrize("went", [False, True])
def test_a_mail_left_sending_by_a_stopped_process_waits_for_a_person(tmp_path, relay, went):  # noqa: F811
    inbox, port = relay
    config, ids = ad_store(tmp_path, _mail_settings(port))
    store = Store(tmp_path / "db.sqlite")
    mid = _google_mail(tmp_path, store, ids["confirmed"])
    store.claim_mail(mid, NIGHT)  # and the process was killed before the server's answer was recorded

    done = flush(store, _config(port), lambda: LATER)
    assert not inbox.mails and [m["id"] for m in done.unsure] == [mid]  # it may have gone: not sent by itself
    [reason] = done.reasons
    assert f"--resend {mid}" in reason and f"--mark-sent {mid}" in reason
    listed = json.loads(runner.invoke(app, ["outbox", "--config", str(config), "--json"]).stdout)
    assert [(m["id"], m["status"]) for m in listed] == [(mid, "sending")]
    sent = runner.invoke(app, ["outbox", "--config", str(config), "--send"], env={"SERPAUDIT_SMTP_PASSWORD": ""})
    assert sent.exit_code == 3 and f"--resend {mid}" in sent.stderr  # a cron run says so too

    decided = runner.invoke(app, ["outbox", "--config", str(config), "--mark-sent" if went else "--resend", mid,
                                  "--send"], env={"SERPAUDIT_SMTP_PASSWORD": ""})  # fmt: skip
    assert decided.exit_code == 0, decided.output
    store = Store(tmp_path / "db.sqlite")
    assert store.mail(mid)["status"] == "sent"
    assert (store.finding(ids["confirmed"])["state"], store.finding(ids["confirmed"])["reported_platform"]) == (
        "reported", "google_ads")  # fmt: skip
    if went:
        assert not inbox.mails  # the person said it went: not sent again
    else:
        [google] = inbox.to(GOOGLE)
        assert google["Message-ID"] == f"<{mid}@example.nl>"  # the same id as any copy that went before
    again = runner.invoke(app, ["outbox", "--config", str(config), "--resend", mid])
    assert again.exit_code == 2 and "is sent, not left sending" in again.stderr


def test_a_mail_whose_attachment_is_gone_is_not_sent(tmp_path, relay):  # noqa: F811
    inbox, port = relay
    ad_store(tmp_path)
    store = Store(tmp_path / "db.sqlite")
    report = tmp_path / "report.html"
    report.write_text("<p>the night</p>")
    mid = enqueue(store, kind="analysts", recipients=[ANALYSTS], subject="the night", body="attached",
                  attachments=[report], now=NIGHT, max_bytes=10**7, zip_dir=tmp_path / "z", key="night")
    report.unlink()  # cleaned away before the retry
    done = flush(store, _config(port), lambda: LATER)
    assert not inbox.mails and not done.sent
    [(mail, error)] = done.failed
    assert mail["id"] == mid and "report.html is gone" in error
    assert store.mail(mid)["status"] == "pending" and store.mail(mid)["attempts"] == 1


def test_a_platform_zip_over_the_size_limit_is_refused_and_its_ads_stay_unreported(tmp_path):
    _, ids = ad_store(tmp_path)
    store = Store(tmp_path / "db.sqlite")
    zipped = tmp_path / "google_ads.zip"
    zipped.write_bytes(os.urandom(2 * 1024 * 1024))  # screenshots do not zip smaller
    with pytest.raises(MailTooLarge, match=r"Google Ads zip \(2.0 MB\) is over max_mail_mb \(1.0 MB\)"):
        enqueue(store, kind="google_ads", recipients=[GOOGLE], subject="Google Ads: 1 ad", body="", now=NIGHT,
                attachments=[zipped], max_bytes=1024 * 1024, zip_dir=tmp_path / "z", finding_ids=[ids["confirmed"]])
    assert store.outbox() == [] and store.queued_finding_ids("google_ads") == set()
    assert store.finding(ids["confirmed"])["state"] == "confirmed"


def test_ads_in_a_bundle_an_analyst_built_and_did_not_mail_are_not_mailed_by_the_night(tmp_path, relay,  # noqa: F811
                                                                                       monkeypatch):
    inbox, port = relay
    config, ids = ad_store(tmp_path, _mail_settings(port))
    monkeypatch.setattr("getpass.getuser", lambda: "analist")
    built = runner.invoke(app, ["submit", "--config", str(config), "--platform", "google_ads", ids["confirmed"]])
    assert built.exit_code == 0, built.output  # downloaded, to upload by Google's own form
    night = runner.invoke(app, ["report", "--config", str(config), "--send"], env={"SERPAUDIT_SMTP_PASSWORD": ""})
    assert night.exit_code == 0, night.output
    assert inbox.to(ANALYSTS) and not inbox.to(GOOGLE)  # the platform does not hear of the ad twice
    assert "not mailed to google_ads: in a submission built by hand" in night.stderr
    assert Store(tmp_path / "db.sqlite").finding(ids["confirmed"])["state"] == "confirmed"  # the analyst marks it


def test_a_failed_session_leaves_a_mail_another_process_claimed_meanwhile_to_it(tmp_path):
    import socket

    ad_store(tmp_path)
    store = Store(tmp_path / "db.sqlite")
    for n in (1, 2):
        enqueue(store, kind="analysts", recipients=[ANALYSTS], subject=f"night {n}", body="", attachments=[],
                now=NIGHT, max_bytes=10**7, zip_dir=tmp_path / "z", key=str(n))
    first, second = (m["id"] for m in store.outbox("pending"))  # in the order flush sends them
    claim = store.claim_mail

    def claim_and_race(mid: str, at: str) -> bool:
        won = claim(mid, at)
        if mid == first:
            assert claim(second, at)  # another process takes the second mail while this one sends the first
        return won

    store.claim_mail = claim_and_race  # type: ignore[method-assign]
    with socket.socket() as blackhole:  # accepts and never answers: the session fails at its deadline
        blackhole.bind(("127.0.0.1", 0))
        blackhole.listen(8)
        mail = MailConfig(host="127.0.0.1", port=blackhole.getsockname()[1], security="none",
                          sender="serpaudit@example.nl", timeout=30, deadline_s=2)
        done = flush(store, mail, lambda: LATER)
    assert {m["id"] for m, _ in done.failed} == {first, second}
    assert store.mail(first)["status"] == "pending"  # ours: pending again
    assert store.mail(second)["status"] == "sending"  # theirs: still theirs
