"""scripts/bench_pss.py: the crawl's processes told apart from their command lines, and summed by kind."""

from __future__ import annotations

from scripts import bench_pss

FLAGS = b" --disable-features=A,B --field-trial-handle=3,i,1"


def test_chromium_processes_are_told_apart_whatever_separates_their_arguments():
    chromium = b"/usr/lib/chromium/chromium"
    assert bench_pss.kind_of(chromium + b" --type=renderer" + FLAGS) == "renderer"
    assert bench_pss.kind_of(chromium + b"\0--type=gpu-process\0--use-angle=swiftshader-webgl") == "gpu-process"
    assert bench_pss.kind_of(chromium + b" --type=utility --utility-sub-type=network.mojom.NetworkService"
                             + FLAGS) == "utility network"
    assert bench_pss.kind_of(chromium + b" --type=zygote --no-zygote-sandbox") == "zygote (unsandboxed)"
    assert bench_pss.kind_of(chromium + b" --type=zygote") == "zygote"
    assert bench_pss.kind_of(chromium + b"\0--headless\0--remote-debugging-pipe\0--no-first-run") == "chromium browser"
    assert bench_pss.kind_of(b"/opt/venv/lib/playwright/driver/node\0cli.js\0run-driver") == "playwright driver"
    assert bench_pss.kind_of(b"/work/.venv/bin/python\0scripts/bench_pss.py") == "python"
    assert bench_pss.kind_of(b"") == "?"


def test_the_table_sums_each_kind_and_the_whole_tree_in_mb():
    at_peak = [("renderer", {"Pss": 40 * 1024, "Pss_Anon": 30 * 1024, "Pss_File": 6 * 1024, "Pss_Shmem": 4 * 1024}),
               ("renderer", {"Pss": 20 * 1024, "Pss_Anon": 20 * 1024}),
               ("python", {"Pss": 100 * 1024, "Pss_Anon": 90 * 1024, "Pss_File": 10 * 1024})]
    lines = bench_pss.table(at_peak)
    assert lines[1].split() == ["python", "1", "100.0", "90.0", "10.0"]  # the largest first
    assert lines[2].split() == ["renderer", "2", "60.0", "50.0", "10.0"]
    assert lines[3].split() == ["all", "3", "160.0", "140.0", "20.0"]
    assert lines[4] == "renderers, MB each: 40 20"
