"""What travels between coordinator and workers, as JSON.

A job: the run, the capture key and everything a worker needs that is not its own business (region,
locale, retries, and -- in sandbox mode -- the coordinator's sandbox web address).  A result: the
:class:`~serpaudit.crawl.capture.CaptureRecord` the local crawl would store (status, parsed page with boxes,
evidence as bytes with their sha256), as JSON.  The coordinator checks every sha256 and stores it with the
same :func:`~serpaudit.crawl.capture.store_capture` as a local night, keyed by (run, job).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from audits.ids import stable_id
from crawler.browser import Browser
from serpaudit.crawl.capture import CaptureRecord, Job, blocked_record, store_capture, take_capture
from serpaudit.crawl.evidence import EvidenceFolder, sha256_of


class EvidenceMismatch(ValueError):
    """An evidence file's bytes do not match the sha256 the worker computed."""


@dataclass(frozen=True)
class JobSpec:
    """One capture job as sent to a worker."""

    run_id: str
    session: str  # the coordinator session that sent it; a later session makes it stale
    brand: str
    engine: str
    query: str
    device: str
    region: str
    language: str
    retries: int
    resolve_all_to: str | None  # the sandbox web's address, or None on the real web
    # False: the worker waits for its turn however far off (a job deferred MAX_DEFERS times is sent so)
    may_defer: bool = True

    @property
    def job(self) -> Job:
        return Job(self.brand, self.engine, self.query, self.device)

    @property
    def key(self) -> str:
        return job_key(self.run_id, self.job)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> JobSpec:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})  # a missing default: its default


def job_key(run_id: str, job: Job) -> str:
    """(run, job) -> the id its capture is stored under (the store's capture id)."""
    return stable_id(run_id, *job.key)


def run_job(browser: Browser, spec: JobSpec) -> dict[str, Any]:
    """Run one job in ``browser``; the result as JSON."""
    record = take_capture(browser, spec.job, region=spec.region, language=spec.language, retries=spec.retries)
    return {"key": spec.key, "record": record.to_json()}


def refused_result(spec: JobSpec, reason: str) -> dict[str, Any]:
    """A job not searched (its engine's politeness budget has no turn for it): blocked, never "no ads"."""
    record = blocked_record(spec.job, locale=f"{spec.language}-{spec.region}", reason=reason)
    return {"key": spec.key, "record": record.to_json()}


def store_result(store: Any, evidence: EvidenceFolder, run_id: str, result: dict[str, Any]) -> str:
    """Check a worker's evidence against its sha256 and store the capture (once); returns its status."""
    record = CaptureRecord.from_json(result["record"])
    for blob in [record.html, record.screenshot, *record.crops]:
        if blob is not None and sha256_of(blob.data) != blob.sha256:
            raise EvidenceMismatch(f"{blob.name} of {result['key']}: sha256 {sha256_of(blob.data)} but the "
                                   f"worker sent {blob.sha256}")
    store_capture(store, evidence, run_id, record)
    return record.status
