"""The Typer layer: parses the command line, calls the use cases in :mod:`serpaudit.app`, prints what they return.

``serpaudit.cli:app`` is the console script (pyproject.toml) and what ``python -m serpaudit`` runs.
"""

from serpaudit.cli.main import app

__all__ = ["app"]
