"""The advertiser behind a landing URL: click trackers unwrapped from the table in ``data/trackers.toml``.

A result keeps ``landing_url`` as the page showed it.  Its ``advertiser_domain`` is the registrable
domain of the real destination, with ``advertiser_domain_source`` saying how it was found:

- ``url``: the landing URL is the advertiser's own (no tracker in between);
- ``unwrapped``: the destination was read out of one or more trackers' URL parameters;
- ``landing``: a tracker hid the destination, so the isolated landing visit's final URL was used
  (set after the visit, by :func:`serpaudit.night.advertiser.resolve_from_landings`);
- ``claimed``: nothing better than the display URL the ad prints (the advertiser's claim).

Tracker URLs are read, never fetched.  A tracker whose destination cannot be read is never taken as the
advertiser: its domain names the tracker (``dartsearch.net``), which is useless to a platform.
"""

from __future__ import annotations

import base64
import binascii
import fnmatch
import re
import tomllib
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from crawler.domains import registrable_domain

TABLE_PATH = Path(__file__).with_name("data") / "trackers.toml"
SOURCES = ("url", "unwrapped", "landing", "claimed")
_MAX_DEPTH = 8
_HTTP = re.compile(r"^https?://", re.I)
_HTTP_ENCODED = re.compile(r"^https?%3a", re.I)


@dataclass(frozen=True)
class Tracker:
    name: str
    hosts: tuple[str, ...]
    paths: tuple[str, ...] = ()
    params: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()
    encoding: str = ""
    query_is_url: bool = False

    def matches(self, host: str, path: str) -> bool:
        if self.paths and not path.lower().startswith(self.paths):
            return False
        for h in self.hosts:
            if "*" in h:
                if fnmatch.fnmatchcase(host, h):
                    return True
            elif host == h or host.endswith("." + h):
                return True
        return False


class TrackerTableError(ValueError):
    """The tracker table is malformed; the message names the file and the entry."""


def load_table(path: Path = TABLE_PATH) -> tuple[Tracker, ...]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise TrackerTableError(f"{path.name}: {exc}") from exc
    out = []
    allowed = {"name", "hosts", "paths", "params", "segments", "encoding", "query_is_url"}
    for i, entry in enumerate(data.get("tracker") or []):
        where = f"{path.name}: tracker[{i}]"
        unknown = set(entry) - allowed
        if unknown:
            raise TrackerTableError(f"{where}: unknown field {sorted(unknown)[0]!r}")
        if not entry.get("hosts") or not all(isinstance(h, str) and h for h in entry["hosts"]):
            raise TrackerTableError(f"{where}: field 'hosts': a non-empty list of host names is required")
        if entry.get("encoding", "") not in ("", "bing-base64"):
            raise TrackerTableError(f"{where}: field 'encoding': must be 'bing-base64' or absent")
        out.append(Tracker(
            name=str(entry.get("name") or f"tracker {i}"),
            hosts=tuple(h.lower() for h in entry["hosts"]),
            paths=tuple(p.lower() for p in entry.get("paths", ())),
            params=tuple(entry.get("params", ())), segments=tuple(entry.get("segments", ())),
            encoding=entry.get("encoding", ""), query_is_url=bool(entry.get("query_is_url", False)),
        ))  # fmt: skip
    return tuple(out)


@cache
def _table() -> tuple[Tracker, ...]:
    return load_table()


def tracker_of(url: str | None, table: tuple[Tracker, ...] | None = None) -> Tracker | None:
    """The tracker whose URL this is, or None for an ordinary URL."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    table = table or _table()
    return next((table[i] for i in _candidates(_host_index(table), host) if table[i].matches(host, parts.path)), None)


@dataclass(frozen=True)
class _HostIndex:
    """A table's trackers by host name (positions in the table), and those with a glob, which any host may match."""

    by_host: dict[str, tuple[int, ...]]
    globbed: tuple[int, ...]


def _host_index(table: tuple[Tracker, ...]) -> _HostIndex:
    """The table's index, built once per table (known by identity: hashing the table cost more than a scan)."""
    known = _INDEXES.get(id(table))
    if known is not None and known[0] is table:
        return known[1]
    if len(_INDEXES) >= 16:
        _INDEXES.clear()
    index = _build_index(table)
    _INDEXES[id(table)] = (table, index)
    return index


_INDEXES: dict[int, tuple[tuple[Tracker, ...], _HostIndex]] = {}


def _build_index(table: tuple[Tracker, ...]) -> _HostIndex:
    by_host: dict[str, list[int]] = {}
    globbed: list[int] = []
    for i, t in enumerate(table):
        for h in t.hosts:
            if "*" in h:
                globbed.append(i)
            else:
                by_host.setdefault(h, []).append(i)
    return _HostIndex({h: tuple(ix) for h, ix in by_host.items()}, tuple(dict.fromkeys(globbed)))


def _candidates(index: _HostIndex, host: str) -> list[int]:
    """Positions of the trackers that can match ``host``, in table order: a tracker matches a host when one of
    its names is the host or what follows one of the host's dots (Tracker.matches), or by a glob.  Asking only
    these instead of all of them, in order, gives the same first match."""
    found = set(index.globbed)
    found.update(index.by_host.get(host, ()))
    at = host.find(".")
    while at >= 0:
        found.update(index.by_host.get(host[at + 1:], ()))
        at = host.find(".", at + 1)
    return sorted(found)


def _as_url(value: str) -> str | None:
    v = value.strip()
    for _ in range(3):  # some trackers encode their destination twice or three times
        if _HTTP.match(v):
            return v
        if not _HTTP_ENCODED.match(v):
            return None
        v = unquote(v)
    return v if _HTTP.match(v) else None


def bing_base64(u: str) -> str | None:
    if _HTTP.match(u):
        return u
    v = u[2:] if u.startswith("a1") else u
    v = v.replace(" ", "+").replace("+", "-").replace("/", "_")
    try:
        raw = base64.urlsafe_b64decode(v + "=" * (-len(v) % 4)).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return _as_url(raw)


def _inner(url: str, tracker: Tracker) -> str | None:
    """The URL a tracker's URL leads to, read from its parameters; None where it hides it."""
    parts = urlsplit(url)
    qs = parse_qs(parts.query)
    for name in tracker.params:
        for value in qs.get(name, ()):
            found = bing_base64(value) if tracker.encoding == "bing-base64" else _as_url(value)
            if found:
                return found
    for prefix in tracker.segments:
        for seg in re.split(r"[/;&]", f"{parts.path};{parts.query}"):
            if seg.startswith(prefix):
                found = _as_url(unquote(seg[len(prefix):]))
                if found:
                    return found
    if tracker.query_is_url and "?" in url:
        return _as_url(url.split("?", 1)[1])
    return None


@lru_cache(maxsize=4096)
def unwrap(url: str | None) -> tuple[str | None, int]:
    """``(destination, hops)``: ``url`` with every known tracker unwrapped, and how many were.

    The destination is None where a tracker hides where it leads (it is never guessed).
    """
    if not url:
        return None, 0
    current, hops = url.strip(), 0
    while hops <= _MAX_DEPTH:
        tracker = tracker_of(current)
        if tracker is None:
            return current, hops
        inner = _inner(current, tracker)
        if inner is None:
            return None, hops
        current, hops = inner, hops + 1
    return None, hops


def is_tracker(url: str | None) -> bool:
    return tracker_of(url) is not None


def advertiser(landing_url: str | None, display_url: str | None) -> tuple[str | None, str | None]:
    """``(advertiser_domain, advertiser_domain_source)`` from what the result page shows.

    The landing URL, unwrapped, is the advertiser's; where a tracker hides it, the display URL's
    domain is all the page says (``claimed``), until a landing visit tells more.
    """
    if landing_url:
        dest, hops = unwrap(landing_url)
        domain = registrable_domain(dest) if dest else None
        if domain:
            return domain, "unwrapped" if hops else "url"
    claimed = registrable_domain(display_url) if display_url and not is_tracker(_display_as_url(display_url)) else None
    return (claimed, "claimed") if claimed else (None, None)


def _display_as_url(display_url: str) -> str:
    s = display_url.strip().split("›")[0].split(" ")[0]
    return s if "://" in s else "http://" + s
