"""A sandbox *world*: the data file (TOML) that describes a small imitation web.

``load_world(path)`` reads and validates the file and returns a :class:`World`.
Every problem is reported as ``WorldError("<file>: <field path>: <what is wrong>")``,
e.g. ``default.toml: brands[2].domains: must be a non-empty list of strings``.

The format is documented in README.md ("World file format").
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import phonenumbers

from audits.brands import query_template_problem
from crawler.engines import ENGINE_NAMES
from sandbox.world_checks import _V, WorldError
from sandbox.world_nights import nights_list, parse_lifecycle, serps_on_night, total_nights

DEFAULT_WORLD_PATH = Path(__file__).resolve().parent / "worlds" / "default.toml"

DEVICES = ("desktop", "mobile")
SERP_STATUSES = ("ok", "captcha", "consent", "blocked", "empty")
# What each engine can show for a planted [[serps]] status.  DuckDuckGo has no consent wall.
ENGINE_STATUSES = {
    "google": SERP_STATUSES,
    "bing": SERP_STATUSES,
    "duckduckgo": ("ok", "captcha", "blocked", "empty"),
}
# The page each engine serves for a planted block ([[serps]] ``page``; the first is the default): Google's 403
# error, its JavaScript wall (2025) or soft block (2026); Bing's "Nog één stap" challenge (title "Bing") or its
# "One last step" challenge that keeps the result page's "<query> - Search" title; DuckDuckGo's anomaly puzzle
# of its html site or the modal over its JavaScript site.
BLOCK_PAGES: dict[tuple[str, str], tuple[str, ...]] = {
    ("google", "blocked"): ("forbidden", "javascript_required", "soft_redirect"),
    ("google", "captcha"): ("recaptcha",),
    ("bing", "blocked"): ("access_denied",),
    ("bing", "captcha"): ("nog_een_stap", "one_last_step"),
    ("duckduckgo", "blocked"): ("forbidden",),
    ("duckduckgo", "captcha"): ("html_challenge", "javascript_challenge"),
}
# The flags an [engines.<name>] table may set (all booleans, default false).
ENGINE_FLAGS: dict[str, tuple[str, ...]] = {
    "google": ("consent_wall",),
    "bing": ("consent_banner",),
    "duckduckgo": (),
}
# Markup variants each sandbox engine can serve (sandbox/markup.py): "current" copies the saved pages,
# older layouts keep the parsers honest, "drifted" renames the ad markup to ring the drift alarm.
MARKUP_VARIANTS: dict[str, tuple[str, ...]] = {
    "google": ("current", "2019", "drifted", "grouped"),
    "bing": ("current", "drifted"),
    "duckduckgo": ("current", "drifted"),
}
PLACEMENTS = {
    "google": ("top", "bottom"),
    "bing": ("top", "bottom", "side"),
    "duckduckgo": ("top", "bottom", "side"),
}
# How a planted AI answer ends: written out, never finished (still loading when any wait runs out), declined.
ANSWER_ENDS = ("complete", "unfinished", "declined")
MAX_LATE_MS = 60_000
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

    def night(self, n: int) -> World:
        """The world as it is on night ``n`` (1-based): result pages and expectations of that night."""
        if not 1 <= n <= self.nights:
            raise ValueError(f"night {n} is outside 1..{self.nights}")
        return replace(self, night_number=n, serps=serps_on_night(self.serps, n),
                       expected=[e for e in self.expected if e.get("nights") is None or n in e["nights"]],
                       expected_not_audited=[e for e in self.expected_not_audited
                                             if e.get("nights") is None or n in e["nights"]])

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


def to_e164(raw: str, region: str) -> str:
    return phonenumbers.format_number(phonenumbers.parse(raw, region), phonenumbers.PhoneNumberFormat.E164)


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
                  nights=nights, lifecycle=lifecycle, triage=triage, gone_after_nights=gone_after)
    _cross_check(v, world)
    return world


def _parse_serp(v: _V, s: dict[str, Any], where: str, region: str) -> dict[str, Any]:
    engine = v.string(s, "engine", where, choices=ENGINE_NAMES)
    serp: dict[str, Any] = {
        "engine": engine,
        "query": v.string(s, "query", where),
        "device": v.string(s, "device", where, required=False, choices=DEVICES),
        "status": v.string(s, "status", where, default="ok", choices=SERP_STATUSES),
        "defaults": v.boolean(s, "defaults", where, True),
        "ads": [],
        "organic": [],
    }
    if serp["status"] not in ENGINE_STATUSES[engine]:
        raise v.fail(f"{where}.status", f"{engine} has no {serp['status']} page "
                                        f"(choose {', '.join(ENGINE_STATUSES[engine])})")
    pages = BLOCK_PAGES.get((engine, serp["status"]))
    if "page" in s and pages is None:
        raise v.fail(f"{where}.page", f"only a captcha or blocked page comes in variants (status is "
                                      f"{serp['status']!r})")
    serp["page"] = v.string(s, "page", where, default=pages[0], choices=pages) if pages else None
    for j, a in enumerate(v.tables(s, "ads", where)):
        aw = f"{where}.ads[{j}]"
        placement = v.string(a, "placement", aw, default="top", choices=PLACEMENTS[engine])
        ad = {
            "placement": placement,
            "title": v.string(a, "title", aw),
            "landing_url": v.url(a, "landing_url", aw),
            "display_url": v.string(a, "display_url", aw, required=False),
            "description": v.string(a, "description", aw, required=False, default=""),
            "call": v.phone(a, "call", aw, region, required=False),
            "whatsapp": v.phone(a, "whatsapp", aw, region, required=False),
            "sitelinks": [],
        }
        ad["call_e164"] = to_e164(ad["call"], region) if ad["call"] else None
        ad["whatsapp_e164"] = to_e164(ad["whatsapp"], region) if ad["whatsapp"] else None
        if ad["display_url"] is None:
            ad["display_url"] = urlsplit(ad["landing_url"]).hostname
        for k, sl in enumerate(v.tables(a, "sitelinks", aw)):
            sw = f"{aw}.sitelinks[{k}]"
            ad["sitelinks"].append({
                "title": v.string(sl, "title", sw),
                "url": v.url(sl, "url", sw),
                "description": v.string(sl, "description", sw, required=False, default=""),
            })
        serp["ads"].append(ad)
    serp["ai_answer"] = _parse_answer(v, s["ai_answer"], f"{where}.ai_answer") if "ai_answer" in s else None
    for j, o in enumerate(v.tables(s, "organic", where)):
        ow = f"{where}.organic[{j}]"
        serp["organic"].append({
            "title": v.string(o, "title", ow),
            "url": v.url(o, "url", ow),
            "display_url": v.string(o, "display_url", ow, required=False),
            "snippet": v.string(o, "snippet", ow, required=False, default=""),
        })
    return serp


def _parse_answer(v: _V, a: Any, where: str) -> dict[str, Any]:
    """An AI answer on a planted page (Google's AI Overview, Bing's Copilot answer, DuckDuckGo's assist)."""
    a = v.table(a, where)
    end = v.string(a, "state", where, default="complete", choices=ANSWER_ENDS)
    late = a.get("late_ms", 0)
    if not isinstance(late, int) or isinstance(late, bool) or not 0 <= late <= MAX_LATE_MS:
        raise v.fail(f"{where}.late_ms", f"must be a whole number of milliseconds, 0-{MAX_LATE_MS}")
    answer = {
        "text": v.string(a, "text", where, required=end == "complete", default=""),
        "sources": v.strings(a, "sources", where, required=False, non_empty=False),
        "collapsed": v.boolean(a, "collapsed", where, False),
        "late_ms": late,
        "state": end,
    }
    for j, url in enumerate(answer["sources"]):
        v.url({"u": url}, "u", f"{where}.sources[{j}]")
    return answer


def _cross_check(v: _V, world: World) -> None:
    """Links in SERPs and redirects must land on sites of this world (the crawler follows them)."""

    def check_url(url: str, where: str) -> None:
        host = urlsplit(url).hostname or ""
        if world.site(host) is None:
            raise v.fail(where, f"host {host!r} is not one of the world's [[sites]]")

    for i, b in enumerate(world.brands):
        for j, d in enumerate(b["domains"]):
            if world.site(d) is None and world.site("www." + d) is None:
                raise v.fail(f"brands[{i}].domains[{j}]", f"no [[sites]] entry for {d!r} or 'www.{d}'")
        for j, url in enumerate(b["contact_pages"]):
            check_url(url, f"brands[{i}].contact_pages[{j}]")
    for i, s in enumerate(world.serps):
        for j, ad in enumerate(s["ads"]):
            check_url(ad["landing_url"], f"serps[{i}].ads[{j}].landing_url")
        for j, o in enumerate(s["organic"]):
            check_url(o["url"], f"serps[{i}].organic[{j}].url")
        for j, url in enumerate((s.get("ai_answer") or {}).get("sources", [])):
            check_url(url, f"serps[{i}].ai_answer.sources[{j}]")
    for i, site in enumerate(world.sites.values()):
        for j, page in enumerate(site["pages"].values()):
            if page["redirect"]:
                check_url(page["redirect"]["location"], f"sites[{i}].pages[{j}].redirect.location")
