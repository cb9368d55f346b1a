"""Reports for analysts (HTML) and for the platforms' abuse teams (CSV per platform).

Reads plain finding dicts (``audits.store.Store.findings`` or
``dataclasses.asdict(audits.rules.Finding)``) and capture dicts; imports nothing
of ``crawler`` or ``serpaudit``.  ``write_reports`` lives in
``reports.html_report`` and is re-exported here.
"""

from __future__ import annotations

from reports.csv_report import PLATFORMS
from reports.html_report import write_reports

__all__ = ["PLATFORMS", "write_reports"]
