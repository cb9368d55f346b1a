"""Audit stage: the brand list, the SQLite audit trail and the rules that turn sightings into findings.

Imports neither ``crawler`` nor ``serpaudit``: plain dicts cross the boundary and
the CLI wires the stages together.
"""
