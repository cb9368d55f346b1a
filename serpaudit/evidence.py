"""Evidence files on disk: safe paths and their sha256.

No part of a path comes from a URL or a brand name as such: names are a short
slug of ``[a-z0-9-]`` plus a hash of the chosen key, so nothing can climb out of
the evidence folder or collide.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str, limit: int = 40) -> str:
    s = _SLUG.sub("-", text.lower()).strip("-")[:limit].strip("-")
    return s or "x"


def key_hash(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:12]


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class EvidenceFolder:
    """Writes a run's evidence under ``<root>/<run id>/``."""

    def __init__(self, root: Path, run_id: str) -> None:
        self.root = root.resolve()
        self.dir = self.root / slug(run_id, 64)
        self.dir.mkdir(parents=True, exist_ok=True)

    def name(self, label: str, *key: str) -> str:
        return f"{slug(label)}-{key_hash(*key)}"

    def write(self, name: str, suffix: str, data: bytes) -> tuple[str, str]:
        """Write ``data``; return (absolute path, sha256)."""
        path = (self.dir / f"{slug(name, 80)}{suffix}").resolve()
        if self.dir not in path.parents:  # defence in depth: slug() already rules this out
            raise ValueError(f"evidence path {path} leaves {self.dir}")
        path.write_bytes(data)
        return str(path), sha256_of(data)
