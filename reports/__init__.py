"""Reports for analysts (HTML, XLSX, summary) and for the platforms' abuse teams (CSV + zip each).

Reads plain finding dicts (``audits.store.Store.findings``) and capture dicts; imports nothing of
``crawler`` or ``serpaudit``.  ``write_reports(findings, out_dir, ...)`` is the single entry point:
it writes the whole self-contained report folder (see :mod:`reports.bundle`).
"""

from __future__ import annotations

from reports.bundle import Bundle, write_bundle, write_reports
from reports.context import ReportContext
from reports.platforms import PLATFORMS

__all__ = ["PLATFORMS", "Bundle", "ReportContext", "write_bundle", "write_reports"]
