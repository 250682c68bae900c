"""The benchmark's code paths on a tiny workload (speed is not asserted: CI machines vary)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import report
from benchmarks.run import main
from benchmarks.workload import CUE_SHOWN_SECONDS, dense_scenario
from tests.requirements_check import require_chromium, require_fonts, require_reference_harness

VIDEO_VARIANTS = ("transcode", "pipeline_empty", "render")
BROWSER_VARIANTS = ("browser", "overlay_chromium")
VARIANT_FIELDS = {
    "ok",
    "fps",
    "frames",
    "elapsed_seconds",
    "wall_seconds",
    "peak_rss_mb",
    "cpu_seconds",
}


def _run(tmp_path: Path, *extra: str, seconds: tuple[str, str] = ("2", "1")) -> dict:
    out = tmp_path / "out"
    argv = [
        "--duration",
        seconds[0],
        "--flatness-seconds",
        seconds[1],
        "--size",
        "320x180",
        "--out-dir",
        str(out),
        "--clip-cache",
        str(tmp_path / "clips"),
        *extra,
    ]
    assert main(argv) == 0
    results = json.loads((out / "results.json").read_text())
    assert (out / "chart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    md = (out / "RESULTS.md").read_text()
    assert report.BEGIN_MARK in md and "(b) ecg-render render" in md
    return results


def _check_common(results: dict, variants: tuple[str, ...], seconds: list[float]) -> None:
    assert results["command"].startswith("python -m benchmarks.run")
    assert {"cpu_model", "cpu_count", "memory_gb", "pyav", "ffmpeg"} <= set(results["machine"])
    assert [w["seconds"] for w in results["workloads"]] == seconds
    for workload in results["workloads"]:
        assert workload["frames"] == round(workload["seconds"] * 30)
        assert workload["cues"] == int(workload["seconds"])
        for key in variants:
            variant = workload["variants"][key]
            assert VARIANT_FIELDS <= set(variant), key
            assert variant["ok"] and variant["frames"] == workload["frames"], (key, variant)
            assert variant["fps"] > 0 and variant["peak_rss_mb"] > 10
        assert set(workload["ratios"]) == {
            "b_over_a",
            "b_over_a0",
            "b_over_c",
            "d",
            "peak_rss_mb",
            "b_over_a_cpu",
            "b_over_c_cpu",
            "d_cpu",
        }
    assert set(results["targets"]) == set(report.TARGETS)
    assert (results["targets"]["rss_growth"]["value"] is not None) == (len(seconds) > 1)


def test_bench_without_browser(tmp_path: Path) -> None:
    results = _run(tmp_path, "--skip-browser")
    _check_common(results, (*VIDEO_VARIANTS, "overlay"), [2.0, 1.0])
    assert results["workloads"][0]["ratios"]["b_over_a"] is not None
    assert results["targets"]["b_over_c"]["met"] is None  # no browser run: no verdict


@pytest.mark.browser
@pytest.mark.slow
def test_bench_with_browser(tmp_path: Path) -> None:
    require_chromium()
    require_fonts()
    require_reference_harness()
    results = _run(tmp_path, seconds=("1", "1"))  # one workload: Chromium starts are slow
    _check_common(results, (*VIDEO_VARIANTS, "overlay", *BROWSER_VARIANTS), [1.0])
    for workload in results["workloads"]:
        ratios = workload["ratios"]
        assert ratios["b_over_c"] is not None and ratios["d"] is not None


def test_render_only_redoes_the_report(tmp_path: Path) -> None:
    results = _run(tmp_path, "--skip-browser", seconds=("1", "1"))
    out = tmp_path / "out"
    (out / "RESULTS.md").write_text(f"hand-written\n\n{report.BEGIN_MARK}\nx\n{report.END_MARK}\n")
    (out / "chart.png").unlink()
    assert main(["--render-only", "--out-dir", str(out)]) == 0
    assert json.loads((out / "results.json").read_text())["workloads"] == results["workloads"]
    md = (out / "RESULTS.md").read_text()
    assert md.startswith("hand-written") and "(b) ecg-render render" in md
    assert (out / "chart.png").exists()


def test_dense_scenario_shape() -> None:
    scenario = dense_scenario(5)
    assert scenario["version"] == "2.0" and "caption" in scenario["define"]
    assert "pluginChain" not in json.dumps(scenario)
    starts = [c["root"]["displayTime"][0] for c in scenario["cues"]]
    assert starts == [0.0, 1.0, 2.0, 3.0, 4.0]
    text = " ".join(w["text"] for c in scenario["cues"] for w in c["root"]["children"])
    assert any("\uac00" <= ch <= "\ud7a3" for ch in text) and any(ch.isascii() for ch in text)
    for cue in scenario["cues"]:
        start, end = cue["root"]["displayTime"]
        assert end == pytest.approx(start + CUE_SHOWN_SECONDS)
        for word in cue["root"]["children"]:
            b0, b1 = word["baseTime"]
            assert start <= b0 < b1 <= end


def test_report_splice_keeps_hand_written_text() -> None:
    doc = f"# Results\n\nnotes before\n\n{report.BEGIN_MARK}\nold\n{report.END_MARK}\n\nafter\n"
    spliced = report.splice(doc, "new\n")
    assert "notes before" in spliced and "after" in spliced
    assert "new" in spliced and "old" not in spliced
    assert report.splice("", "x\n").startswith(report.BEGIN_MARK)


def test_gpu_check_dry_run_on_numpy(tmp_path: Path) -> None:
    """benchmarks/gpu_check.py's CuPy code paths, with numpy behind a CuPy-like shim."""
    from benchmarks import gpu_check

    out = tmp_path / "gpu.json"
    argv = ["--fake-gpu", "--sections", "composite,dlpack", "--rounds", "2", "--json", str(out)]
    assert gpu_check.main(argv) == 0
    sections = json.loads(out.read_text())["sections"]
    for case in sections["composite"]["cases"].values():
        assert case["bit_exact"] and case["passed"]
        assert case["numpy_ms_per_frame"] > 0 and case["gpu_ms_per_frame"] > 0
    assert sections["dlpack"]["ok"] is True
