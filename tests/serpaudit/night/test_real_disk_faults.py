"""Real disk faults under a night (issue 20, item 8), not injected ones: the evidence folder is a small tmpfs that
fills up mid-night, or one remounted read-only. The night stops with a clear error and stays resumable; once the
folder takes files again, running again completes the same run with nothing captured twice.

Needs root's `mount` (we run as root in CI and on the audit machine); where mounting is refused the tests skip
saying so. `chmod 0555` would not do: root writes through it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from serpaudit.crawl.evidence import EvidenceWriteError
from tests.support.sandbox_runs import default_world_text, run_world, skip_without_chromium

pytestmark = [pytest.mark.system, pytest.mark.browser]
BRANDS = ["Telnova", "Bankiva"]
ENGINES = ("google", "bing")


def _mount(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["mount", *args], capture_output=True, text=True, timeout=30, check=False)


@pytest.fixture()
def evidence_tmpfs(tmp_path):
    """tmp_path/ev, the folder run_world keeps evidence in, as a 2 MB tmpfs (unmounted afterwards)."""
    skip_without_chromium()
    folder = tmp_path / "ev"
    folder.mkdir()
    mounted = _mount("-t", "tmpfs", "-o", "size=2m,mode=0755", "tmpfs", str(folder))
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {(mounted.stderr or mounted.stdout).strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, timeout=30, check=False)


def _fill(folder: Path, leave_kb: int) -> Path:
    """A ballast file that leaves about ``leave_kb`` free on the tmpfs (the night fills the rest)."""
    import os

    st = os.statvfs(folder)
    free = st.f_bavail * st.f_frsize
    ballast = folder / "ballast.bin"
    ballast.write_bytes(b"\0" * max(0, free - leave_kb * 1024))
    return ballast


def _completed_once(outcome, store) -> None:
    runs = store.runs()
    assert len(runs) == 1 and runs[0]["id"] == outcome.run_id and runs[0]["status"] in ("complete", "incomplete")
    assert runs[0]["summary"].get("resumed") == 1
    serps = [c for c in store.captures(outcome.run_id) if c["kind"] == "serp"]
    # every search job once, all audited: nothing captured twice, nothing lost
    assert len(serps) == len(BRANDS) * len(ENGINES) and all(c["status"] == "ok" for c in serps)
    assert len({(c["brand"], c["engine"], c["query"], c["device"]) for c in serps}) == len(serps)
    assert "+319001234567" in {f["e164"] for f in outcome.scams}


def test_a_tmpfs_filling_up_mid_night_leaves_the_run_to_resume_and_freeing_space_completes_it(tmp_path,
                                                                                              evidence_tmpfs):
    ballast = _fill(evidence_tmpfs, leave_kb=48)  # the contact pages fit, the result pages do not
    with pytest.raises(EvidenceWriteError, match="No space left on device"):
        run_world(tmp_path, default_world_text(), BRANDS, engines=ENGINES)
    assert not list(evidence_tmpfs.rglob("*.part"))  # nothing half-written is kept
    ballast.unlink()  # space is back
    outcome, store, _ = run_world(tmp_path, default_world_text(), BRANDS, engines=ENGINES)
    _completed_once(outcome, store)


def test_a_read_only_evidence_folder_stops_the_night_clearly_and_it_resumes_once_writable(tmp_path,
                                                                                          evidence_tmpfs):
    remounted = _mount("-o", "remount,ro", str(evidence_tmpfs))
    if remounted.returncode != 0:
        pytest.skip(f"cannot remount the tmpfs read-only: {(remounted.stderr or remounted.stdout).strip()}")
    with pytest.raises(EvidenceWriteError, match="Read-only file system"):
        run_world(tmp_path, default_world_text(), BRANDS, engines=ENGINES)
    assert _mount("-o", "remount,rw", str(evidence_tmpfs)).returncode == 0
    outcome, store, _ = run_world(tmp_path, default_world_text(), BRANDS, engines=ENGINES)
    _completed_once(outcome, store)
