"""How a use case tells the CLI what went wrong, and so which exit code it gets.

    Exception
    ├── InputError       bad input from the user (settings, CSV, world file, option): exit 2
    ├── IncompleteError  the work could not be done (no browser, low disk, mail failed): exit 3
    └── LockedError      another run holds the database's lock: exit 4

Each carries a message that names the file, line or field at fault. This module imports nothing,
so the CLI can catch these without paying for the library's imports.
"""

from __future__ import annotations


class InputError(Exception):
    """Bad input from the user: exit 2."""


class IncompleteError(Exception):
    """The work could not be done: exit 3."""


class LockedError(Exception):
    """Another run holds the database's lock: exit 4."""
