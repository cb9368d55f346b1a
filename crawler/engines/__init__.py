"""One module per search engine, SearXNG style.

Each engine module defines, at module level:

- ``NAME``: "google", "bing" or "duckduckgo".
- ``search_url(query, *, language="nl", region="NL", device="desktop") -> str``:
  the production URL the browser opens.
- ``CONSENT_REJECT_SELECTORS``: CSS selectors the browser tries, in order, to
  reject non-essential cookies on a consent wall.
- ``classify(html, url=None) -> str``: ok|consent|captcha|blocked|empty|unknown.
- ``parse(html, url=None, region="NL") -> SerpPage``: pure, never touches the
  network; status comes from ``classify`` and results are only read when ok.
"""

from __future__ import annotations

import importlib
from types import ModuleType

ENGINE_NAMES = ("google", "bing", "duckduckgo")


def get_engine(name: str) -> ModuleType:
    if name not in ENGINE_NAMES:
        raise KeyError(f"unknown engine {name!r}; choose one of {', '.join(ENGINE_NAMES)}")
    return importlib.import_module(f"crawler.engines.{name}")
