"""One search job: taking its capture (browser only) and storing it (evidence, then rows).

Split in two so that a worker that never touches the database (issue 12's
Celery workers) can take captures and hand them back, and so that a capture
is durable as soon as it is stored:

- :func:`take_capture` runs one :class:`Job` in a browser and returns a
  :class:`CaptureRecord`: status, parsed page (with each result's box and
  crop), evidence as bytes with their sha256. No store, no files.
- :func:`store_capture` writes the evidence files first, then the capture's
  rows in one transaction, keyed by (run, job): storing the same job twice
  changes nothing, except that a blocked or failed capture is replaced by a
  later, better one (a blocked job retried later in the night).
"""

from __future__ import annotations

import base64
import logging
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from crawler.browser import AnswerSteps, Browser
from crawler.drift import alarm as drift_alarm
from crawler.engines import get_engine
from crawler.errors import FetchError
from crawler.models import SerpPage
from serpaudit.crawl.evidence import EvidenceFolder, key_hash, sha256_of, slug

log = logging.getLogger(__name__)

# A capture with one of these statuses may be replaced by a later attempt of the same job.
RETRYABLE = ("blocked", "captcha", "error")


@dataclass(frozen=True)
class Job:
    brand: str
    engine: str
    query: str
    device: str

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.brand, self.engine, self.query, self.device)


@dataclass(frozen=True)
class Blob:
    """One evidence file, not yet written: ``name`` is the file name inside the run's evidence folder."""

    name: str
    data: bytes
    sha256: str

    @classmethod
    def of(cls, name: str, data: bytes) -> Blob:
        return cls(name, data, sha256_of(data))


@dataclass(frozen=True)
class CaptureRecord:
    """What one job produced, before anything is written."""

    job: Job
    status: str  # ok | empty | consent | captcha | blocked | unknown | error (issue 10 adds drift)
    locale: str
    captured_at: str
    final_url: str | None = None
    user_agent: str | None = None
    error: str | None = None
    # The parsed page (SerpPage.to_dict()); each result may carry "box", "above_fold" and
    # "evidence_file" (the name of its crop among ``blobs``).
    page: dict[str, Any] | None = None
    html: Blob | None = None
    screenshot: Blob | None = None
    crops: tuple[Blob, ...] = field(default=())
    duration_s: float = 0.0

    @property
    def result_count(self) -> int:
        return len((self.page or {}).get("results") or [])

    def to_json(self) -> dict[str, Any]:
        """A JSON-safe dict (bytes as base64), for a task queue; :meth:`from_json` reverses it."""
        d = asdict(self)
        for b in [d["html"], d["screenshot"], *d["crops"]]:
            if b is not None:
                b["data"] = base64.b64encode(b["data"]).decode("ascii")
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> CaptureRecord:
        def blob(b: dict[str, Any] | None) -> Blob | None:
            return None if b is None else Blob(b["name"], base64.b64decode(b["data"]), b["sha256"])

        crops = tuple(x for x in (blob(c) for c in d.get("crops") or ()) if x is not None)
        return cls(**{**d, "job": Job(**d["job"]), "html": blob(d.get("html")),
                      "screenshot": blob(d.get("screenshot")), "crops": crops})


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def evidence_stem(job: Job) -> str:
    """The job's evidence file names start with this: stable, so a re-take overwrites, never piles up."""
    return f"{slug(f'{job.engine}-{job.device}-{job.brand}')}-{key_hash(*job.key)}"


def http_status_to_page_status(parsed: str, http_status: int | None) -> str:
    """An engine that answers 4xx/5xx did not show its results, whatever the page says ("no results")."""
    if http_status and http_status >= 400 and parsed not in ("captcha", "consent", "blocked"):
        return "blocked"
    return parsed


def _asks_consent(engine: Any, page: SerpPage, html: str) -> bool:
    """A consent wall, or a cookie banner laid over readable results (Bing): reject it either way."""
    if page.status == "consent":
        return True
    return any(marker in html for marker in getattr(engine, "CONSENT_BANNER_MARKERS", ()))


def _answer_steps(engine: Any, parse_once: Any) -> AnswerSteps | None:
    """How the browser waits for and opens the engine's AI answer (None: the engine shows none)."""
    markup = getattr(engine, "AI_ANSWER", None)
    if markup is None:
        return None

    def pending(html: str, url: str) -> bool:
        return any(r.kind == "ai_answer" and r.answer_state == "unfinished" for r in parse_once(html, url).results)

    return AnswerSteps(pending=pending, containers=markup.containers, headings=markup.headings,
                       labels=tuple(markup.labels), controls=markup.expand, stop=engine.AI_ANSWER_STOP,
                       never=engine.AI_ANSWER_NEVER)


def blocked_record(job: Job, *, locale: str, reason: str) -> CaptureRecord:
    """A job not searched because its engine is backing off: recorded as blocked, never as "no ads"."""
    return CaptureRecord(job, "blocked", locale, utc_now(), error=reason)


_AD_KINDS = ("ad", "shopping_ad")


def _anchor(r: Any) -> str:
    """The start of an AI answer's text (its first line, 40 characters), or "" for any other result."""
    lines = (r.text or "").strip().splitlines() if r.kind == "ai_answer" else []
    return lines[0][:40] if lines else ""


def take_capture(browser: Browser, job: Job, *, region: str, language: str, retries: int) -> CaptureRecord:
    """Run one job in ``browser``; never touches the store or the disk."""
    started = datetime.now(UTC)
    engine = get_engine(job.engine)
    url = engine.search_url(job.query, language=language, region=region, device=job.device)
    locale = f"{language}-{region}"
    parsed: dict[str, Any] = {}

    def parse_once(html: str, final_url: str) -> SerpPage:
        # readiness, the consent check and the result boxes ask about the same HTML: it is parsed once
        if parsed.get("html") is not html:
            parsed.update(html=html, page=engine.parse(html, final_url, region=region))
        return parsed["page"]

    def analyse(html: str, final_url: str) -> list[tuple[str, list[str], str, bool]]:
        # parsed while the page is still open, so the browser can measure and crop each result; an AI answer's
        # panel is found by the start of its text too (its source cards may carry organic results' titles).
        # Every ad is cropped, number or not: the ad is what a platform is asked to remove (a lookalike's ad
        # may show its number only on its landing page)
        return [(r.title, [p.raw for p in r.phones], _anchor(r), r.kind in _AD_KINDS)
                for r in parse_once(html, final_url).results]

    cap = None
    error = ""
    for attempt in range(retries + 1):
        try:
            cap = browser.capture(url, device=job.device, consent_selectors=tuple(engine.CONSENT_REJECT_SELECTORS),
                                  is_consent=lambda h, u: _asks_consent(engine, parse_once(h, u), h), analyse=analyse,
                                  ready=engine.READY_SELECTOR,
                                  is_ready=lambda h, u: parse_once(h, u).status != "unknown",
                                  answers=_answer_steps(engine, parse_once))
            break
        except FetchError as exc:
            error = str(exc)
            log.warning("%s (attempt %d of %d)", error, attempt + 1, retries + 1)
    took = (datetime.now(UTC) - started).total_seconds()
    if cap is None:
        return CaptureRecord(job, "error", locale, utc_now(), final_url=url, error=error, duration_s=took)
    page = parsed.get("page") or engine.parse(cap.html, cap.final_url, region=region)
    stem = evidence_stem(job)
    page_dict = page.to_dict()
    crops = []
    for result, shot in zip(page_dict["results"], cap.blocks, strict=False):
        result["box"] = list(shot.box) if shot.box else None
        result["above_fold"] = shot.above_fold
        if shot.png:
            crop = Blob.of(f"{stem}-{slug(result['placement'])}{result['rank']}.png", shot.png)
            result["evidence_file"] = crop.name
            crops.append(crop)
    drift = drift_alarm(job.engine, cap.html, page, region)  # ads the parser missed: a markup change
    if drift:
        log.warning("%s %s %r: %s", job.engine, job.device, job.query, drift)
    return CaptureRecord(
        job, "drift" if drift else http_status_to_page_status(page.status, cap.http_status), locale,
        cap.captured_at, error=drift or None, final_url=cap.final_url, user_agent=cap.user_agent, page=page_dict,
        html=Blob.of(f"{stem}.html", cap.html.encode("utf-8")), screenshot=Blob.of(f"{stem}.png", cap.screenshot),
        crops=tuple(crops), duration_s=took,
    )


def store_capture(store: Any, evidence: EvidenceFolder, run_id: str, record: CaptureRecord) -> str | None:
    """Evidence files first, then the capture's rows in one transaction; returns the capture id.

    Returns None, storing nothing, when the job already has a capture in this run that is not
    retryable (a redelivered task, a resumed night): the first good capture stands.
    """
    existing = store.capture_status(run_id, *record.job.key)
    if existing is not None and existing not in RETRYABLE:
        log.debug("%s already captured in run %s (%s): kept", record.job, run_id, existing)
        return None
    if existing is not None and record.status in RETRYABLE and record.html is None:
        return None  # a job still blocked or failing keeps its first evidence
    paths: dict[str, tuple[str, str]] = {}
    for blob in [record.html, record.screenshot, *record.crops]:
        if blob is not None:
            stem, _, suffix = blob.name.rpartition(".")
            paths[blob.name] = evidence.write(stem, f".{suffix}", blob.data)
    page = None
    if record.page is not None:
        results = []
        for r in record.page.get("results") or []:
            r = dict(r)
            crop = r.pop("evidence_file", None)
            if crop in paths:
                r["evidence_path"], r["evidence_sha256"] = paths[crop]
            results.append(r)
        page = {**record.page, "results": results}
    html_path, html_sha = paths.get(record.html.name, (None, None)) if record.html else (None, None)
    png_path, png_sha = paths.get(record.screenshot.name, (None, None)) if record.screenshot else (None, None)
    job = record.job
    row = {
        "run_id": run_id, "brand": job.brand, "engine": job.engine, "query": job.query, "device": job.device,
        "locale": record.locale, "captured_at": record.captured_at, "final_url": record.final_url,
        "user_agent": record.user_agent, "html_path": html_path, "html_sha256": html_sha,
        "screenshot_path": png_path, "screenshot_sha256": png_sha, "status": record.status, "error": record.error,
    }
    return str(store.record_capture(row, page))
