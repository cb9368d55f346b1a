"""The sandbox web: a data-driven imitation of Google, Bing, DuckDuckGo and the brands' sites.

Tests and the demo never touch the real web.  A *world* (TOML, see docs/sandbox.md)
describes brands, their sites, scam and lookalike sites, the result pages the
engines show for each query, and which numbers the audit is expected to flag.

    from sandbox import load_world, DEFAULT_WORLD_PATH, SandboxWeb
    web = SandboxWeb(load_world(DEFAULT_WORLD_PATH))
    resp = web.respond("GET", "https://www.google.nl/search?q=telnova+klantenservice&hl=nl&gl=nl", {})
"""

from sandbox.web import Response, SandboxWeb
from sandbox.world import DEFAULT_WORLD_PATH, World, WorldError, load_world
from sandbox.world_brands import world_brands

__all__ = ["DEFAULT_WORLD_PATH", "Response", "SandboxWeb", "World", "WorldError", "load_world", "world_brands"]
