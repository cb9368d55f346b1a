"""--help is written for people (issue 21): every command has an example and shows no Python type or brace."""

from __future__ import annotations

import re

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from serpaudit import __version__
from serpaudit.cli import app

runner = CliRunner()


def _paths(cmd, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = [prefix]
    for name, sub in getattr(cmd, "commands", {}).items():
        out += _paths(sub, prefix + (name,))
    return out


ROOT = get_command(app)
COMMANDS = _paths(ROOT)


def _is_group(path: tuple[str, ...]) -> bool:
    cmd = ROOT
    for name in path:
        cmd = cmd.commands[name]
    return hasattr(cmd, "commands")


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "serpaudit")
def test_help_shows_no_python_type_or_brace(path):
    text = runner.invoke(app, [*path, "--help"], prog_name="serpaudit").output
    assert "Usage: serpaudit" in text
    assert not re.search(r"<[a-z][a-z_\[\]|, ]*>|list\[|\{|\}|\bstr\b|\bNone\b", text), text


@pytest.mark.parametrize("path", [p for p in COMMANDS if not _is_group(p)] + [()],
                         ids=lambda p: " ".join(p) or "serpaudit")
def test_every_command_has_an_example_that_names_it(path):
    text = runner.invoke(app, [*path, "--help"], prog_name="serpaudit").output
    examples = [line.strip() for line in text.splitlines() if line.strip().startswith("Example: ")]
    assert examples, text
    assert examples[0].startswith(f"Example: serpaudit {' '.join(path)}".rstrip()), examples


def test_reason_help_says_required_only_where_it_is():
    def reason(cmd: str) -> str:
        text = runner.invoke(app, ["findings", cmd, "--help"]).output
        return " ".join(text.split("--reason TEXT", 1)[1].split())
    assert "required" in reason("dismiss")
    for cmd in ("confirm", "reported", "resolve"):
        assert "required" not in reason(cmd).split("--config")[0], cmd


def test_the_arguments_of_official_add_have_help():
    text = runner.invoke(app, ["official", "add", "--help"]).output
    assert re.search(r"BRAND\s+The brand", text) and re.search(r"NUMBER\s+The number", text), text


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"serpaudit {__version__}"
