"""The crawler's exceptions, and what the run loop does with each.

::

    CrawlError                  anything the crawler could not do
    ├── BrowserNotFound         no Chromium to drive: stop the run (exit 3) and say how to get one
    ├── FetchError              a page did not load (DNS, TLS, timeout, HTTP 5xx): retry, then record "error"
    └── BlockedError            the engine answered with a block, CAPTCHA or consent wall:
                                back off from that engine for the rest of the run, record the status

Parsers never raise these: a page they cannot read is classified ``unknown``.
"""

from __future__ import annotations


class CrawlError(Exception):
    """Base class: something the crawler could not do."""


class BrowserNotFound(CrawlError):
    """No Chromium executable was found or could be started."""


class FetchError(CrawlError):
    """A page did not load; worth a retry."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


class BlockedError(CrawlError):
    """The engine blocked us (CAPTCHA, block page, consent wall that would not go away)."""

    def __init__(self, engine: str, status: str, url: str) -> None:
        super().__init__(f"{engine} answered {status} at {url}")
        self.engine = engine
        self.status = status
        self.url = url
