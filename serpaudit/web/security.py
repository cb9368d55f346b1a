"""The desk's defences: who may use it, a CSRF token on every change, and the headers every answer carries.

* **Bind.** 127.0.0.1 (or another loopback address) by default. Any other address needs users
  (settings ``web_users``: ``name:argon2 hash``); without them ``serve`` refuses to start (exit 2).
  With users every page needs a login. Without login, triage events record the OS user.
* **Passwords** are checked with argon2-cffi (Argon2id, the hash of the Password Hashing Competition and
  RFC 9106; the library is the reference binding, kept up by its author), never stored in clear.
* **CSRF.** A random token per session (a signed cookie, SameSite=Strict); every POST must carry it as the
  form field ``csrf`` or the header ``X-CSRF-Token``, and a cross-site ``Origin`` is refused. Every change
  is a POST.
* **Headers.** A Content-Security-Policy that allows scripts and styles from /static only (nothing inline),
  no framing of the desk, no referrer beyond the desk (``same-origin``: under ``no-referrer`` a browser sends
  ``Origin: null`` with the desk's own forms); evidence pages get :data:`serpaudit.web.files.EVIDENCE_CSP`.
* **Hosts.** On loopback only ``127.0.0.1``, ``localhost`` and ``[::1]`` are accepted as Host, so a page
  elsewhere cannot reach the desk through a DNS name it points at 127.0.0.1.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from serpaudit.app.errors import InputError

log = logging.getLogger("serpaudit.web")

PAGE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-src 'self'; "
            "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "::1", "[::1]"]
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"


class Forbidden(Exception):
    """A request refused for a security reason (HTTP 403); the message says which."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Users:
    """The ``web_users`` of the settings: name -> Argon2 hash."""

    hashes: Mapping[str, str]

    @classmethod
    def from_settings(cls, entries: tuple[str, ...]) -> Users:
        return cls({name: digest for name, _, digest in (e.partition(":") for e in entries)})

    def check(self, name: str, password: str) -> bool:
        from argon2 import PasswordHasher
        from argon2.exceptions import InvalidHashError, VerificationError

        digest = self.hashes.get(name)
        hasher = PasswordHasher()
        if digest is None:  # the same work for a name that does not exist: no timing tells names apart
            hasher.hash(password or "-")
            return False
        try:
            return hasher.verify(digest, password)
        except (VerificationError, InvalidHashError):
            return False


def hash_password(password: str) -> str:
    from argon2 import PasswordHasher

    if len(password) < 8:
        raise InputError("a desk password needs at least 8 characters")
    return PasswordHasher().hash(password)


def check_bind(host: str, users: Users) -> None:
    """Refuse a bind beyond this machine without users to log in (InputError: exit 2)."""
    if not is_loopback(host) and not users.hashes:
        raise InputError(f"serve --host {host}: the desk shows evidence and changes cases, so any address but "
                         "127.0.0.1 needs a login; add users to web_users in the settings (serpaudit serve "
                         "--hash-password NAME prints an entry), or serve on 127.0.0.1")


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return str(token)


def check_csrf(request: Request, form: Mapping[str, object]) -> None:
    """A change must come from the desk's own page: its session's token, and no foreign Origin."""
    expected = request.session.get("csrf")
    sent = form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
    if not expected or not isinstance(sent, str) or not hmac.compare_digest(sent, str(expected)):
        raise Forbidden("missing or wrong CSRF token: reload the page and try again")
    origin = request.headers.get("origin")
    if origin and origin != f"{request.url.scheme}://{request.url.netloc}":
        raise Forbidden(f"a change from another site ({origin}) is refused")


class SecurityHeaders:
    """Adds the desk's headers to every answer (pure ASGI, so it also covers static files and errors)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"server"]
                names = {k.lower() for k, _ in headers}
                if b"content-security-policy" not in names:  # evidence answers set their own, stricter one
                    headers.append((b"content-security-policy", PAGE_CSP.encode()))
                    headers.append((b"x-frame-options", b"DENY"))
                headers += [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"),
                            (b"cross-origin-opener-policy", b"same-origin"), (b"cache-control", b"no-store")]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)
