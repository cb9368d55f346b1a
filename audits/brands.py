"""The brand list: which brands to audit, their official domains and contact pages.

A brands CSV has a header row with the columns ``name`` and ``domains``
(required) and optionally ``contact_pages``, ``phone_support``, ``queries``,
``category`` and ``note``.  Columns are separated by ``,``, ``;`` (as Dutch Excel saves CSV) or TAB, found
from the header row.  List cells are ``;``-separated (quoted in a ``;``-separated file).  Lines starting
with ``#`` are comments; a UTF-8 byte-order mark is tolerated.

Every problem raises :class:`BrandFileError` naming the file, the line and the
field, e.g. ``brands.csv:7: field 'domains': 'kpn com' is not a hostname``.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import string
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

COLUMNS = ("name", "domains", "contact_pages", "phone_support", "queries", "category", "note")
REQUIRED_COLUMNS = ("name", "domains")

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# What a brand name may not hold although a cell can: line and paragraph breaks, TAB, bidi controls (RLO
# reverses what follows), zero-width characters and the BOM. A name is shown in reports, mail and the desk,
# and matched against queries: an invisible or reordering character there hides what is written.
_NAME_INVISIBLE = re.compile("[\t\r\n\x85\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_YES = {"yes", "true", "ja", "y", "1"}
_NO = {"no", "false", "nee", "n", "0"}
_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$"
)


@dataclass(frozen=True)
class Brand:
    name: str
    domains: tuple[str, ...]
    contact_pages: tuple[str, ...] = ()
    phone_support: bool = True
    queries: tuple[str, ...] = ()
    category: str = ""
    note: str = ""

    def owns(self, host_or_domain: str | None) -> bool:
        """True when ``host_or_domain`` is one of the brand's domains or a subdomain of one."""
        return host_on_domains(host_or_domain, self.domains)


class BrandFileError(ValueError):
    """A problem in a brands CSV, located by file, line and field."""

    def __init__(self, path: str | Path, line: int, field: str, message: str) -> None:
        self.path = Path(path)
        self.line = line
        self.field = field
        self.message = message
        super().__init__(f"{self.path.name}:{line}: field '{field}': {message}")


def host_on_domains(host_or_domain: str | None, domains: Iterable[str]) -> bool:
    """Suffix match: ``shop.kpn.com`` is on ``kpn.com``; ``evilkpn.com`` is not."""
    if not host_or_domain:
        return False
    host = host_or_domain.strip().lower().rstrip(".")
    if "://" in host:
        host = (urlsplit(host).hostname or "").lower()
    return any(host == d or host.endswith("." + d) for d in domains)


def normalise_domain(value: str) -> str:
    """Lowercase, strip a trailing dot and a leading ``www.``; ValueError unless it is a hostname."""
    d = value.strip().lower().rstrip(".")
    if d.startswith("www."):
        d = d[4:]
    if not _HOSTNAME.match(d):
        raise ValueError(f"{value.strip()!r} is not a hostname (expected e.g. 'kpn.com')")
    return d


def query_template_problem(template: str) -> str:
    """Why ``template`` is not a query template ("{brand} klantenservice": {brand} and no other
    placeholder), or ""."""
    try:
        names = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
    except ValueError as exc:
        return f"{exc} (write {{{{ and }}}} for literal braces)"
    unknown = [f for f in names if f != "brand"]
    if unknown:
        return f"unknown placeholder {{{unknown[0]}}} (only {{brand}} is replaced)"
    return "" if "brand" in names else "lacks {brand}"


def _split(cell: str | None) -> list[str]:
    return [p.strip() for p in (cell or "").split(";") if p.strip()]


def _parse_bool(value: str) -> bool:
    v = value.strip().lower()
    if v == "" or v in _YES:
        return True
    if v in _NO:
        return False
    raise ValueError(f"{value.strip()!r} is not one of yes/no/true/false/ja/nee")


DELIMITERS = (",", ";", "\t")


def _delimiter(lines: list[str]) -> str:
    """The column separator: the one of ``,`` ``;`` TAB that splits the header into the required columns
    (Dutch Excel saves CSV with ``;``), else the one the header holds most of; ``,`` by default."""
    header = next((ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")), "")
    for d in DELIMITERS:
        cells = {c.strip().strip('"').lower() for c in next(csv.reader([header], delimiter=d), [])}
        if set(REQUIRED_COLUMNS) <= cells:
            return d
    return max(DELIMITERS, key=header.count) if any(d in header for d in DELIMITERS) else ","


def _numbered_rows(text: str) -> Iterable[tuple[int, list[str]]]:
    """CSV rows with the file line number they start on; comment and blank lines skipped."""
    lines = text.splitlines(keepends=True)
    # Blank out comment lines so csv line numbers keep matching the file.
    cleaned = ["\n" if ln.lstrip().startswith("#") else ln for ln in lines]
    reader = csv.reader(io.StringIO("".join(cleaned)), delimiter=_delimiter(lines))
    start = 1
    for row in reader:
        if any(cell.strip() for cell in row):
            yield start, row
        start = reader.line_num + 1


def _brand_from_row(path: Path, line: int, rec: dict[str, str]) -> Brand:
    def fail(field: str, message: str) -> BrandFileError:
        return BrandFileError(path, line, field, message)

    for field, value in rec.items():
        bad = _CONTROL.search(value or "")
        if bad:
            raise fail(field, f"{value[:60]!r} contains the control character {bad.group()!r}")
    name = (rec.get("name") or "").strip()
    if not name:
        raise fail("name", "empty brand name")
    hidden = _NAME_INVISIBLE.search(name)
    if hidden:
        import unicodedata

        ch = hidden.group()
        what = {"\t": "TAB", "\r": "CR", "\n": "LF", "\x85": "NEL"}.get(ch) or unicodedata.name(ch, "a control")
        raise fail("name", f"brand name {name[:60]!r} contains {what} (U+{ord(ch):04X}): names are shown in "
                           "reports and mail; write it without")
    domains: list[str] = []
    for raw in _split(rec.get("domains")):
        try:
            d = normalise_domain(raw)
        except ValueError as e:
            raise fail("domains", str(e)) from None
        if d not in domains:
            domains.append(d)
    if not domains:
        raise fail("domains", f"brand {name!r} has no domain")
    pages: list[str] = []
    for url in _split(rec.get("contact_pages")):
        try:
            parts = urlsplit(url)
            hostname = parts.hostname
            parts.port  # noqa: B018 - raises ValueError for a port out of range
        except ValueError as e:
            raise fail("contact_pages", f"{url!r} is not a valid URL ({e})") from None
        if parts.scheme.lower() not in ("http", "https") or not hostname:
            raise fail("contact_pages", f"{url!r} is not an http(s) URL")
        if not host_on_domains(hostname, domains):
            raise fail("contact_pages", f"{url!r} is not on the brand's domains ({', '.join(domains)})")
        if url not in pages:
            pages.append(url)
    try:
        phone_support = _parse_bool(rec.get("phone_support") or "")
    except ValueError as e:
        raise fail("phone_support", str(e)) from None
    return Brand(
        name=name,
        domains=tuple(domains),
        contact_pages=tuple(pages),
        phone_support=phone_support,
        queries=tuple(dict.fromkeys(_split(rec.get("queries")))),
        category=(rec.get("category") or "").strip(),
        note=(rec.get("note") or "").strip(),
    )


def load_brands_csv(path: str | Path) -> list[Brand]:
    """Read and validate a brands CSV, in file order."""
    return [b for _, b in read_brands_csv(path)]


def read_brands_csv(path: str | Path) -> list[tuple[int, Brand]]:
    """Read and validate a brands CSV: (line, brand) in file order."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as e:
        raw = path.read_bytes()
        line = raw[: e.start].count(b"\n") + 1
        raise BrandFileError(path, line, "*", f"not UTF-8 text (byte {raw[e.start]:#04x}); save the file as "
                             "'CSV UTF-8'") from None
    rows = iter(_numbered_rows(text))
    try:
        header_line, header = next(rows)
    except StopIteration:
        raise BrandFileError(path, 1, "*", "no header row") from None
    header = [h.strip().lower() for h in header]
    for col in REQUIRED_COLUMNS:
        if col not in header:
            raise BrandFileError(path, header_line, col, "missing required column")
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        log.warning("%s: ignoring unknown column(s) %s", path, ", ".join(unknown))
    brands: list[tuple[int, Brand]] = []
    seen: dict[str, tuple[int, str]] = {}
    for line, row in rows:
        if len(row) > len(header):
            msg = f"{len(row)} cells but the header has {len(header)} columns"
            raise BrandFileError(path, line, "*", msg)
        rec = dict(zip(header, row, strict=False))
        brand = _brand_from_row(path, line, rec)
        key = brand.name.casefold()
        if key in seen:
            first_line, first = seen[key]
            msg = f"duplicate brand {brand.name!r} (first on line {first_line})"
            if first != brand.name:
                msg += f": it differs from {first!r} only in case; one brand, one spelling"
            raise BrandFileError(path, line, "name", msg)
        seen[key] = (line, brand.name)
        brands.append((line, brand))
    return brands


def dump_brands_csv(brands: Iterable[Brand], path: str | Path) -> Path:
    """Write ``brands`` in the format :func:`load_brands_csv` reads (round-trips)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(COLUMNS)
        for b in brands:
            w.writerow(
                [
                    b.name,
                    ";".join(b.domains),
                    ";".join(b.contact_pages),
                    "yes" if b.phone_support else "no",
                    ";".join(b.queries),
                    b.category,
                    b.note,
                ]
            )
    return path


def default_brands_path() -> Path:
    """The shipped Dutch brand list (facts from SeniorWeb and the brands' own sites)."""
    return Path(__file__).resolve().parent / "data" / "brands_nl.csv"
