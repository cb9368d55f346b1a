"""``serpaudit serve``: the analyst's desk in a browser, over the same store and use cases as the CLI.

Modules: :mod:`serpaudit.web.server` (checks the bind and runs it), :mod:`serpaudit.web.app` (the Starlette
application), :mod:`serpaudit.web.pages` (pages and POSTs), :mod:`serpaudit.web.queries` (the one place that
reads and changes the store, through :mod:`serpaudit.app`), :mod:`serpaudit.web.security` (login, CSRF,
headers), :mod:`serpaudit.web.files` (evidence served safely) and :mod:`serpaudit.web.shots` (the ad outlined
on its result page). Only :mod:`serpaudit.cli` imports this package (import-linter keeps it so).
"""
