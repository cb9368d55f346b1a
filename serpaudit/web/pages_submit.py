"""The Submit page: build, download and send a platform submission, through ``serpaudit submit``'s use case."""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from audits.triage import REPORT_PLATFORMS
from serpaudit.app.errors import CommandError, InputError
from serpaudit.web.pages import _changing, _desk, render
from serpaudit.web.queries import SubmitDesk

log = logging.getLogger("serpaudit.web")


def _platform(request: Request, value: str | None) -> str:
    return value if value in REPORT_PLATFORMS else REPORT_PLATFORMS[0]


async def submit_page(request: Request, *, result: dict | None = None, error: str = "", status: int = 200,
                      platform: str = "") -> Response:
    platform = platform or _platform(request, request.query_params.get("platform"))
    desk = SubmitDesk(_desk(request))
    ads = await run_in_threadpool(desk.candidates, platform)
    past = await run_in_threadpool(desk.submissions)
    return render(request, "submit.html", status=status, platform=platform, platforms=REPORT_PLATFORMS, ads=ads,
                  submissions=past, result=result, error=error, done="")


async def submit(request: Request) -> Response:
    form, user = await _changing(request)
    platform = _platform(request, str(form.get("platform") or ""))
    ids, send = [str(i) for i in form.getlist("ids")], form.get("send") == "1"
    try:
        result = await run_in_threadpool(lambda: SubmitDesk(_desk(request)).submit(platform, ids, send=send,
                                                                                    user=user))
    except CommandError as exc:  # bad input, or the mail did not go through (the bundle is built)
        log.info("%s: submit to %s refused or not mailed: %s", user, platform, exc)
        status = 400 if isinstance(exc, InputError) else 502
        return await submit_page(request, error=str(exc), status=status, platform=platform)
    log.info("%s: submission %s to %s with %d ad(s)%s", user, result.get("submission"), platform, len(ids),
             ", mailed" if result.get("sent") else "")
    return await submit_page(request, result=result, platform=platform)


async def submission_file(request: Request) -> Response:
    try:
        path = await run_in_threadpool(SubmitDesk(_desk(request)).submission_file, request.path_params["folder"],
                                       request.path_params["name"])
    except InputError as exc:
        raise HTTPException(404, str(exc)) from exc
    return FileResponse(path, filename=path.name, content_disposition_type="attachment")


ROUTES = [
    Route("/submit", submit_page),
    Route("/submit", submit, methods=["POST"]),
    Route("/submissions/{folder}/{name}", submission_file),
]
