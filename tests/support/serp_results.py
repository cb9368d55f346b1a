"""Small selectors the engine parser tests share, to say which results and numbers a page should have."""

from crawler.models import SerpPage, SerpResult


def of(p: SerpPage, kind: str, placement: str | None = None) -> list[SerpResult]:
    return [r for r in p.results if r.kind == kind and (placement is None or r.placement == placement)]


def numbers(r: SerpResult) -> set[str]:
    return {ph.e164 for ph in r.phones}
