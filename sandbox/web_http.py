"""The sandbox web's HTTP pieces (re-exported by :mod:`sandbox.web`): the :class:`Response` it answers,
what it reads from a request's headers (device, consent cookies), ad click URLs and their landing
URLs, and the plain HTML, redirect and error responses."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from sandbox import serp_google
from sandbox.markup import esc

HTML = "text/html; charset=utf-8"
MOBILE_MARKERS = ("mobile", "android", "iphone")
BING_HOSTS = ("www.bing.com", "bing.com")
DDG_HOSTS = ("duckduckgo.com", "www.duckduckgo.com")


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def is_mobile(headers: dict[str, str]) -> bool:
    ua = _header(headers, "user-agent").lower()
    return any(m in ua for m in MOBILE_MARKERS)


def _header(headers: dict[str, str], name: str) -> str:
    for k, v in (headers or {}).items():
        if k.lower() == name:
            return v
    return ""


def is_click_url(url: str) -> bool:
    """True for ad click URLs: following one would charge the advertiser (or tip off a scammer)."""
    p = urlsplit(url)
    host, path = (p.hostname or "").lower(), p.path
    if host.endswith("googleadservices.com"):
        return True
    if serp_google.is_google_host(host) and path.startswith("/aclk"):
        return True
    if host in BING_HOSTS and path.startswith(("/aclk", "/aclick")):
        return True
    return host in DDG_HOSTS and path == "/y.js"


def landing_of_click(url: str) -> str | None:
    """The landing URL encoded in an engine's ad click URL (googleadservices, Bing aclk, DDG y.js)."""
    p = urlsplit(url)
    qs = parse_qs(p.query)
    host = (p.hostname or "").lower()
    if host in DDG_HOSTS:
        inner = (qs.get("u3") or [""])[0]
        return landing_of_click(inner) if inner else None
    if host in BING_HOSTS:
        u = (qs.get("u") or [""])[0]
        if u.startswith("a1"):
            u = u[2:]
        try:
            return base64.urlsafe_b64decode(u + "=" * (-len(u) % 4)).decode()
        except (ValueError, UnicodeDecodeError):
            return None
    adurl = (qs.get("adurl") or [""])[0]
    return adurl or None


def _has_consent(headers: dict[str, str]) -> bool:
    cookies = _header(headers, "cookie")
    return "SOCS=" in cookies or "CONSENT=YES" in cookies


def _has_bing_consent(headers: dict[str, str]) -> bool:
    """Bing's banner is gone once a BCP cookie (either choice) has been set."""
    return any(c.strip().startswith("BCP=") for c in _header(headers, "cookie").split(";"))


def _html(status: int, html: str) -> Response:
    return Response(status, {"content-type": HTML, "cache-control": "no-store"}, html.encode("utf-8"))


def _redirect(status: int, location: str) -> Response:
    body = f'<html><body>Verplaatst naar <a href="{esc(location)}">{esc(location)}</a></body></html>'
    return Response(status, {"location": location, "content-type": HTML}, body.encode())


_REASONS = {404: "Niet gevonden", 500: "Interne serverfout", 502: "Bad Gateway",
            503: "Dienst niet beschikbaar",
            403: "Geen toegang", 429: "Te veel verzoeken"}


def _error_page(status: int) -> str:
    reason = _REASONS.get(status, "Fout")
    return (f'<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>{status} {reason}</title>'
            '</head>'
            f"<body><h1>{status} {reason}</h1><p>De gevraagde pagina kon niet worden geladen.</p></body>"
            "</html>")
