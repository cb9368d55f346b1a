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

from types import ModuleType

from crawler.engines import bing, duckduckgo, google

ENGINES: dict[str, ModuleType] = {m.NAME: m for m in (google, bing, duckduckgo)}


def get_engine(name: str) -> ModuleType:
    try:
        return ENGINES[name]
    except KeyError:
        raise KeyError(f"unknown engine {name!r}; choose one of {', '.join(sorted(ENGINES))}") from None
