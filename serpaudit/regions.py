"""A region's time zone, for the browser (locale and Accept-Language come from language and region)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

# Used where the system's zone table is missing.
FALLBACK = {"NL": "Europe/Amsterdam", "BE": "Europe/Brussels", "DE": "Europe/Berlin", "FR": "Europe/Paris",
            "GB": "Europe/London", "US": "America/New_York", "ES": "Europe/Madrid", "IT": "Europe/Rome",
            "AT": "Europe/Vienna", "CH": "Europe/Zurich", "LU": "Europe/Luxembourg"}  # fmt: skip
ZONE_TABLES = (Path("/usr/share/zoneinfo/zone.tab"),)


@cache
def _zone_table() -> dict[str, str]:
    out: dict[str, str] = {}
    for table in ZONE_TABLES:
        if table.is_file():
            for line in table.read_text(encoding="utf-8").splitlines():
                parts = line.split("\t")
                if len(parts) >= 3 and not line.startswith("#"):
                    out.setdefault(parts[0], parts[2])  # the first zone listed is the main one
    return out


def region_timezone(region: str) -> str:
    return FALLBACK.get(region) or _zone_table().get(region.upper()) or "UTC"
