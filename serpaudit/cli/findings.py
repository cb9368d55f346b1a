"""``serpaudit findings ...`` and ``serpaudit campaigns ...``: a thin layer over serpaudit.app.findings.

``register(findings_app, campaigns_app, guard, print_rows)`` adds the commands; serpaudit.cli calls it
with its own error guard and table printer, so every command prints and exits the same way.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from serpaudit.cli.common import Guard, phone_display
from serpaudit.lazy import LazyModule

if TYPE_CHECKING:  # mypy checks the CLI's calls against the real use cases
    from serpaudit.app import findings as fc
else:  # imported when a command runs, not for --help
    fc = LazyModule("serpaudit.app.findings")

ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", help="Settings file (TOML).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
IdsArg = Annotated[list[str], typer.Argument(help="Case ids (or unique prefixes), as `findings list` shows.")]
ReasonOpt = Annotated[str, typer.Option(help="Why (optional; kept in the event trail).")]
DismissReasonOpt = Annotated[str, typer.Option(help="Why they are no abuse (required; kept in the event trail).")]


def _screenful() -> int:
    """Rows that fit the terminal with the heading and the line saying how many more (24 lines when piped)."""
    import shutil

    return max(10, shutil.get_terminal_size().lines - 4)


def _write_json(rows: Iterator[dict[str, Any]]) -> None:
    """A JSON list written one finding at a time, as ``print_rows`` would have printed it whole."""
    first = True
    for row in rows:
        item = json.dumps(row, indent=2, ensure_ascii=False, default=str).replace("\n", "\n  ")
        typer.echo(("[\n  " if first else ",\n  ") + item, nl=False)
        first = False
    typer.echo("[]" if first else "\n]")


def register(findings_app: typer.Typer, campaigns_app: typer.Typer, guard: Guard,
             print_rows: Callable[[list[dict[str, Any]], bool, list[str]], None]) -> None:
    @findings_app.command("list")
    def findings_list(
        config: ConfigOpt = None, as_json: JsonOpt = False,
        state: Annotated[str | None, typer.Option(help="open, confirmed, dismissed, reported or resolved.")] = None,
        status: Annotated[str | None, typer.Option(help="new, recurring, gone or reopened.")] = None,
        brand: Annotated[str | None, typer.Option(help="Only this brand.")] = None,
        rule: Annotated[str | None, typer.Option(
            help="unofficial_number, own_ad_unpublished_number, lookalike_domain or ai_answer_number.")] = None,
        engine: Annotated[str | None, typer.Option(help="Seen on this engine.")] = None,
        since: Annotated[str | None, typer.Option(help="Last seen on or after this date (YYYY-MM-DD).")] = None,
        include_all: Annotated[bool, typer.Option("--all", help="Include dismissed findings.")] = False,
        run: Annotated[str | None, typer.Option(help="Only what this run saw.")] = None,
        limit: Annotated[int | None, typer.Option(
            help="Rows to show (default: a screenful for the table, all for --json; 0: all).")] = None,
        offset: Annotated[int, typer.Option(help="Skip this many rows first (the next page).")] = 0,
    ) -> None:
        """Cases across nights, newest first: one row per ad, organic result or AI answer, with every number it
    showed and every rule it broke (dismissed ones only with --all or --state dismissed). The table shows a
    screenful and says how many more there are; --json writes every one, one at a time.

    Example: serpaudit findings list --brand telnova --status new --offset 40
    """
        if as_json:
            guard(_write_json, guard(fc.findings_stream, config, limit=limit or None, offset=offset, run=run,
                                     state=state, status=status, brand=brand, rule=rule, engine=engine, since=since,
                                     include_all=include_all))
            return
        page = guard(fc.findings_page, config, limit=_screenful() if limit is None else (limit or None),
                     offset=offset, run=run, state=state, status=status, brand=brand, rule=rule, engine=engine,
                     since=since, include_all=include_all)
        print_rows(page.rows, False, fc.LIST_COLUMNS)
        if page.more:
            shown = f"{page.offset + 1}-{page.offset + len(page.rows)}" if page.rows else "none"
            typer.echo(f"rows {shown} of {page.total:,}; {page.more:,} more: --offset "
                       f"{page.offset + len(page.rows)} for the next, --limit 0 for all, --json for every field",
                       err=True)

    @findings_app.command("show")
    def findings_show(finding_id: Annotated[str, typer.Argument(help="A finding id or a unique prefix.")],
                      config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
        """One finding's whole history: every night with its evidence, every sighting and state change.

    Example: serpaudit findings show zyvbwjs
    """
        shown = guard(fc.findings_show, config, finding_id)
        if as_json:
            typer.echo(json.dumps(shown, indent=2, ensure_ascii=False, default=str))
            return
        typer.echo(_describe(shown))

    def _set(action: str, ids: list[str], config: Path | None, reason: str = "", platform: str = "",
             reference: str = "", on: str | None = None) -> None:
        for f in guard(fc.findings_set_state, config, action, ids, reason=reason, platform=platform,
                       reference=reference, on=on):
            typer.echo(f"{f['id']}  {f['state']}  {f['brand']}  {_numbers(f)}  {f['advertiser_domain']}")

    @findings_app.command("confirm")
    def confirm(ids: IdsArg, reason: ReasonOpt = "", config: ConfigOpt = None) -> None:
        """Confirm findings as abuse.

    Example: serpaudit findings confirm zyvbwjs 0w7aa27 --reason "scam ad, called the number"
    """
        _set("confirm", ids, config, reason)

    @findings_app.command("dismiss")
    def dismiss(ids: IdsArg, reason: DismissReasonOpt = "", config: ConfigOpt = None) -> None:
        """Dismiss findings (--reason required); allow-lists their number and domain for the brand.

    Example: serpaudit findings dismiss p66aafs --reason "the brand's new partner"
    """
        _set("dismiss", ids, config, reason)

    @findings_app.command("reported")
    def reported(ids: IdsArg,
                 platform: Annotated[str, typer.Option(
                     help="The case's: google_ads (Google's ads), microsoft_advertising (Bing's and DuckDuckGo's),"
                          " or the engine for an organic result or AI answer.")] = "",
                 reference: Annotated[str, typer.Option(help="The platform's case or ticket number.")] = "",
                 on: Annotated[str | None, typer.Option(
                     "--date", help="Report date (default today): not in the future, nor before the case was first"
                                    " seen.")] = None,
                 reason: ReasonOpt = "", config: ConfigOpt = None) -> None:
        """Record that findings were reported to a platform; later nights track the takedown.

    Example: serpaudit findings reported zyvbwjs --platform google_ads --reference 7-1234
    """
        _set("reported", ids, config, reason, platform, reference, on)

    @findings_app.command("resolve")
    def resolve(ids: IdsArg, reason: ReasonOpt = "", config: ConfigOpt = None) -> None:
        """Mark findings resolved (a resolved finding seen again is open again).

    Example: serpaudit findings resolve zyvbwjs --reason "ad taken down"
    """
        _set("resolve", ids, config, reason)

    @findings_app.command("reopen")
    def reopen(ids: IdsArg, reason: ReasonOpt = "", config: ConfigOpt = None) -> None:
        """Open dismissed or resolved cases again (a dismissal's allow-list entries go with it).

    Example: serpaudit findings reopen p66aafs --reason "the partner's contract ended"
    """
        _set("reopen", ids, config, reason)

    @campaigns_app.command("list")
    def campaigns_list(config: ConfigOpt = None, as_json: JsonOpt = False,
                       include_single: Annotated[bool, typer.Option(
                           "--all", help="Also campaigns of a single finding.")] = False) -> None:
        """Campaigns: findings sharing a number, domain or landing page, across brands and nights.

    Example: serpaudit campaigns list --all
    """
        print_rows(guard(fc.campaigns_list, config, include_single), as_json,
                   ["id", "headline", "findings", "open", "brands", "numbers", "domains"])

    @campaigns_app.command("show")
    def campaigns_show(campaign_id: Annotated[str, typer.Argument(help="A campaign id (campaigns list).")],
                       config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
        """One campaign and its findings.

    Example: serpaudit campaigns show c1merp4
    """
        c = guard(fc.campaigns_show, config, campaign_id)
        if as_json:
            typer.echo(json.dumps(c, indent=2, ensure_ascii=False, default=str))
            return
        typer.echo(f"campaign {c['id']}: {c['headline']}")
        typer.echo(f"brands: {', '.join(c['brands'])}\nnumbers: {', '.join(c['numbers']) or '-'}\n"
                   f"domains: {', '.join(c['domains'])}\n")
        print_rows(c["members"], False, fc.LIST_COLUMNS)


def _numbers(f: dict[str, Any]) -> str:
    numbers = f.get("numbers") or ([f["e164"]] if f.get("e164") else [])
    return ", ".join(phone_display(n) for n in numbers) or "-"


def _describe(shown: dict[str, Any]) -> str:
    f = shown["finding"]
    lines = [
        f"case {f['id']}  [{f.get('status')}] [{f.get('state')}]  {f['brand']}  {f.get('case_kind') or 'ad'} "
        f"on {f.get('channel') or f.get('engine')}",
        f"numbers {_numbers(f)}  domain {f.get('advertiser_domain') or '-'}",
        f"verdict {f.get('verdict')} ({f.get('severity')}): {f.get('reason')}",
        "reasons:",
        *(f"  {r.get('severity')} {r.get('verdict')}  {r.get('rule')}"
          + (f" {phone_display(r['e164'])} (shown as {r.get('raw') or r['e164']})" if r.get("e164") else "")
          + f": {r.get('reason')}" for r in f.get("reasons") or ()),
        f"seen on {f.get('nights_seen')} day(s), in {f.get('times_seen')} of "
        f"{f.get('sweeps_audited') or f.get('times_seen')} sweep(s), at "
        f"{', '.join(f'{h:02d}' for h in f.get('hours_seen') or []) or '-'} h UTC: "
        f"{f.get('first_seen')} .. {f.get('last_seen')}",
        f"engines {', '.join(f.get('engines') or [])}; devices {', '.join(f.get('devices') or [])}; "
        f"placements {', '.join(f.get('placements') or [])}",
        f"campaign {f.get('campaign') or '-'}" + (f": {shown['campaign']['headline']}" if shown["campaign"] else ""),
    ]
    if f.get("reported_at"):
        lines.append(f"reported to {f.get('reported_platform')} on {f['reported_at']} "
                     f"{f.get('report_reference') or ''}; taken down: {f.get('taken_down_at') or 'not yet'}"
                     + (f" after {f['takedown_days']} day(s)" if f.get("takedown_days") is not None else "")
                     + ("; FOLLOW-UP DUE" if f.get("followup_due") else ""))
    lines.append("\nnights:")
    for n in shown["nights"]:
        lines.append(f"  {n['night']}  run {n['run_id']}  {n.get('verdict')}  {n.get('engine')} {n.get('device')} "
                     f"{n.get('placement')} #{n.get('rank')}  {n.get('title') or ''}")
        lines.append(f"      evidence {n.get('evidence_path') or n.get('screenshot_path') or '-'}  "
                     f"sha256 {n.get('evidence_sha256') or n.get('screenshot_sha256') or '-'}")
        for s in n["sightings"]:
            page = " landing page" if s.get("capture_kind") == "landing" else ""
            lines.append(f"      sighting {s['engine']} {s['device']}{page} {s['placement']} capture {s['capture_id']} "
                         f"result {s['result_id']}")
    lines.append("\nstate changes:")
    for e in shown["events"] or []:
        extra = f" {e['platform']} {e['reference']}".rstrip() if e.get("platform") else ""
        lines.append(f"  {e['at']}  {e['old_state']} -> {e['new_state']}{extra}  by {e['user'] or 'unknown'}"
                     + (f": {e['reason']}" if e.get("reason") else " (no reason given)"))
    if not shown["events"]:
        lines.append("  (none)")
    return "\n".join(lines)
