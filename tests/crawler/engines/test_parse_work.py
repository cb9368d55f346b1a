"""A page twice as dense costs the parsers about twice the work (issue 22: linear-time reading, whatever the page).

Not timed: the work is counted, so the test is deterministic on a loaded machine.  Two counts:

- the lines of crawler/ code run (a loop over every title link for every result, or an ancestor set built per
  element, shows here as a square of the results);
- libphonenumber's parses (``phonenumbers.parse``, which its matcher calls for every candidate it verifies):
  at most a few per number, however the numbers stand on the page.

The pages are the bench's result-dense pages (scripts/bench_parse.py) with every number different, so no memo
hides the work.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import FrameType
from typing import Any

import phonenumbers
import pytest

import crawler
from crawler.engines import get_engine
from crawler.phones import forget_numbers
from scripts.bench_parse import dense_page

_CRAWLER = str(Path(crawler.__file__).parent)
_PHONENUMBERS_PARSE = phonenumbers.parse.__code__


def work(engine: str, html: str) -> tuple[int, int, int]:
    """(lines of crawler code run, libphonenumber parses, results) for one parse of ``html``."""
    parse = get_engine(engine).parse
    parse(html)  # warm: imports, compiled selectors and patterns
    forget_numbers()
    lines = parses = 0

    def local(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal lines
        if event == "line":
            lines += 1
        return local

    def calls(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal parses
        code = frame.f_code
        if code is _PHONENUMBERS_PARSE:
            parses += 1
            return None
        return local if code.co_filename.startswith(_CRAWLER) else None

    sys.settrace(calls)
    try:
        page = parse(html)
    finally:
        sys.settrace(None)
    return lines, parses, len(page.results)


@pytest.mark.parametrize("engine", ["google", "bing", "duckduckgo"])
def test_twice_the_results_cost_about_twice_the_work(engine: str) -> None:
    lines1, parses1, results1 = work(engine, dense_page(engine, 300))
    lines2, parses2, results2 = work(engine, dense_page(engine, 600))
    assert results2 >= 1.9 * results1 > 300  # the page is twice as dense: every result read
    assert lines2 <= 2.1 * lines1, f"{engine}: {lines1} -> {lines2} lines of crawler code for twice the results"
    assert parses2 <= 2.1 * parses1, f"{engine}: {parses1} -> {parses2} libphonenumber parses"
    assert parses2 <= 3 * results2  # a few per numbered result, not one per character or per candidate pair
