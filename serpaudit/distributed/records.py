"""What travels between coordinator and workers, as JSON.

A job: the run, the capture key and everything a worker needs that is not its own business (region,
locale, retries, and -- in sandbox mode -- the coordinator's sandbox web address).  A result: the capture
record and parsed page exactly as the local crawl would store them, with evidence files as base64 bytes
named by tokens; the coordinator writes the files into its own evidence folder, checks each sha256, and
puts the real paths in the record.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from audits.store import stable_id
from crawler.browser import Browser
from serpaudit.crawl import Job, capture_job
from serpaudit.evidence import EvidenceFolder, sha256_of, slug


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

    @property
    def job(self) -> Job:
        return Job(self.brand, self.engine, self.query, self.device)

    @property
    def key(self) -> str:
        return job_key(self.run_id, self.job)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> JobSpec:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__})


def job_key(run_id: str, job: Job) -> str:
    """(run, job) -> the id its capture is stored under (the store's capture id)."""
    return stable_id(run_id, job.brand, job.engine, job.query, job.device)


class _Recorder:
    """Stands in for the store on a worker: keeps the one capture instead of writing SQLite."""

    def __init__(self) -> None:
        self.record: dict[str, Any] = {}
        self.page: Mapping[str, Any] | None = None

    def record_capture(self, capture: Mapping[str, Any], page: Mapping[str, Any] | None) -> str:
        self.record, self.page = dict(capture), page
        return ""


class _EvidenceBytes(EvidenceFolder):
    """Stands in for the evidence folder on a worker: keeps the bytes; paths are tokens."""

    def __init__(self) -> None:  # no folder: nothing touches the worker's disk
        self.files: dict[str, bytes] = {}

    def write(self, name: str, suffix: str, data: bytes) -> tuple[str, str]:
        token = f"{slug(name, 80)}{suffix}"
        self.files[token] = data
        return token, sha256_of(data)


def take_capture(browser: Browser, spec: JobSpec, *, backed_off: bool, now: Callable[[], str]) -> dict[str, Any]:
    """Run one job in ``browser``; the result as JSON-able dict (no database, no disk)."""
    recorder, evidence = _Recorder(), _EvidenceBytes()
    capture_job(browser, recorder, spec.job, spec.run_id, evidence, region=spec.region, language=spec.language,
                retries=spec.retries, backed_off=backed_off, now=now)
    files = {t: base64.b64encode(b).decode("ascii") for t, b in evidence.files.items()}
    return {"key": spec.key, "record": recorder.record, "page": recorder.page, "files": files}


def store_result(store: Any, evidence: EvidenceFolder, result: Mapping[str, Any]) -> str:
    """Write a worker's evidence files, check them, and store the capture; returns its status."""
    record, page = dict(result["record"]), result.get("page")
    paths: dict[str, tuple[str, str]] = {}
    for token, b64 in (result.get("files") or {}).items():
        name, suffix = Path(token).stem, Path(token).suffix
        paths[token] = evidence.write(name, suffix, base64.b64decode(b64))

    def real(token: str | None, sha: str | None, what: str) -> str | None:
        if token is None:
            return None
        path, actual = paths[token]
        if actual != sha:
            raise EvidenceMismatch(f"{what} of {result['key']}: sha256 {actual} but the worker sent {sha}")
        return path

    record["html_path"] = real(record.get("html_path"), record.get("html_sha256"), "html")
    record["screenshot_path"] = real(record.get("screenshot_path"), record.get("screenshot_sha256"), "screenshot")
    if page:
        page = dict(page)
        page["results"] = [dict(r) for r in page.get("results") or []]
        for r in page["results"]:
            r["evidence_path"] = real(r.get("evidence_path"), r.get("evidence_sha256"), "crop")
    store.record_capture(record, page)
    return str(record.get("status") or "unknown")
