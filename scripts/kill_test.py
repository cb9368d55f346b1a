"""SIGKILL `serpaudit run` at random points of a sandbox night, again and again, on one database.

    .venv/bin/python scripts/kill_test.py --kills 12            # make soak
    .venv/bin/python scripts/kill_test.py --kills 2 --brands 2 --engines google,bing --json

First an uninterrupted reference night runs on its own database. Then, on a second database,
`serpaudit run` is started and SIGKILLed after a random delay, ``--kills`` times; each next run
must resume the killed one (same run id). A last run finishes the night. Checked at the end:
every search job was captured exactly once (one run, one capture per job), `PRAGMA
integrity_check` is ok, and the findings equal the reference night's. Prints kills, resumed
and lost (jobs without a capture); exits 1 when a check fails.

Each `serpaudit run` starts in its own session; before a kill the script collects the process
groups of everything that run started (Playwright starts Chromium in a group of its own) and
kills those groups, so no Chromium is left behind. Nothing is ever killed by name.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from audits.brands import dump_brands_csv  # noqa: E402
from audits.store import Store  # noqa: E402
from sandbox import DEFAULT_WORLD_PATH, load_world, world_brands  # noqa: E402
from serpaudit.ops.procs import descendants  # noqa: E402

SERPAUDIT = str(Path(sys.executable).with_name("serpaudit"))


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def kill_tree(proc: subprocess.Popen[bytes]) -> int:
    """SIGKILL the run and every process group it started (found by ancestry, before the kill).

    Returns how many of those processes are still alive a moment later (leaked).
    """
    tree = descendants(proc.pid)
    groups = {os.getpgid(proc.pid)}
    for p in tree:
        try:
            groups.add(os.getpgid(p))
        except ProcessLookupError:
            pass
    groups.discard(os.getpgid(0))  # never our own group
    for g in groups:
        try:
            os.killpg(g, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_alive(p) for p in tree):
        time.sleep(0.1)
    return sum(1 for p in tree if _alive(p))


def prepare(folder: Path, brands: int, engines: str) -> dict[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    world = load_world(DEFAULT_WORLD_PATH)
    dump_brands_csv(world_brands(world)[:brands], folder / "brands.csv")
    (folder / "serpaudit.toml").write_text(
        f'sandbox_world = "{DEFAULT_WORLD_PATH}"\nengines = {json.dumps(engines.split(","))}\n'
        f'devices = {json.dumps(world.crawl["devices"])}\nregion = "{world.region}"\nlanguage = "{world.language}"\n'
        'retention_days = 0\nmin_free_disk_mb = 10\nbackoff_s = 0.5\nbackoff_max_s = 2.0\nseed = "kill-test"\n'
        # the sandbox web is ours: no politeness delay between searches (the kills land among captures)
        'min_delay_s = 0\njitter_s = 0\n',
        encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SERPAUDIT_")}
    env["SERPAUDIT_CONFIG"] = str(folder / "serpaudit.toml")
    for args in (["init"], ["brands", "import", "brands.csv"]):
        subprocess.run([SERPAUDIT, "-q", *args], cwd=folder, env=env, check=True, capture_output=True)
    # init loads the default Dutch brands into an empty database: keep only the world's
    store = Store(folder / "serpaudit-data" / "serpaudit.db")
    try:
        store.keep_brands(b.name for b in world_brands(world)[:brands])
    finally:
        store.close()
    return env


def start(folder: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([SERPAUDIT, "-q", "run"], cwd=folder, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def state(folder: Path) -> dict[str, Any]:
    store = Store(folder / "serpaudit-data" / "serpaudit.db")
    try:
        runs = [(r["id"], r["status"], r["summary"]) for r in store.runs("run")]
        serp = [(c["run_id"], c["engine"], c["query"], c["device"]) for c in store.captures(kind="serp")]
        findings = [(f["brand"], f["e164"], f["engine"], f["kind"], f["domain"], f["verdict"])
                    for run_id, _, _ in runs for f in store.findings(run_id=run_id)]
        integrity = store.integrity_check()
    finally:
        store.close()
    return {"runs": runs, "captures": serp, "findings": sorted(findings), "integrity": integrity}


def expected_jobs(folder: Path) -> int:
    store = Store(folder / "serpaudit-data" / "serpaudit.db")
    try:
        brands = store.brands()
    finally:
        store.close()
    cfg = (folder / "serpaudit.toml").read_text()
    engines = len(json.loads(cfg.split("engines = ")[1].splitlines()[0]))
    devices = len(json.loads(cfg.split("devices = ")[1].splitlines()[0]))
    queries = sum(1 + len(b.queries) for b in brands)
    return queries * engines * devices


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kills", type=int, default=12)
    ap.add_argument("--brands", type=int, default=9, help="brands of the default world to use")
    ap.add_argument("--engines", default="google,bing,duckduckgo")
    ap.add_argument("--seed", type=int, default=None, help="seed of the kill delays (default: random, printed)")
    ap.add_argument("--out", type=Path, default=None, help="work folder (default: a temporary one)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    out = args.out or Path(tempfile.mkdtemp(prefix="serpaudit-kill-"))

    ref_dir, loop_dir = out / "reference", out / "killed"
    ref_env, env = prepare(ref_dir, args.brands, args.engines), prepare(loop_dir, args.brands, args.engines)
    t0 = time.monotonic()
    ref_code = start(ref_dir, ref_env).wait()
    night_s = time.monotonic() - t0
    reference = state(ref_dir)

    kills = resumed = leaked = 0
    run_ids: list[str] = []
    finished_early = False
    for _ in range(args.kills):
        proc = start(loop_dir, env)
        # a random point of what is left of the night, past the start-up
        deadline = time.monotonic() + rng.uniform(0.15, 0.9) * night_s / max(2, args.kills // 3)
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        if proc.poll() is not None:
            finished_early = True
            break
        leaked += kill_tree(proc)
        kills += 1
        runs = state(loop_dir)["runs"]
        if runs:
            if run_ids and runs[-1][0] == run_ids[-1]:
                resumed += 1
            run_ids.append(runs[-1][0])
            if runs[-1][1] != "running":
                finished_early = True  # killed after the run was marked finished (while writing reports)
                break
    final_code = start(loop_dir, env).wait() if not finished_early else None
    if final_code is not None:
        runs = state(loop_dir)["runs"]
        if run_ids and runs and runs[-1][0] == run_ids[-1]:
            resumed += 1
    end = state(loop_dir)
    want = expected_jobs(loop_dir)
    keys = [(e, q, d) for _, e, q, d in end["captures"]]
    lost = want - len(set(keys))
    result: dict[str, Any] = {
        "kills": kills, "resumed": resumed, "lost": lost, "leaked_processes": leaked, "jobs": want,
        "captures": len(keys), "runs": len(end["runs"]), "integrity": end["integrity"],
        "findings_equal": end["findings"] == reference["findings"], "findings": len(reference["findings"]),
        "reference_exit": ref_code, "final_exit": final_code, "night_s": round(night_s, 1), "seed": seed,
        "out": str(out),
    }
    ok = (lost == 0 and leaked == 0 and len(keys) == want and len(end["runs"]) == 1 and end["integrity"] == "ok"
          and result["findings_equal"] and (final_code in (None, ref_code)))
    result["ok"] = bool(ok)
    if args.json:
        print(json.dumps(result))
    else:
        print(f"kills {kills}  resumed {resumed}  lost {lost}  leaked processes {leaked}")
        print(f"(jobs {want}, captures {len(keys)}, runs {len(end['runs'])}, integrity {end['integrity']}, "
              f"findings equal: {result['findings_equal']}, seed {seed}, night {night_s:.0f} s)")
        print("kill test OK" if ok else f"kill test FAILED; see {out}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
