"""The exit codes of ``serpaudit`` (also in README.md), in a module that imports nothing.

The CLI needs them before it knows which command runs, and must not pay for the
pipeline's imports (Playwright, SQLite, the parsers) to print ``--help``.
"""

EXIT_CLEAN = 0  # every capture was audited and no number is a finding
EXIT_FINDINGS = 1  # at least one scam or suspect number
EXIT_USAGE = 2  # usage or input error: bad settings, brand CSV or world file
EXIT_INCOMPLETE = 3  # the run could not complete: part of the audit is missing
EXIT_LOCKED = 4  # another run holds the lock
