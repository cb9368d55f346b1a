"""Parse speed of the engine parsers, in ms per MB of HTML: warm, in-process, as ratios within one run.

Targets (issue 11): a median under 50 ms/MB over the real pages in ../shared/fixtures; no page over 1 MB
more than 4x its size-proportional time (its MB times the median ms/MB); a 10 MB result-dense page in
under 2 s.  The synthetic large pages are built with the sandbox's own engine markup: many ads with call
extensions and organic results with numbers, the kind of page where a parser that grows faster than the
page shows it.

    python scripts/bench_parse.py            # prints the table, exits 1 when a target is missed
    from scripts.bench_parse import measure  # -> ParseBench (for `make bench`)
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from crawler.engines import get_engine  # noqa: E402
from crawler.phones import forget_numbers  # noqa: E402

TARGET_MEDIAN_MS_PER_MB = 50.0
TARGET_WORST_RATIO = 4.0  # for pages over 1 MB
TARGET_BIG_PAGE_S = 2.0
BIG_PAGE_MB = 10.0


@dataclass(frozen=True)
class PageTime:
    name: str
    engine: str
    mb: float
    seconds: float  # the fastest of the rounds (warm)

    @property
    def ms_per_mb(self) -> float:
        return self.seconds * 1000 / self.mb


@dataclass
class ParseBench:
    pages: list[PageTime] = field(default_factory=list)

    @property
    def real(self) -> list[PageTime]:
        return [p for p in self.pages if not p.name.startswith("synthetic")]

    @property
    def median_ms_per_mb(self) -> float:
        return statistics.median(p.ms_per_mb for p in self.real)

    def ratio(self, p: PageTime) -> float:
        """The page's time over its size-proportional time at the median rate."""
        return p.ms_per_mb / self.median_ms_per_mb

    @property
    def worst(self) -> PageTime:
        """The page over 1 MB furthest above the median rate (any page when none is over 1 MB)."""
        big = [p for p in self.pages if p.mb > 1.0] or self.pages
        return max(big, key=self.ratio)

    @property
    def worst_ms_per_mb(self) -> float:
        return max(p.ms_per_mb for p in self.pages)

    @property
    def big_page_seconds(self) -> float:
        return max((p.seconds for p in self.pages if p.mb >= BIG_PAGE_MB * 0.95), default=float("nan"))

    @property
    def ok(self) -> bool:
        return (self.median_ms_per_mb < TARGET_MEDIAN_MS_PER_MB and self.ratio(self.worst) <= TARGET_WORST_RATIO
                and self.big_page_seconds < TARGET_BIG_PAGE_S)

    def table(self) -> str:
        lines = [f"{'page':<62} {'MB':>6} {'ms':>8} {'ms/MB':>7} {'x median':>8}"]
        for p in self.pages:
            lines.append(f"{p.name:<62} {p.mb:6.2f} {p.seconds * 1000:8.1f} {p.ms_per_mb:7.1f} {self.ratio(p):8.2f}")
        w = self.worst
        lines.append(f"parse: median {self.median_ms_per_mb:.0f} ms/MB over {len(self.real)} real pages "
                     f"(target < {TARGET_MEDIAN_MS_PER_MB:.0f}); worst page over 1 MB {self.ratio(w):.1f}x "
                     f"({w.name}; target <= {TARGET_WORST_RATIO:.0f}x); {BIG_PAGE_MB:.0f} MB page "
                     f"{self.big_page_seconds:.2f} s (target < {TARGET_BIG_PAGE_S:.0f} s)")
        return "\n".join(lines)


def fixtures_dir() -> Path:
    return Path(os.environ.get("SERPAUDIT_FIXTURES") or ROOT.parent / "shared" / "fixtures") / "serp"


def real_pages() -> list[tuple[str, str, str]]:
    """(name, engine, html) of every saved real result page."""
    return [(f"{p.parent.name}/{p.name}", p.parent.name, p.read_text(encoding="utf-8", errors="replace"))
            for p in sorted(fixtures_dir().glob("*/*.html"))]


def _ad(i: int, placement: str = "top") -> dict:
    landing = f"https://www.advertiser{i}.nl/klantenservice"
    return {"placement": placement, "title": f"Klantenservice {i} - Direct een medewerker",
            "display_url": f"www.advertiser{i}.nl/klantenservice", "landing_url": landing,
            "description": f"Bel ons dag en nacht. Storing {i}? Wij helpen direct, ook in het weekend.",
            "call": f"0900 {1000 + i % 9000:04d} {100 + i % 900:03d}", "call_e164": None,
            "whatsapp": None, "whatsapp_e164": None,
            "sitelinks": [{"title": "Storing melden", "url": landing}, {"title": "Contact", "url": landing}]}


def _organic(i: int) -> dict:
    return {"title": f"Klantenservice bellen {i}", "url": f"https://www.site{i}.nl/contact", "display_url": None,
            "snippet": f"Bel de klantenservice op 020 {100 + i % 900:03d} {1000 + i % 9000:04d} of mail ons."}


def dense_page(engine: str, n: int) -> str:
    """A result-dense page in the sandbox's markup for ``engine``: ``n`` organic results with a number each,
    and ``n // 5`` ads with a call extension (half at the top, half at the bottom)."""
    from sandbox import serp_bing, serp_duckduckgo, serp_google
    from sandbox.markup import token

    render: Callable[[dict], str] = {"google": serp_google.render_serp, "bing": serp_bing.render_serp,
                                     "duckduckgo": serp_duckduckgo.render_serp}[engine]
    ads = [_ad(i, "top" if i % 2 else "bottom") for i in range(n // 5)]
    for a in ads:
        a["call_e164"] = "+31" + a["call"].replace(" ", "")[1:]
    page = {"query": f"bench {token(engine, length=6)}", "device": "desktop", "status": "ok", "ads": ads,
            "organic": [_organic(i) for i in range(n)], "markup": "current"}
    return render(page)


def synthetic_page(engine: str, mb: float) -> str:
    """A result-dense page (:func:`dense_page`) of about ``mb`` MB."""
    n = 50
    while True:
        html = dense_page(engine, n)
        if len(html) >= mb * 1e6:
            return html
        n = int(n * mb * 1e6 / max(len(html), 1) * 1.05) + 1


def _time(engine: str, html: str, rounds: int) -> float:
    parse = get_engine(engine).parse
    parse(html)  # warm: imports, compiled selectors
    best = float("inf")
    for _ in range(rounds):
        forget_numbers()  # the numbers of the page are read as if for the first time, every round
        t = time.perf_counter()
        parse(html)
        best = min(best, time.perf_counter() - t)
    return best


def measure(rounds: int = 3, big_mb: float = BIG_PAGE_MB) -> ParseBench:
    bench = ParseBench()
    for name, engine, html in real_pages():
        bench.pages.append(PageTime(name, engine, len(html.encode()) / 1e6, _time(engine, html, rounds)))
    synthetic = [("google", 2.0), ("duckduckgo", 2.0), ("bing", 2.0), ("bing", big_mb)]
    for engine, mb in synthetic:
        html = synthetic_page(engine, mb)
        bench.pages.append(PageTime(f"synthetic/{engine}-{mb:.0f}MB-result-dense", engine, len(html.encode()) / 1e6,
                                    _time(engine, html, 1 if mb > 5 else rounds)))
    return bench


def main() -> int:
    if not fixtures_dir().is_dir():
        print(f"no fixtures at {fixtures_dir()}; set SERPAUDIT_FIXTURES", file=sys.stderr)
        return 2
    bench = measure()
    print(bench.table())
    return 0 if bench.ok else 1


if __name__ == "__main__":
    sys.exit(main())
