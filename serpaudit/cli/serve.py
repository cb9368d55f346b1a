"""``serpaudit serve``: the desk in a browser (a thin layer over serpaudit.web.server)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from serpaudit.cli.common import ConfigOpt, guard
from serpaudit.lazy import LazyModule

if TYPE_CHECKING:  # mypy checks the CLI's calls against the real functions
    from serpaudit.web import server
else:  # imported when the command runs, not for --help
    server = LazyModule("serpaudit.web.server")


def serve(config: ConfigOpt = None,
          host: Annotated[str, typer.Option(help="Address to listen on; any but 127.0.0.1 needs web_users.")]
          = "127.0.0.1",
          port: Annotated[int, typer.Option(help="Port to listen on.")] = 8151,
          certfile: Annotated[Path | None, typer.Option(help="TLS certificate (PEM) to serve https with; "
                                                             "with --keyfile.")] = None,
          keyfile: Annotated[Path | None, typer.Option(help="The certificate's private key (PEM).")] = None,
          hash_password: Annotated[str | None, typer.Option(
              "--hash-password", metavar="NAME", help="Ask for NAME's password and print its web_users entry; "
              "serve nothing.")] = None) -> None:
    """Serve the analyst's desk: the queue, cases with their evidence, campaigns, nights.

    Example: serpaudit serve   (then open http://127.0.0.1:8151/)
    """
    if hash_password is not None:
        password = typer.prompt(f"password for {hash_password}", hide_input=True, confirmation_prompt=True)
        entry = guard(server.user_entry, hash_password, password)
        typer.echo(f"add to web_users in the settings: \"{entry}\"", err=True)
        typer.echo(entry)
        return
    guard(server.serve, config, host, port, certfile, keyfile)
