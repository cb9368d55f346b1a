"""How a use case tells the CLI what went wrong; each class names its exit (serpaudit.night.outcome.failed).

    CommandError
    ├── InputError       bad input from the user (settings, CSV, world file, option): exit 2
    ├── IncompleteError  the work could not be done (no browser, low disk, mail failed): exit 3
    └── LockedError      another run holds the database's lock: exit 4

Each carries a message that names the file, line or field at fault. This module imports only the light
serpaudit.night.outcome, so the CLI can catch these without paying for the library's imports.
"""

from __future__ import annotations

from serpaudit.night.outcome import INCOMPLETE, LOCKED, USAGE, ExitStatus


class CommandError(Exception):
    """A failure a command foresaw; ``exit_status`` is the exit it gets."""

    exit_status: ExitStatus = INCOMPLETE


class InputError(CommandError):
    """Bad input from the user: exit 2."""

    exit_status = USAGE


class IncompleteError(CommandError):
    """The work could not be done: exit 3."""

    exit_status = INCOMPLETE


class LockedError(CommandError):
    """Another run holds the database's lock: exit 4."""

    exit_status = LOCKED
