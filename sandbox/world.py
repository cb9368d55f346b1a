"""A sandbox *world*: the data file (TOML) that describes a small imitation web.

``load_world(path)`` reads and validates the file and returns a :class:`World`.
Every problem is reported as ``WorldError("<file>: <field path>: <what is wrong>")``,
e.g. ``default.toml: brands[2].domains: must be a non-empty list of strings``.

The format is documented in docs/sandbox.md ("World file format").
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import phonenumbers

from audits.brands import query_template_problem
from crawler.engines import ENGINE_NAMES
from sandbox.world_checks import _V, WorldError
from sandbox.world_expect import parse_expect_answers, parse_expect_campaigns
from sandbox.world_hours import parse_hours, world_zone
from sandbox.world_nights import nights_list, parse_lifecycle, serps_on_night, total_nights
from sandbox.world_serps import (  # noqa: F401 (re-exported: the world's vocabulary is read here)
    ANSWER_ENDS,
    DEVICES,
    ENGINE_FLAGS,
    ENGINE_STATUSES,
    MARKUP_VARIANTS,
    MAX_LATE_MS,
    PLACEMENTS,
    SERP_STATUSES,
    _cross_check,
    _parse_serp,
    to_e164,
)

DEFAULT_WORLD_PATH = Path(__file__).resolve().parent / "worlds" / "default.toml"

VERDICTS = ("finding", "inconclusive")
# the audit's rules (audits.rules.RULES); lookalike_domain expectations name a domain instead of a number
RULES = ("unofficial_number", "own_ad_unpublished_number", "lookalike_domain", "ai_answer_number")
NOT_AUDITED_STATUSES = ("captcha", "blocked", "consent")
_HOST_RE = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")


def normalise_query(query: str) -> str:
    """Queries are matched case-insensitively with runs of spaces collapsed."""
    return " ".join(query.lower().split())


@dataclass
class World:
    """A validated world.  Plain data: lists of dicts, as read from the TOML."""

    name: str
    region: str
    language: str
    brands: list[dict[str, Any]]
    crawl: dict[str, Any]
    sites: dict[str, dict[str, Any]]  # host -> site
    serps: list[dict[str, Any]]
    expected: list[dict[str, Any]]
    expected_not_audited: list[dict[str, Any]]
    # per-engine flags: {"google": {"consent_wall": bool}, "bing": {"consent_banner": bool}}
    engines: dict[str, dict[str, Any]] = field(default_factory=dict)
    path: Path | None = None
    # several nights (sandbox/world_nights.py): how many, what the case file must show, the analyst's triage
    nights: int = 1
    lifecycle: list[dict[str, Any]] = field(default_factory=list)
    triage: list[dict[str, Any]] = field(default_factory=list)
    gone_after_nights: int | None = None
    night_number: int | None = None  # set on the view World.night(n) returns
    timezone: str = "UTC"  # the zone an ad's ``hours`` are read in (sandbox/world_hours.py)
    # AI answers recorded in a state, and campaigns across brands (sandbox/world_expect.py)
    expected_answers: list[dict[str, Any]] = field(default_factory=list)
    expected_campaigns: list[dict[str, Any]] = field(default_factory=list)

    def night(self, n: int) -> World:
        """The world as it is on night ``n`` (1-based): result pages and expectations of that night."""
        if not 1 <= n <= self.nights:
            raise ValueError(f"night {n} is outside 1..{self.nights}")
        return replace(self, night_number=n, serps=serps_on_night(self.serps, n),
                       expected=[e for e in self.expected if e.get("nights") is None or n in e["nights"]],
                       expected_not_audited=[e for e in self.expected_not_audited
                                             if e.get("nights") is None or n in e["nights"]],
                       expected_answers=[e for e in self.expected_answers if e["nights"] is None or n in e["nights"]],
                       expected_campaigns=[e for e in self.expected_campaigns
                                           if e["nights"] is None or n in e["nights"]])

    # -- look-ups used by the web app ------------------------------------------------

    def site(self, host: str) -> dict[str, Any] | None:
        host = host.lower().rstrip(".")
        if host in self.sites:
            return self.sites[host]
        for site in self.sites.values():
            if host in site["aliases"]:
                return site
        return None

    def queries_for(self, brand: dict[str, Any]) -> list[str]:
        """The queries the crawl runs for a brand: templates first, then the brand's own."""
        out = [t.format(brand=brand["name"]) for t in self.crawl["query_templates"]]
        for q in brand["queries"]:
            if normalise_query(q) not in {normalise_query(x) for x in out}:
                out.append(q)
        return out

    def brand_for_query(self, query: str) -> dict[str, Any] | None:
        q = normalise_query(query)
        for brand in self.brands:
            if q in {normalise_query(x) for x in self.queries_for(brand)}:
                return brand
        for brand in self.brands:  # looser: the brand name occurs in the query
            if normalise_query(brand["name"]) in q:
                return brand
        return None

    def serp_for(self, engine: str, query: str, device: str) -> dict[str, Any] | None:
        """The planted [[serps]] entry for (engine, query, device); device-specific wins."""
        q = normalise_query(query)
        generic = None
        for serp in self.serps:
            if serp["engine"] != engine or normalise_query(serp["query"]) != q:
                continue
            if serp["device"] == device:
                return serp
            if serp["device"] is None and generic is None:
                generic = serp
        return generic


# -- validation --------------------------------------------------------------------------



def load_world(path: str | Path) -> World:
    """Read and validate a world file; raises :class:`WorldError` naming file and field."""
    path = Path(path)
    fname = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise WorldError(f"{fname}: cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise WorldError(f"{fname}:{line}: not UTF-8 text (byte {raw[exc.start]:#04x} at offset {exc.start})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise WorldError(f"{fname}: not valid TOML: {exc}") from None
    except RecursionError:
        raise WorldError(f"{fname}: nested too deeply to be a world file") from None
    world = parse_world(data, fname)
    world.path = path
    return world


def parse_world(data: dict[str, Any], fname: str = "<world>") -> World:
    """Validate an already-parsed TOML document (see :func:`load_world`)."""
    v = _V(fname)
    w = v.table(data.get("world", {}), "world")
    name = v.string(w, "name", "world")
    region = v.string(w, "region", "world", default="NL")
    language = v.string(w, "language", "world", default="nl")
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise v.fail("world.region", f"{region!r} is not a region phonenumbers knows")
    nights = total_nights(v, w)
    zone = world_zone(v, w)
    gone_after = w.get("gone_after_nights")
    if gone_after is not None and (not isinstance(gone_after, int) or isinstance(gone_after, bool) or gone_after < 1):
        raise v.fail("world.gone_after_nights", "must be a whole number of nights, at least 1")

    c = v.table(data.get("crawl", {}), "crawl")
    crawl = {
        "engines": v.strings(c, "engines", "crawl", choices=ENGINE_NAMES) if "engines" in c else list(ENGINE_NAMES),
        "devices": v.strings(c, "devices", "crawl", choices=DEVICES) if "devices" in c else ["desktop"],
        "query_templates": v.strings(c, "query_templates", "crawl") if "query_templates" in c
        else ["{brand} klantenservice"],
    }
    for i, t in enumerate(crawl["query_templates"]):
        problem = query_template_problem(t)
        if problem:
            raise v.fail(f"crawl.query_templates[{i}]", f"{t!r}: {problem}")

    engines: dict[str, dict[str, Any]] = {}
    e_table = v.table(data.get("engines", {}), "engines")
    for ename, flags in e_table.items():
        where = f"engines.{ename}"
        if ename not in ENGINE_NAMES:
            raise v.fail(where, f"unknown engine (choose {', '.join(ENGINE_NAMES)})")
        flags = v.table(flags, where)
        allowed = ENGINE_FLAGS[ename]
        for key in flags:
            if key not in allowed and key != "markup":
                choose = ", ".join((*allowed, "markup"))
                raise v.fail(f"{where}.{key}", f"unknown flag (choose {choose})")
        engines[ename] = {key: v.boolean(flags, key, where, False) for key in allowed}
        engines[ename]["markup"] = v.string(flags, "markup", where, required=False, default="current",
                                            choices=MARKUP_VARIANTS[ename])

    sites: dict[str, dict[str, Any]] = {}
    for i, s in enumerate(v.tables(data, "sites", "")):
        where = f"sites[{i}]"
        host = v.string(s, "host", where).lower()
        if not _HOST_RE.match(host):
            raise v.fail(f"{where}.host", f"{host!r} is not a host name (no scheme, no path)")
        if host in sites:
            raise v.fail(f"{where}.host", f"{host!r} is defined twice")
        site: dict[str, Any] = {
            "host": host,
            "aliases": [a.lower() for a in v.strings(s, "aliases", where, required=False, non_empty=False)],
            "status": v.integer(s, "status", where, None),
            "robots": v.string(s, "robots", where, required=False, default="User-agent: *\nAllow: /\n"),
            "pages": {},
        }
        for j, p in enumerate(v.tables(s, "pages", where)):
            pw = f"{where}.pages[{j}]"
            ppath = v.string(p, "path", pw)
            if not ppath.startswith("/"):
                raise v.fail(f"{pw}.path", "must start with /")
            if ppath in site["pages"]:
                raise v.fail(f"{pw}.path", f"{ppath!r} is defined twice")
            page: dict[str, Any] = {
                "path": ppath,
                "title": v.string(p, "title", pw, required=False, default=""),
                "body": v.string(p, "body", pw, required=False, default=""),
                "status": v.integer(p, "status", pw, None),
                "content_type": v.string(p, "content_type", pw, required=False,
                                         default="text/html; charset=utf-8"),
                "redirect": None,
            }
            if "redirect" in p:
                r = v.table(p["redirect"], f"{pw}.redirect")
                rstatus = v.integer(r, "status", f"{pw}.redirect", 302)
                if rstatus not in (301, 302, 303, 307, 308):
                    raise v.fail(f"{pw}.redirect.status", "must be 301, 302, 303, 307 or 308")
                page["redirect"] = {"status": rstatus, "location": v.url(r, "location", f"{pw}.redirect")}
            site["pages"][ppath] = page
        sites[host] = site

    brands: list[dict[str, Any]] = []
    for i, b in enumerate(v.tables(data, "brands", "", required=True)):
        where = f"brands[{i}]"
        brand = {
            "name": v.string(b, "name", where),
            "domains": [d.lower() for d in v.strings(b, "domains", where)],
            "contact_pages": [],
            "phone_support": v.boolean(b, "phone_support", where, True),
            "queries": v.strings(b, "queries", where, required=False, non_empty=False),
        }
        for j, d in enumerate(brand["domains"]):
            if not _HOST_RE.match(d):
                raise v.fail(f"{where}.domains[{j}]", f"{d!r} is not a domain name")
        if "contact_pages" in b:
            brand["contact_pages"] = v.strings(b, "contact_pages", where, non_empty=False)
            for j, url in enumerate(brand["contact_pages"]):
                v.url({"u": url}, "u", f"{where}.contact_pages[{j}]")
        brands.append(brand)
    brand_names = {b["name"] for b in brands}

    serps: list[dict[str, Any]] = []
    for i, s in enumerate(v.tables(data, "serps", "")):
        serp = _parse_serp(v, s, f"serps[{i}]", region)
        serp["nights"] = nights_list(v, s, f"serps[{i}]", nights)
        for kind in ("ads", "organic"):
            for j, (entry, raw) in enumerate(zip(serp[kind], v.tables(s, kind, f"serps[{i}]"), strict=True)):
                entry["nights"] = nights_list(v, raw, f"serps[{i}].{kind}[{j}]", nights)
                if kind == "ads":
                    entry["hours"] = parse_hours(v, raw, f"serps[{i}].ads[{j}]")
        if serp["ai_answer"] is not None:
            serp["ai_answer"]["nights"] = nights_list(v, s["ai_answer"], f"serps[{i}].ai_answer", nights)
        serps.append(serp)

    expected = []
    for i, e in enumerate(v.tables(data, "expect", "")):
        where = f"expect[{i}]"
        bname = v.string(e, "brand", where)
        if bname not in brand_names:
            raise v.fail(f"{where}.brand", f"{bname!r} is not a brand of this world")
        rule = v.string(e, "rule", where, default="unofficial_number", choices=RULES)
        raw = v.phone(e, "number", where, region, required=rule != "lookalike_domain")
        domain = v.string(e, "domain", where, required=rule == "lookalike_domain") or ""
        if domain and not _HOST_RE.match(domain):
            raise v.fail(f"{where}.domain", f"{domain!r} is not a domain name")
        expected.append({
            "brand": bname,
            "rule": rule,
            "e164": to_e164(raw, region) if raw else "",
            "domain": domain.lower(),
            "verdict": v.string(e, "verdict", where, default="finding", choices=VERDICTS),
            "why": v.string(e, "why", where, required=False, default=""),
            "nights": nights_list(v, e, where, nights),
        })

    not_audited = []
    for i, e in enumerate(v.tables(data, "expect_not_audited", "")):
        where = f"expect_not_audited[{i}]"
        not_audited.append({
            "engine": v.string(e, "engine", where, choices=ENGINE_NAMES),
            "query": v.string(e, "query", where),
            "status": v.string(e, "status", where, choices=NOT_AUDITED_STATUSES),
            "nights": nights_list(v, e, where, nights),
        })

    lifecycle, triage = parse_lifecycle(v, data, nights, region, brand_names, to_e164)
    world = World(name=name, region=region, language=language, brands=brands, crawl=crawl, sites=sites,
                  serps=serps, expected=expected, expected_not_audited=not_audited, engines=engines,
                  nights=nights, lifecycle=lifecycle, triage=triage, gone_after_nights=gone_after, timezone=zone,
                  expected_answers=parse_expect_answers(v, data, nights),
                  expected_campaigns=parse_expect_campaigns(v, data, nights, region, brand_names, to_e164))
    _cross_check(v, world)
    return world
