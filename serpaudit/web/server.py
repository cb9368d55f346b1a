"""Starting the desk: the bind is checked before anything listens, then uvicorn serves the application."""

from __future__ import annotations

import logging
from pathlib import Path

from serpaudit.app.config import open_store_for, settings_for
from serpaudit.app.errors import InputError
from serpaudit.settings.validation import WEB_USER_NAME
from serpaudit.web.security import Users, check_bind, hash_password

log = logging.getLogger("serpaudit.web")
DEFAULT_PORT = 8151


def serve(config: Path | None, host: str = "127.0.0.1", port: int = DEFAULT_PORT) -> None:
    """Serve the desk until interrupted; InputError (exit 2) for a bind beyond loopback without users."""
    import uvicorn

    from serpaudit.web.app import create_app

    settings = settings_for(config)
    check_bind(host, Users.from_settings(settings.web_users))
    open_store_for(settings).close()  # a database newer than the code is refused now, not on the first page
    log.info("the desk is at http://%s:%d/ (%s)", f"[{host}]" if ":" in host else host, port,
             "login required" if settings.web_users else "no login: this machine only")
    uvicorn.run(create_app(settings, config, host=host), host=host, port=port, log_level="warning",
                server_header=False, proxy_headers=False, access_log=False)



def user_entry(name: str, password: str) -> str:
    """The ``web_users`` entry for ``name``: ``name:<argon2 hash>``."""
    if not WEB_USER_NAME.fullmatch(name):
        raise InputError(f"--hash-password: {name!r} is not a user name (letters, digits, . _ @ -)")
    return f"{name}:{hash_password(password)}"
