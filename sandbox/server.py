"""The sandbox web on a real socket: an HTTPS server on loopback.

Chromium is started with ``--host-resolver-rules=MAP * 127.0.0.1:<port>``, so it
requests the production URLs (https://www.google.nl/search?...) and only the
name resolution differs.  The server answers every host from
:meth:`sandbox.web.SandboxWeb.respond`, with a throwaway certificate made by
trustme (the browser context ignores certificate errors in sandbox mode only).
"""

from __future__ import annotations

import logging
import ssl
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

import trustme

log = logging.getLogger(__name__)


class _QuietServer(ThreadingHTTPServer):
    """A browser that closes a connection mid-answer (a cancelled favicon, a page left) is no error: it is
    logged at debug level instead of printing a traceback into the night's terminal."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | ssl.SSLError | TimeoutError):
            log.debug("sandbox: %s went away: %s", client_address, exc)
            return
        super().handle_error(request, client_address)


class SandboxServer:
    """``with SandboxServer(web) as srv: ... srv.address  # "127.0.0.1:PORT"``"""

    def __init__(self, web: Any, host: str = "127.0.0.1", port: int = 0) -> None:
        self.web = web
        handler = _make_handler(web)
        self._httpd = _QuietServer((host, port), handler)
        ca = trustme.CA()
        cert = ca.issue_cert("sandbox.invalid", "localhost")
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        cert.configure_cert(ctx)
        self._httpd.socket = ctx.wrap_socket(self._httpd.socket, server_side=True)
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="sandbox-web", daemon=True)

    @property
    def address(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"{host!s}:{port}"

    def start(self) -> SandboxServer:
        self._thread.start()
        log.info("sandbox web listening on https://%s", self.address)
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _make_handler(web: Any) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self) -> None:
            host = self.headers.get("Host", "").split(":")[0]
            url = f"https://{host}{self.path}"
            headers = {k.lower(): v for k, v in self.headers.items()}
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            resp = web.respond(self.command, url, headers)
            self.send_response(resp.status)
            for k, v in resp.headers.items():
                if k.lower() != "content-length":
                    self.send_header(k, v)
            body = b"" if self.command == "HEAD" else resp.body
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_HEAD = _answer

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("sandbox: " + format, *args)

    return Handler
