"""Starting the desk: the bind is checked before anything listens, then uvicorn serves the application."""

from __future__ import annotations

import logging
from pathlib import Path

from serpaudit.app.config import open_store_for, settings_for
from serpaudit.app.errors import InputError
from serpaudit.settings.validation import WEB_USER_NAME
from serpaudit.web.security import Users, check_bind, hash_password, is_loopback

log = logging.getLogger("serpaudit.web")
DEFAULT_PORT = 8151


def serve(config: Path | None, host: str = "127.0.0.1", port: int = DEFAULT_PORT, certfile: Path | None = None,
          keyfile: Path | None = None) -> None:
    """Serve the desk until interrupted; InputError (exit 2) for a bind beyond loopback without users, or a
    TLS certificate without its key (or the other way round) or one that is not a readable file."""
    import uvicorn

    from serpaudit.web.app import create_app

    settings = settings_for(config)
    check_bind(host, Users.from_settings(settings.web_users))
    tls = check_tls(certfile, keyfile)
    if not is_loopback(host) and not tls:
        log.warning("the desk on %s without --certfile/--keyfile: passwords and session cookies cross the "
                    "network in clear; serve it over TLS (or behind a TLS proxy on this machine)", host)
    open_store_for(settings).close()  # a database newer than the code is refused now, not on the first page
    log.info("the desk is at %s://%s:%d/ (%s)", "https" if tls else "http", f"[{host}]" if ":" in host else host,
             port, "login required" if settings.web_users else "no login: this machine only")
    uvicorn.run(create_app(settings, config, host=host, https=tls), host=host, port=port, log_level="warning",
                server_header=False, proxy_headers=False, access_log=False,
                ssl_certfile=str(certfile) if tls else None, ssl_keyfile=str(keyfile) if tls else None)


def check_tls(certfile: Path | None, keyfile: Path | None) -> bool:
    """True when the desk is to be served over TLS; InputError for half a pair or a file that is not there."""
    if (certfile is None) != (keyfile is None):
        raise InputError("--certfile and --keyfile go together: the certificate and its private key (PEM)")
    for option, path in (("--certfile", certfile), ("--keyfile", keyfile)):
        if path is not None and not path.is_file():
            raise InputError(f"{option}: {path} is not a file")
    return certfile is not None



def user_entry(name: str, password: str) -> str:
    """The ``web_users`` entry for ``name``: ``name:<argon2 hash>``."""
    if not WEB_USER_NAME.fullmatch(name):
        raise InputError(f"--hash-password: {name!r} is not a user name (letters, digits, . _ @ -)")
    return f"{name}:{hash_password(password)}"
