"""The sandbox web: a pure function of (method, url, headers) -> Response, driven by a World.

The crawler's browser keeps requesting production URLs (www.google.nl/search?q=...,
www.bing.com/search?q=..., duckduckgo.com/?q=..., https://www.<brand>/klantenservice);
its request router hands each request to :meth:`SandboxWeb.respond`.  No sockets.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from sandbox import serp_bing, serp_duckduckgo, serp_google
from sandbox.markup import drifted, esc, token
from sandbox.pdf import body_lines, make_pdf
from sandbox.web_http import (
    BING_HOSTS,
    DDG_HOSTS,
    HTML,
    Response,
    _error_page,
    _has_bing_consent,
    _has_consent,
    _html,
    _redirect,
    is_click_url,
    is_mobile,
    landing_of_click,
)
from sandbox.world import World
from sandbox.world_hours import runs_at

log = logging.getLogger(__name__)

TEXT = "text/plain; charset=utf-8"
DEFAULT_ROBOTS = "User-agent: *\nAllow: /\n"
GOOGLE_CONSENT_HOST = "consent.google.com"


class SandboxWeb:
    """Answers requests for every host of a world, the three engines and their click/consent hosts."""

    def __init__(self, world: World, clock: Callable[[], datetime] | None = None) -> None:
        # a world of several nights, not narrowed to one (World.night), shows its first night
        self.world = world.night(1) if world.nights > 1 and world.night_number is None else world
        # the sweep's time, for ads that run only at some hours: the real time unless the run gives its own
        self.clock = clock or (lambda: datetime.now(UTC))
        self.requests: list[tuple[str, str]] = []
        # (url, headers with lower-case names) of every request: what a crawler reveals about itself
        self.received: list[tuple[str, dict[str, str]]] = []
        self.not_found: list[str] = []
        self._lock = threading.Lock()

    # -- public ------------------------------------------------------------------------

    def click_url_requests(self) -> list[str]:
        with self._lock:
            return [url for _, url in self.requests if is_click_url(url)]

    def respond(self, method: str, url: str, headers: dict[str, str] | None = None) -> Response:
        headers = headers or {}
        with self._lock:
            self.requests.append((method.upper(), url))
            self.received.append((url, {k.lower(): v for k, v in headers.items()}))
        resp = self._route(url, headers)
        if method.upper() == "HEAD":
            return Response(resp.status, resp.headers, b"")
        return resp

    # -- routing -----------------------------------------------------------------------

    def _route(self, url: str, headers: dict[str, str]) -> Response:
        p = urlsplit(url)
        host = (p.hostname or "").lower()
        path = p.path or "/"
        qs = {k: v[0] for k, v in parse_qs(p.query, keep_blank_values=True).items()}
        if is_click_url(url):
            landing = landing_of_click(url)
            return _redirect(302, landing) if landing else self._not_found(url)
        site = self.world.site(host)
        if path == "/robots.txt":
            if site is None and not self._is_engine_host(host):
                return self._not_found(url)
            robots = site["robots"] if site else DEFAULT_ROBOTS
            return Response(200, {"content-type": TEXT}, robots.encode())
        if serp_google.is_google_host(host):
            return self._google(url, host, path, qs, headers)
        if host == GOOGLE_CONSENT_HOST:
            return self._consent(path, qs)
        if host in BING_HOSTS:
            return self._bing(url, path, qs, headers)
        if host in DDG_HOSTS:
            return self._duckduckgo(url, path, qs, headers)
        if site is not None:
            return self._site(site, host, url, p.path or "/", p.query)
        return self._not_found(url)

    def _is_engine_host(self, host: str) -> bool:
        engine_hosts = BING_HOSTS + DDG_HOSTS + (GOOGLE_CONSENT_HOST,)
        return serp_google.is_google_host(host) or host in engine_hosts

    def _google(
        self, url: str, host: str, path: str, qs: dict[str, str], headers: dict[str, str]
    ) -> Response:
        device = "mobile" if is_mobile(headers) else "desktop"
        if path == "/search" and qs.get("q"):
            status = self._status("google", qs["q"], device)
            if status == "blocked":  # refused at the edge, before any consent or CAPTCHA
                page = self._block_page("google", qs["q"], device)
                if page == "javascript_required":  # answered 200, in place of the results
                    return _html(200, serp_google.render_javascript_wall(qs["q"], token("sei", url, length=22)))
                if page == "soft_redirect":
                    return _html(200, serp_google.render_soft_block(qs["q"], token("sei", url, length=22)))
                p = urlsplit(url)
                return _html(403, serp_google.render_blocked(p.path + (f"?{p.query}" if p.query else "")))
            wall = self.world.engines.get("google", {}).get("consent_wall", False)
            if status == "consent" or (wall and not _has_consent(headers)):
                target = "https://consent.google.com/ml?" + urlencode(
                    {"continue": url, "gl": self.world.region, "hl": self.world.language, "pc": "srp",
                     "src": "1"})
                return _redirect(302, target)
            if status == "captcha":
                sorry = f"https://{host}/sorry/index?" + urlencode({"continue": url, "q": "EgS" + token(url)})
                return _redirect(302, sorry)
            return self._serp("google", qs["q"], device)
        if path == "/sorry/index":
            return _html(429, serp_google.render_captcha(qs.get("continue", "")))
        if path == "/consent/set":  # second hop of the consent flow: sets SOCS on the engine's own domain
            target = qs.get("continue") or f"https://{host}/"
            cookie = ("SOCS=CAESHAgBEhJnd3NfMjAyNDAxMDEtMF9SQzEaAm5sIAEaBgiA_LyaBg; Path=/; Domain=."
                      + host.removeprefix("www.") + "; Max-Age=33696000; Secure; SameSite=lax")
            return Response(302, {"location": target, "set-cookie": cookie, "content-type": HTML}, b"")
        if path in ("/", "/webhp"):
            return _html(200, serp_google.home(device == "mobile"))
        return self._not_found(url)

    def _status(self, engine: str, query: str, device: str) -> str:
        serp = self.world.serp_for(engine, query, device)
        return str(serp["status"]) if serp else "ok"

    def _block_page(self, engine: str, query: str, device: str) -> str | None:
        """Which of the engine's block pages a planted captcha or block shows (world.BLOCK_PAGES)."""
        serp = self.world.serp_for(engine, query, device)
        return serp.get("page") if serp else None

    def _bing(self, url: str, path: str, qs: dict[str, str], headers: dict[str, str]) -> Response:
        device = "mobile" if is_mobile(headers) else "desktop"
        if path == "/search" and qs.get("q"):
            status = self._status("bing", qs["q"], device)
            if status == "blocked":
                return _html(403, serp_bing.render_blocked(url))
            if status == "captcha":  # the challenge is served in place of the results, same URL
                if self._block_page("bing", qs["q"], device) == "one_last_step":
                    return _html(200, serp_bing.render_one_last_step(qs["q"], url))
                return _html(200, serp_bing.render_captcha(qs["q"], url))
            if status == "consent":  # stays on the banner, whatever the cookie says
                return _html(200, serp_bing.render_consent(qs["q"], url))
            banner = self.world.engines.get("bing", {}).get("consent_banner", False)
            page = self.serp_page("bing", qs["q"], device)
            show = banner and not _has_bing_consent(headers)
            html = serp_bing.render_serp(page, serp_bing.consent_banner(url) if show else "")
            return _html(200, self._in_variant("bing", html))
        if path == serp_bing.CONSENT_PATH:  # a banner button: set BCP on .bing.com, back to the page
            target = serp_bing.continue_of(qs.get("continue") or "https://www.bing.com/")
            cookie = serp_bing.consent_cookie(qs.get("choice", "reject"))
            return Response(302, {"location": target, "set-cookie": cookie, "content-type": HTML}, b"")
        if path.startswith("/turing/captcha/challenge"):
            return _html(200, serp_bing.render_turing_challenge())
        return _html(200, serp_bing.home()) if path == "/" else self._not_found(url)

    def _duckduckgo(self, url: str, path: str, qs: dict[str, str], headers: dict[str, str]) -> Response:
        device = "mobile" if is_mobile(headers) else "desktop"
        if path == "/" and qs.get("q"):
            status = self._status("duckduckgo", qs["q"], device)
            if status == "blocked":
                return _html(403, serp_duckduckgo.render_blocked())
            if status == "captcha":  # the anomaly modal comes with 202 Accepted
                if self._block_page("duckduckgo", qs["q"], device) == "javascript_challenge":
                    return _html(202, serp_duckduckgo.render_anomaly_javascript(qs["q"], url))
                return _html(202, serp_duckduckgo.render_anomaly(qs["q"], url))
            return self._serp("duckduckgo", qs["q"], device)
        if path.startswith(serp_duckduckgo.ANOMALY_IMAGE_PATH):
            return Response(200, {"content-type": "image/gif", "cache-control": "no-store"},
                            serp_duckduckgo.ANOMALY_IMAGE)
        return _html(200, serp_duckduckgo.home()) if path == "/" else self._not_found(url)

    def _consent(self, path: str, qs: dict[str, str]) -> Response:
        cont = qs.get("continue", "https://www.google.nl/")
        if path == "/ml":
            return _html(200, serp_google.render_consent(cont))
        if path == "/save":
            chost = urlsplit(cont).hostname or "www.google.nl"
            eom = qs.get("set_eom", "")
            hop = f"https://{chost}/consent/set?" + urlencode({"continue": cont, "eom": eom})
            return _redirect(302, hop)
        return self._not_found("https://consent.google.com" + path)

    # -- SERPs -------------------------------------------------------------------------

    def serp_page(self, engine: str, query: str, device: str = "desktop") -> dict[str, Any]:
        """The data a SERP is rendered from: planted entry (if any) plus default organic results."""
        serp = self.world.serp_for(engine, query, device)
        brand = self.world.brand_for_query(query)
        markup = (serp or {}).get("markup") or self.world.engines.get(engine, {}).get("markup", "current")
        defaults = self.default_organic(brand) if brand else []
        if serp is None:
            return {"query": query, "device": device, "status": "ok", "ads": [], "organic": defaults,
                    "markup": markup}
        if serp["status"] == "empty":
            return {"query": query, "device": device, "status": "empty", "ads": [], "organic": [],
                    "markup": markup}
        organic = list(serp["organic"])
        if serp["defaults"]:
            seen = {o["url"] for o in organic}
            organic += [o for o in defaults if o["url"] not in seen]
        now = self.clock()
        ads = [a for a in serp["ads"] if runs_at(a, now, self.world.timezone)]
        return {"query": query, "device": device, "status": serp["status"], "ads": ads,
                "organic": organic, "markup": markup, "ai_answer": self._answer(serp.get("ai_answer"))}

    def _answer(self, answer: dict[str, Any] | None) -> dict[str, Any] | None:
        """A planted AI answer with its sources as (url, title): the title of the cited page in the world."""
        if answer is None:
            return None
        sources = []
        for url in answer["sources"]:
            parts = urlsplit(url)
            site = self.world.site(parts.hostname or "") or {"pages": {}}
            page = site["pages"].get(parts.path or "/") or {}
            sources.append({"url": url, "title": page.get("title") or parts.hostname or url})
        return {**answer, "sources": sources}

    def default_organic(self, brand: dict[str, Any]) -> list[dict[str, Any]]:
        """The brand's home page and contact page(s), as a search engine would list them."""
        out: list[dict[str, Any]] = []
        for d in brand["domains"]:
            site = self.world.site("www." + d) or self.world.site(d)
            if site is None:
                continue
            home = site["pages"].get("/")
            out.append({"title": (home or {}).get("title") or f"{brand['name']} | Officiële website",
                        "url": f"https://{site['host']}/", "display_url": None,
                        "snippet": f"Welkom bij {brand['name']}. Bekijk onze producten en diensten en vind "
                                   "snel antwoord op je vragen."})
            contact = [u for u in brand["contact_pages"] if urlsplit(u).hostname in (site["host"], d)]
            if not contact and "/klantenservice" in site["pages"]:
                contact = [f"https://{site['host']}/klantenservice"]
            for url in contact:
                page = site["pages"].get(urlsplit(url).path or "/") or {}
                out.append({"title": page.get("title") or f"Klantenservice | {brand['name']}", "url": url,
                            "display_url": None,
                            "snippet": "Heb je een vraag? Bekijk de veelgestelde vragen of neem contact op "
                                       f"met de klantenservice van {brand['name']}."})
        return out

    def _serp(self, engine: str, query: str, device: str) -> Response:
        page = self.serp_page(engine, query, device)
        render = {"google": serp_google.render_serp, "bing": serp_bing.render_serp,
                  "duckduckgo": serp_duckduckgo.render_serp}[engine]
        return _html(200, self._in_variant(engine, render(page)))

    def _in_variant(self, engine: str, html: str) -> str:
        """The page in the world's markup variant for ``engine`` ("drifted" renames the ad markup)."""
        return drifted(engine, html) if self.world.engines.get(engine, {}).get("markup") == "drifted" else html

    # -- world sites -------------------------------------------------------------------

    def _site(self, site: dict[str, Any], host: str, url: str, path: str, query: str) -> Response:
        if host != site["host"]:  # alias: redirect to the canonical host
            return _redirect(301, f"https://{site['host']}{path}" + (f"?{query}" if query else ""))
        if site["status"] and site["status"] >= 400:
            return _html(site["status"], _error_page(site["status"]))
        page = site["pages"].get(path) or site["pages"].get(path.rstrip("/") or "/") \
            or site["pages"].get(path + "/")
        if page is None:
            return self._not_found(url)
        if page["redirect"]:
            return _redirect(page["redirect"]["status"], page["redirect"]["location"])
        status = page["status"] or 200
        if status >= 400 and not page["body"]:
            return _html(status, _error_page(status))
        body = page["body"]
        if page["content_type"].startswith("application/pdf") and not body.startswith("%PDF-"):
            # a PDF written as text in the world (one that starts "%PDF-" is served as it is, broken or not)
            return Response(status, {"content-type": page["content_type"]}, make_pdf(body_lines(page["title"], body)))
        if not page["content_type"].startswith("text/html") or "<html" in body[:200].lower():
            return Response(status, {"content-type": page["content_type"]}, body.encode())
        doc = (f'<!DOCTYPE html><html lang="{esc(self.world.language)}"><head><meta charset="utf-8">'
               '<meta name="viewport" content="width=device-width,initial-scale=1">'
               f'<title>{esc(page["title"])}'
               f"</title></head><body>{body}</body></html>")
        return _html(status, doc)

    def _not_found(self, url: str) -> Response:
        with self._lock:
            self.not_found.append(url)
        log.info("sandbox: 404 %s", url)
        return _html(404, _error_page(404))


__all__ = ["Response", "SandboxWeb", "is_click_url", "is_mobile", "landing_of_click"]
