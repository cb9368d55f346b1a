"""The crawler's exceptions, and what the run loop does with each.

::

    CrawlError                  anything the crawler could not do
    ├── BrowserNotFound         no Chromium to drive: stop the run (exit 3) and say how to get one
    ├── FetchError              a page did not load (DNS, TLS, timeout): retry, then record "error"
    └── BrowserStalled          a browser call outlived its deadline and was stopped (crawler.browser_guard):
                                the browser turns it into a FetchError of its page

Blocks are not exceptions: a CAPTCHA, block or consent page loads fine and is
*classified* by the engine module (``captcha``, ``blocked``, ``consent``); the
crawl records that status, never "no ads", and backs off from an engine after
repeated blocks.  Parsers never raise: a page they cannot read is ``unknown``.
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


class BrowserStalled(CrawlError):
    """A browser call did not return within its deadline; its renderer (or more) was stopped."""
