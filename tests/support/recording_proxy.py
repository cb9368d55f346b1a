"""A forward proxy on loopback for the tests: records each request line (``CONNECT host:443``) and tunnels
every CONNECT to one address, the sandbox web, as a regional egress proxy would carry it to the engine."""

from __future__ import annotations

import select
import socket
import threading
from types import TracebackType

IDLE_S = 30  # a tunnel nobody speaks on for this long is closed


class RecordingProxy:
    def __init__(self, upstream: str) -> None:
        host, port = upstream.rsplit(":", 1)
        self.upstream = (host, int(port))
        self.requests: list[str] = []
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(32)
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"

    def __enter__(self) -> RecordingProxy:
        threading.Thread(target=self._serve, daemon=True).start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._sock.close()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self._sock.accept()
            except OSError:  # closed
                return
            threading.Thread(target=self._tunnel, args=(client,), daemon=True).start()

    def _tunnel(self, client: socket.socket) -> None:
        with client:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = client.recv(4096)
                if not chunk:
                    return
                head += chunk
            method, target = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ")[:2]
            self.requests.append(f"{method} {target}")
            if method != "CONNECT":  # only tunnels: the pages are all https
                client.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
                return
            with socket.create_connection(self.upstream, timeout=10) as up:
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                while True:
                    ready, _, _ = select.select([client, up], [], [], IDLE_S)
                    if not ready:
                        return
                    for s in ready:
                        data = s.recv(65536)
                        if not data:
                            return
                        (up if s is client else client).sendall(data)
