import pytest

from serpaudit.crawl.capture import http_status_to_page_status as _status


@pytest.mark.parametrize("parsed, http, want", [
    ("ok", 200, "ok"),
    ("empty", 200, "empty"),
    ("empty", 429, "blocked"),  # "Too many requests ... no results" is a block, not a clean page
    ("ok", 503, "blocked"),
    ("unknown", 403, "blocked"),
    ("captcha", 429, "captcha"),  # Google's /sorry/ page answers 429 and is a CAPTCHA
    ("consent", None, "consent"),
])
def test_http_errors_are_never_read_as_clean(parsed, http, want):
    assert _status(parsed, http) == want
