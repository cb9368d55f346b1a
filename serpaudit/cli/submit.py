"""``serpaudit submit`` and ``serpaudit outbox``: a thin layer over serpaudit.app.submit and serpaudit.app.outbox."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from serpaudit.cli.common import ConfigOpt, JsonOpt, guard, print_rows
from serpaudit.lazy import LazyModule

if TYPE_CHECKING:  # mypy checks the CLI's calls against the real use cases
    from serpaudit.app import outbox as app_outbox
    from serpaudit.app import submit as app_submit
else:  # imported when a command runs, not for --help
    app_submit = LazyModule("serpaudit.app.submit")
    app_outbox = LazyModule("serpaudit.app.outbox")


def submit(
    platform: Annotated[str, typer.Option("--platform", "-p", help="google_ads or microsoft_advertising.")],
    ids: Annotated[list[str] | None, typer.Argument(
        help="Only these ads (finding ids or unique prefixes); default: every ad the platform is offered.")] = None,
    state: Annotated[str | None, typer.Option(help="Only ads in this state: open or confirmed.")] = None,
    send: Annotated[bool, typer.Option("--send", help="Mail the bundle to the platform's recipients; its ads "
                                       "become reported to the platform.")] = False,
    config: ConfigOpt = None, as_json: JsonOpt = False,
) -> None:
    """Build a platform submission (CSV, evidence, SHA256SUMS, zipped) in a new folder, and --send it.

    The platform is offered every ad seen on it that is open or confirmed, judged scam or suspect, still
    live and never reported to it, whichever night it was first seen.

    Example: serpaudit submit --platform google_ads --state confirmed --send
    """
    outcome = guard(app_submit.submit, config, platform, state=state, ids=ids or (), send=send)
    if as_json:
        typer.echo(json.dumps(outcome.as_dict(), indent=2, ensure_ascii=False, default=str))
        return
    sub = outcome.submission
    if sub is None:
        typer.echo(outcome.mail_note, err=True)
        return
    typer.echo(f"submission {sub.id}: {len(sub.finding_ids)} ad(s) for {platform}, built by {sub.by}")
    typer.echo(f"folder: {sub.folder}")
    typer.echo(f"zip: {sub.zip_path} (sha256 {sub.zip_sha256})")
    print_rows(outcome.ads, False, app_submit.AD_COLUMNS)
    if outcome.mail_note:
        typer.echo(outcome.mail_note, err=True)
    elif not send:
        typer.echo("not mailed: --send mails it to the platform's recipients", err=True)


def outbox(
    send: Annotated[bool, typer.Option("--send", help="Send the pending mails now (each run does it too).")] = False,
    include_sent: Annotated[bool, typer.Option("--all", help="Also the mails that went through.")] = False,
    resend: Annotated[str, typer.Option("--resend", metavar="ID",
                                        help="A mail left 'sending' did not go: send it again.")] = "",
    mark_sent: Annotated[str, typer.Option("--mark-sent", metavar="ID",
                                           help="A mail left 'sending' did go: record it as delivered.")] = "",
    config: ConfigOpt = None, as_json: JsonOpt = False,
) -> None:
    """The mails not sent yet (refused, cut off, timed out), with their attempts and last error.

    Each run sends them again until they go through; --send does it now.  A mail whose process stopped while
    sending it ('sending') may have gone: it waits for you to say which, with --resend ID or --mark-sent ID.

    Example: serpaudit outbox --send
    """
    if resend or mark_sent:
        mail = guard(app_outbox.outbox_decide, config, mark_sent or resend, bool(mark_sent))
        typer.echo(f"mail {mail['id']}: {mail['status']}", err=True)
    if send:
        sent = guard(app_outbox.outbox_send, config)
        typer.echo(f"sent {len(sent)} mail(s)", err=True)
    print_rows(guard(app_outbox.outbox_list, config, include_sent), as_json, app_outbox.COLUMNS)
