"""A world's brands as the audit knows them (:class:`audits.brands.Brand`): what the demo, the local cluster,
tests and benches load into a store before a sandbox night.

It lives with the world (not in the demo) so the crawl layer's local cluster can use it without importing
the application layer.
"""

from __future__ import annotations

from audits.brands import Brand
from sandbox.world import World


def world_brands(world: World) -> list[Brand]:
    return [Brand(name=b["name"], domains=tuple(b["domains"]), contact_pages=tuple(b.get("contact_pages", ())),
                  phone_support=bool(b.get("phone_support", True)), queries=tuple(b.get("queries", ())))
            for b in world.brands]
