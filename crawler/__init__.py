"""Everything that touches the web: the browser, one module per search engine,
contact-page parsing and phone-number extraction.

Parsers (``crawler.engines.*.parse``, ``crawler.contact.parse``) are pure: they
see HTML and URLs only and never touch the network.  Playwright lives in
``crawler.browser`` alone.
"""
