"""The desk's pages and the POSTs that change cases; each reads or changes through :class:`queries.Desk`.

Every handler that changes something starts with :func:`_changing`: the CSRF check, the user, and one log
line naming them. A refusal (bad input, a transition triage does not allow) re-renders the page with the
reason; a security refusal is a bare 403.
"""

from __future__ import annotations

import logging
import math
from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from audits.triage import os_user
from serpaudit.app.errors import InputError
from serpaudit.ops.logs import counted
from serpaudit.web.files import EVIDENCE_CSP
from serpaudit.web.queries import ACTIONS, Desk, QueueFilter
from serpaudit.web.security import Forbidden, check_csrf, csrf_token

log = logging.getLogger("serpaudit.web")


def _desk(request: Request) -> Desk:
    desk: Desk = request.app.state.desk
    return desk


def user_of(request: Request) -> str:
    """The logged-in user, or on loopback without login the OS user running the desk."""
    return str(request.session.get("user") or os_user())


def render(request: Request, name: str, status: int = 200, **context: Any) -> Response:
    context.update(request=request, csrf=csrf_token(request), user=user_of(request),
                   login_required=request.app.state.login_required)
    response: Response = request.app.state.templates.TemplateResponse(request, name, context, status_code=status)
    return response


async def _changing(request: Request) -> tuple[FormData, str]:
    """The form of a state-changing request, once its CSRF token checks out, and who sends it."""
    form = await request.form()
    try:
        check_csrf(request, form)
    except Forbidden:
        log.warning("refused %s %s from %s: CSRF check failed", request.method, request.url.path,
                    request.client.host if request.client else "?")
        raise
    return form, user_of(request)


# -- the queue ----------------------------------------------------------------------------------------------
async def queue(request: Request, error: str = "", done: str = "") -> Response:
    flt = QueueFilter.from_query(request.query_params)
    try:
        q = await run_in_threadpool(_desk(request).queue, flt)
    except InputError as exc:
        q, error = await run_in_threadpool(_desk(request).queue, QueueFilter()), str(exc)
        flt = QueueFilter()
    return render(request, "queue.html", status=400 if error else 200, queue=q, flt=flt, error=error,
                  done=done or request.query_params.get("done", ""), actions=ACTIONS)


async def bulk(request: Request) -> Response:
    form, user = await _changing(request)
    action, ids = str(form.get("action") or ""), [str(i) for i in form.getlist("ids")]
    try:
        changed = await run_in_threadpool(lambda: _desk(request).act(action, ids, user=user,
                                                                     reason=str(form.get("reason") or "")))
    except InputError as exc:
        log.info("%s: %s %s refused: %s", user, action, " ".join(ids), exc)
        return await queue(request, error=str(exc))
    log.info("%s: %s %s", user, action, " ".join(f["id"] for f in changed))
    back = str(form.get("back") or "")
    query = back if back.startswith("?") else ""
    sep = "&" if query else "?"
    done = f"{action}: {counted(len(changed), 'case')}"
    return RedirectResponse(f"/{query}{sep}{urlencode({'done': done})}",
                            status_code=303)


# -- one case ---------------------------------------------------------------------------------------------
async def case(request: Request, error: str = "", status: int = 200) -> Response:
    try:
        shown = await run_in_threadpool(_desk(request).case, request.path_params["case_id"])
    except InputError as exc:
        raise HTTPException(404, str(exc)) from exc
    return render(request, "case.html", status=status, case=shown, f=shown["finding"], error=error,
                  done=request.query_params.get("done", ""))


async def act(request: Request) -> Response:
    form, user = await _changing(request)
    cid, action = request.path_params["case_id"], request.path_params["action"]
    if action not in ACTIONS:
        raise HTTPException(404, f"no action {action!r}")
    values = {k: str(form.get(k) or "") for k in ("reason", "platform", "reference", "on")}
    try:
        changed = await run_in_threadpool(lambda: _desk(request).act(action, [cid], user=user, **values))
    except InputError as exc:
        log.info("%s: %s %s refused: %s", user, action, cid, exc)
        return await case(request, error=str(exc), status=400)
    log.info("%s: %s %s -> %s", user, action, cid, changed[0]["state"])
    return RedirectResponse(f"/cases/{changed[0]['id']}?{urlencode({'done': changed[0]['state']})}", status_code=303)


# -- campaigns, nights --------------------------------------------------------------------------------------
async def campaigns(request: Request) -> Response:
    rows = await run_in_threadpool(_desk(request).campaigns)
    return render(request, "campaigns.html", campaigns=rows)


async def campaign(request: Request) -> Response:
    try:
        c = await run_in_threadpool(_desk(request).campaign, request.path_params["campaign_id"])
    except InputError as exc:
        raise HTTPException(404, str(exc)) from exc
    return render(request, "campaign.html", c=c)


async def nights(request: Request) -> Response:
    rows = await run_in_threadpool(_desk(request).nights)
    return render(request, "nights.html", nights=rows)


async def night_file(request: Request) -> Response:
    try:
        path = await run_in_threadpool(_desk(request).night_file, request.path_params["run_id"],
                                       request.path_params["name"])
    except InputError as exc:
        raise HTTPException(404, str(exc)) from exc
    # downloaded, never shown in the desk's origin (report.html holds attacker text too)
    return FileResponse(path, filename=path.name, content_disposition_type="attachment")


# -- evidence -------------------------------------------------------------------------------------------------
async def evidence(request: Request) -> Response:
    found = _desk(request).files.serve(request.path_params["rel"])
    if found is None:
        return PlainTextResponse("not evidence the desk serves", status_code=404,
                                 headers={"content-security-policy": EVIDENCE_CSP})
    path, media = found
    return FileResponse(path, media_type=media, headers={"content-security-policy": EVIDENCE_CSP,
                                                         "x-frame-options": "SAMEORIGIN"})


# -- login ------------------------------------------------------------------------------------------------------
async def login_page(request: Request, error: str = "") -> Response:
    if not request.app.state.login_required:
        return RedirectResponse("/", status_code=303)
    return render(request, "login.html", status=401 if error else 200, error=error)


async def login(request: Request) -> Response:
    form = await request.form()
    check_csrf(request, form)
    name, password = str(form.get("name") or ""), str(form.get("password") or "")
    client, throttle = request.client.host if request.client else "?", request.app.state.logins
    wait = throttle.wait_s(client, name)
    if wait > 0:
        log.warning("login of %r from %s refused: too many failures, %.0f s to wait", name[:64], client, wait)
        return render(request, "login.html", status=429, error=f"too many failed logins: try again in "
                                                               f"{math.ceil(wait)} s")  # fmt: skip
    async with throttle.checks():
        ok = await run_in_threadpool(request.app.state.users.check, name, password)
    if not ok:
        throttle.failed(client, name)
        log.warning("login refused for %r from %s", name[:64], client)
        return await login_page(request, error="wrong name or password")
    throttle.succeeded(client, name)
    request.session.clear()  # a new session (and CSRF token) for the logged-in user
    request.session["user"] = name
    log.info("%s logged in", name)
    return RedirectResponse("/", status_code=303)


async def logout(request: Request) -> Response:
    _, user = await _changing(request)
    request.session.clear()
    log.info("%s logged out", user)
    return RedirectResponse("/login", status_code=303)


async def _forbidden(request: Request, exc: Exception) -> Response:
    return PlainTextResponse(f"refused: {exc}", status_code=403)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return render(request, "error.html", status=exc.status_code, message=exc.detail)


EXCEPTION_HANDLERS: dict[Any, Any] = {Forbidden: _forbidden, HTTPException: _http_error}

ROUTES = [
    Route("/", queue),
    Route("/cases/bulk", bulk, methods=["POST"]),
    Route("/cases/{case_id}", case),
    Route("/cases/{case_id}/{action}", act, methods=["POST"]),
    Route("/campaigns", campaigns),
    Route("/campaigns/{campaign_id}", campaign),
    Route("/nights", nights),
    Route("/nights/{run_id}/files/{name}", night_file),
    Route("/evidence/{rel:path}", evidence),
    Route("/login", login_page),
    Route("/login", login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
]
