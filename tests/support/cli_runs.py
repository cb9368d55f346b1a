"""The CLI run in the test's process (Typer's runner), and the check most bad-input tests make of it."""

from __future__ import annotations

from typer.testing import CliRunner, Result

from serpaudit.cli import app

runner = CliRunner()


def refused(args: list[str], *parts: str) -> Result:
    """``serpaudit args`` exits 2 with no traceback, and its stderr says each of ``parts``."""
    result = runner.invoke(app, args)
    assert result.exit_code == 2, (args, result.exit_code, result.output)
    assert "Traceback" not in result.output
    for part in parts:
        assert part in result.stderr, (part, result.stderr)
    return result
