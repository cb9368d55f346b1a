"""Safe names for files and folders: no part of a path comes from a URL, a brand or a run id as such.

Used below the crawl layer's evidence folder (:mod:`serpaudit.crawl.evidence`) and by the report and
retention folders (:mod:`serpaudit.ops.outputs`), which must name a run's folder the same way.
"""

from __future__ import annotations

import re

_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str, limit: int = 40) -> str:
    """``text`` as ``[a-z0-9-]``, at most ``limit`` characters; ``x`` when nothing is left."""
    s = _SLUG.sub("-", text.lower()).strip("-")[:limit].strip("-")
    return s or "x"
