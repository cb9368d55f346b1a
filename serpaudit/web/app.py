"""The desk as an ASGI application (Starlette): its routes, its middleware and its templates.

Starlette because the desk is a handful of server-rendered pages over use cases that already return data:
it gives routing, forms, signed-cookie sessions, static files and a test client in one small, well-kept
library (it is what FastAPI is built on), with nothing we would not use. Templates are Jinja2 files with
autoescape on for every one; htmx (vendored under static/, with its licence) swaps the triage panel of a
case in place, and every form works without it.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.middleware.sessions import SessionMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from reports.cells import phone_number
from reports.html_report import safe_url
from serpaudit.ops.logs import counted
from serpaudit.settings import Settings
from serpaudit.web import pages, pages_submit
from serpaudit.web.logins import LoginThrottle
from serpaudit.web.queries import Desk
from serpaudit.web.security import LOOPBACK_HOSTS, SecurityHeaders, Users, is_loopback

HERE = Path(__file__).resolve().parent
OPEN_PATHS = ("/login", "/static/")


class LoginGate(BaseHTTPMiddleware):
    """With users configured, every page but the login page and static files needs a logged-in user."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        if request.app.state.login_required and not request.session.get("user") \
                and not request.url.path.startswith(OPEN_PATHS):
            if request.method == "GET":
                return RedirectResponse("/login", status_code=303)
            return Response("log in first", status_code=403, media_type="text/plain")
        return await call_next(request)


def templates(region: str) -> Jinja2Templates:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["phone"] = lambda e164: phone_number(e164, region) if e164 else ""
    env.filters["http_url"] = safe_url
    env.filters["counted"] = counted
    env.filters["day"] = lambda iso: str(iso or "")[:10]
    env.filters["when"] = lambda iso: str(iso or "").replace("T", " ")[:16]
    return Jinja2Templates(env=env)


def create_app(settings: Settings, config: Path | None, *, host: str = "127.0.0.1", https: bool = False) -> Starlette:
    """The desk over the settings' store; ``host`` is the address it will be served on (it decides login);
    ``https``: served over TLS, so the session cookie is sent over TLS only."""
    users = Users.from_settings(settings.web_users)
    middleware = [Middleware(SecurityHeaders)]
    if is_loopback(host):
        middleware.append(Middleware(TrustedHostMiddleware, allowed_hosts=LOOPBACK_HOSTS))
    # A fresh key per start: sessions (and their CSRF tokens) do not outlive the process that signed them.
    middleware += [Middleware(SessionMiddleware, secret_key=secrets.token_urlsafe(32), session_cookie="desk",
                              same_site="strict", https_only=https, max_age=12 * 3600),
                   Middleware(LoginGate)]
    routes = [*pages.ROUTES, *pages_submit.ROUTES,
              Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
              Route("/favicon.ico", lambda r: Response(status_code=204))]
    app = Starlette(routes=routes, middleware=middleware, exception_handlers=pages.EXCEPTION_HANDLERS)
    app.state.desk = Desk(settings, config)
    app.state.users = users
    app.state.logins = LoginThrottle()
    app.state.login_required = bool(users.hashes)
    app.state.templates = templates(settings.region)
    return app
