"""``python -m serpaudit ...``: the same CLI as the ``serpaudit`` command."""

from serpaudit.cli import app

app(prog_name="serpaudit")
