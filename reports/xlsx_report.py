"""``findings.xlsx`` for analysts: one sheet per state, one row per case, typed columns, the ad's crop beside it.

XlsxWriter writes every text cell with ``write_string``: a string cell is never a formula, so the
attacker's ``=HYPERLINK(...)`` stays text without the ``'`` the CSVs need.  Numbers are numbers,
times are Excel date-times (UTC), phone numbers are text (a leading 0 survives).  Each sheet has a
frozen header and filters.

Written in XlsxWriter's ``constant_memory`` mode: each sheet's rows go to its own temporary file as they are
written, so 100,000 cases never sit in memory (without it XlsxWriter kept every cell until ``close``).  What the
mode asks: a sheet's rows are written top to bottom, each row's height set before its cells (both done here:
one pass over the findings in report order, each case to its state's sheet), strings are stored in the cell
(inline, not in a shared table: the same text to Excel, LibreOffice and openpyxl), and no ``add_table`` or
``merge_range`` (not used).
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from reports.ad_text import ad_description
from reports.cells import phone_number
from reports.context import (
    STATES,
    ReportContext,
    advertiser_domain,
    campaign_rows,
    case_numbers,
    case_reasons,
    finding_key,
    hours_text,
    state_of,
)
from reports.csv_report import reason_text
from reports.ordered import in_report_order
from reports.tally import NightTally

ROW_PX = 64  # height of a finding's row: room for its crop
CROP_COL_PX = 260
Kind = str  # "text" | "int" | "time" | "image" | "link"

FINDING_SHEET: tuple[tuple[str, Kind, int, Callable[[Mapping[str, Any], ReportContext], Any]], ...] = (
    ("id", "text", 17, lambda f, c: finding_key(f)),
    ("brand", "text", 16, lambda f, c: f.get("brand")),
    ("verdict", "text", 11, lambda f, c: f.get("verdict")),
    ("severity", "text", 9, lambda f, c: f.get("severity")),
    ("status", "text", 10, lambda f, c: f.get("status") or "new"),
    ("ad / result", "image", 37, lambda f, c: f.get("evidence_path")),
    ("phone number", "text", 16, lambda f, c: "\n".join(phone_number(n["e164"], c.region) for n in case_numbers(f))),
    ("as shown", "text", 16, lambda f, c: "\n".join(n["raw"] for n in case_numbers(f))),
    ("E.164", "text", 16, lambda f, c: "\n".join(n["e164"] for n in case_numbers(f))),
    ("number type", "text", 13, lambda f, c: "\n".join(n["number_type"] for n in case_numbers(f))),
    ("rules", "text", 22, lambda f, c: "\n".join(dict.fromkeys(str(r.get("rule") or "") for r in case_reasons(f)))),
    ("engine", "text", 11, lambda f, c: f.get("engine")),
    ("kind", "text", 8, lambda f, c: f.get("kind")),
    ("placement", "text", 9, lambda f, c: f.get("placement")),
    ("rank", "int", 6, lambda f, c: f.get("rank")),
    ("device", "text", 9, lambda f, c: f.get("device")),
    ("query", "text", 26, lambda f, c: f.get("query")),
    ("advertiser domain", "text", 24, lambda f, c: advertiser_domain(f)),
    ("title", "text", 36, lambda f, c: f.get("title")),
    ("display URL", "text", 30, lambda f, c: f.get("display_url")),
    ("description", "text", 44, lambda f, c: ad_description(f)),
    ("landing URL", "text", 34, lambda f, c: f.get("landing_url")),
    ("why", "text", 44, lambda f, c: "\n".join(reason_text(r, c.region) for r in case_reasons(f))),
    ("seen (UTC)", "time", 17, lambda f, c: f.get("captured_at")),
    ("first seen (UTC)", "time", 17, lambda f, c: f.get("first_seen") or f.get("captured_at")),
    ("days seen", "int", 8, lambda f, c: f.get("nights_seen") or 1),
    ("sweeps seen", "int", 8, lambda f, c: f.get("times_seen") or 1),
    ("sweeps audited", "int", 8, lambda f, c: f.get("sweeps_audited") or f.get("times_seen") or 1),
    ("hours seen (UTC)", "text", 12, lambda f, c: hours_text(f)),
    ("campaign", "text", 18, lambda f, c: f.get("campaign")),
    ("screenshot", "link", 30, lambda f, c: f.get("screenshot_path")),
)


def png_size(path: Path) -> tuple[int, int] | None:
    """Width and height from a PNG's IHDR chunk (None when it is not a PNG)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(24)
    except OSError:
        return None
    if len(head) < 24 or head[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def excel_time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        t = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return t.replace(tzinfo=None)  # stored as UTC: the header says so


class _Writer:
    def __init__(self, path: Path, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                                    "strings_to_numbers": False, "constant_memory": True})  # fmt: skip
        self.header = self.book.add_format({"bold": True, "bg_color": "#EEEEEE", "border": 1, "text_wrap": True,
                                            "valign": "top"})  # fmt: skip
        self.cell = self.book.add_format({"valign": "top", "text_wrap": True})
        self.time = self.book.add_format({"valign": "top", "num_format": "yyyy-mm-dd hh:mm"})
        self.int = self.book.add_format({"valign": "top", "num_format": "0"})
        self.link = self.book.add_format({"valign": "top", "font_color": "blue", "underline": 1})

    def sheet(self, name: str, headers: Sequence[tuple[str, int]]) -> Worksheet:
        ws = self.book.add_worksheet(name)
        for col, (title, width) in enumerate(headers):
            ws.write_string(0, col, title, self.header)
            ws.set_column(col, col, width)
        ws.freeze_panes(1, 0)
        return ws

    def value(self, ws: Worksheet, row: int, col: int, kind: Kind, value: Any) -> None:
        if kind == "int" and value not in (None, ""):
            try:
                ws.write_number(row, col, int(value), self.int)
                return
            except (TypeError, ValueError):
                pass
        if kind == "time" and (t := excel_time(value)) is not None:
            ws.write_datetime(row, col, t, self.time)
            return
        if kind == "image" and value:
            self.image(ws, row, col, str(value))
            return
        if kind == "link" and value:
            ws.write_url(row, col, f"external:{value}", self.link, string=str(value))
            return
        ws.write_string(row, col, "" if value is None else str(value), self.cell)

    def image(self, ws: Worksheet, row: int, col: int, rel: str) -> None:
        path = self.out_dir / rel
        size = png_size(path)
        if size is None or not all(size):
            ws.write_string(row, col, rel, self.cell)
            return
        scale = min((CROP_COL_PX - 6) / size[0], (ROW_PX - 4) / size[1], 1.0)
        ws.insert_image(row, col, str(path), {"x_scale": scale, "y_scale": scale, "x_offset": 2, "y_offset": 2,
                                              "object_position": 1, "description": rel})  # fmt: skip


def write_xlsx(
    findings: Iterable[Mapping[str, Any]],
    path: Path,
    *,
    run: Mapping[str, Any] | None = None,
    blocked: Iterable[Mapping[str, Any]] = (),
    context: ReportContext | None = None,
    campaigns: Iterable[Mapping[str, Any]] | None = None,
    tally: NightTally | None = None,
) -> Path:
    """Write ``path``; evidence paths in ``findings`` are relative to its folder; ``campaigns`` and ``tally``: the
    campaign rows (:func:`reports.context.campaign_rows`) and the night's tally when the caller has them."""
    ctx = context or ReportContext()
    rows = in_report_order(findings)
    w = _Writer(path, path.parent)
    # the sheets come first, in STATES order: the states present from the tally, else from a pass of their own
    present = tally.states if tally is not None else {state_of(f) for f in rows}
    sheets = {s: w.sheet(s, [(h, width) for h, _, width, _ in FINDING_SHEET]) for s in STATES
              if s in ("open", "reported", "dismissed") or s in present}
    written = dict.fromkeys(sheets, 0)
    for f in rows:  # one pass, each case to the next row of its state's sheet (each sheet top to bottom)
        state = state_of(f)
        if state not in sheets:  # a state no sheet is for (not one of STATES): left out, as it always was
            continue
        written[state] += 1
        ws, r = sheets[state], written[state]
        ws.set_row_pixels(r, ROW_PX)
        for col, (_, kind, _, get) in enumerate(FINDING_SHEET):
            w.value(ws, r, col, kind, get(f, ctx))
    for state, ws in sheets.items():
        ws.autofilter(0, 0, max(written[state], 1), len(FINDING_SHEET) - 1)
    _campaigns(w, [dict(c) for c in campaigns] if campaigns is not None else campaign_rows(rows, ctx))
    _not_audited(w, list(blocked))
    w.book.close()
    return path


def _join(v: Any) -> str:
    return ", ".join(str(x) for x in v) if isinstance(v, list | tuple | set) else ("" if v is None else str(v))


def _table(w: _Writer, name: str, cols: tuple[tuple[str, Kind, int], ...], keys: tuple[str, ...],
           rows: list[Any], cell: Callable[[Kind, Any], Any] = lambda kind, v: v) -> None:
    """A sheet of ``rows``: column ``i`` shows ``row[keys[i]]`` as ``cols[i]`` says, with a filter."""
    ws = w.sheet(name, [(h, width) for h, _, width in cols])
    for r, row in enumerate(rows, start=1):
        for col, ((_, kind, _), key) in enumerate(zip(cols, keys, strict=True)):
            w.value(ws, r, col, kind, cell(kind, row.get(key)))
    ws.autofilter(0, 0, max(len(rows), 1), len(cols) - 1)


def _campaigns(w: _Writer, campaigns: list[dict[str, Any]]) -> None:
    cols = (("campaign", "text", 20), ("numbers", "text", 22), ("brands", "text", 30), ("domains", "text", 40),
            ("engines", "text", 22), ("cases", "int", 9), ("first seen (UTC)", "time", 17))  # fmt: skip
    keys = ("id", "numbers", "brands", "domains", "engines", "findings", "first_seen")
    _table(w, "campaigns", cols, keys, campaigns, lambda kind, v: _join(v) if kind == "text" else v)


def _not_audited(w: _Writer, blocked: list[Mapping[str, Any]]) -> None:
    cols = (("brand", "text", 16), ("engine", "text", 11), ("query", "text", 28), ("device", "text", 9),
            ("page", "text", 9), ("status", "text", 10), ("captured (UTC)", "time", 17),
            ("detail", "text", 50))  # fmt: skip
    keys = ("brand", "engine", "query", "device", "kind", "status", "captured_at", "error")
    _table(w, "not audited", cols, keys, blocked)
