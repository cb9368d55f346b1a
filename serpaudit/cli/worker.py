"""``serpaudit worker``: serve a distributed crawl's capture jobs on this machine."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from serpaudit.cli.common import ConfigOpt, guard
from serpaudit.lazy import LazyModule

if TYPE_CHECKING:  # mypy checks the CLI's calls against the real use cases
    from serpaudit.app import worker as app_worker
else:  # imported when a command runs, not for --help
    app_worker = LazyModule("serpaudit.app.worker")


def worker(config: ConfigOpt = None,
           queues: Annotated[str, typer.Option(help="Region queues to serve, comma-separated (default: the "
                                                    "region setting), e.g. nl,be.")] = "",
           concurrency: Annotated[int, typer.Option(help="Jobs at once, each in its own Chromium.")] = 1) -> None:
    """Take capture jobs from broker_url and run them in this machine's Chromium (distributed crawls).

    Example: serpaudit worker --queues nl --concurrency 2
    """
    outcome = guard(app_worker.worker, config, [q for q in queues.split(",") if q.strip()], concurrency)
    raise typer.Exit(outcome.exit_code)
