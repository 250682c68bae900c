"""Golden parity of the plugin-free samples (issue 2): every listed frame must pass the
project's metric (engine.parity). Frames known not to reach the bound are listed in
KNOWN_GAPS with their measured cause; the bound itself is never loosened."""

from __future__ import annotations

import pytest

from engine.overlay import render_frames
from engine.parity import compare
from motiontext.parse import load_scenario_file
from tests.parity.goldens import load_golden_set

CORE_SAMPLES = ["animated", "basic", "basic_v20", "boxstyle_inheritance_demo", "cwi_demo_full",
                "m5_layout_features", "plugin", "with_assets_v20"]

# (sample, t) -> reason. Each entry is written up in the README's parity table.
KNOWN_GAPS: dict[tuple[str, float], str] = {}


@pytest.mark.parametrize("name", CORE_SAMPLES)
def test_core_golden_parity(name: str) -> None:
    golden = load_golden_set(name)
    scenario = load_scenario_file(golden.scenario_path)
    times = [f["t"] for f in golden.frames]
    ours = render_frames(scenario, times, golden.width, golden.height, golden.fps)
    failures, ious, maes = [], [], []
    for frame, image in zip(golden.frames, ours):
        score = compare(golden.image(frame), image)
        ious.append(score.iou)
        maes.append(score.mae)
        if not score.passed and (name, frame["t"]) not in KNOWN_GAPS:
            failures.append(f"t={frame['t']}: IoU {score.iou:.3f}, MAE {score.mae:.2f}")
    print(f"{name}: {len(times)} frames, min IoU {min(ious):.3f}, max MAE {max(maes):.2f}")
    assert not failures, f"{name}: {len(failures)} frames outside the bound:\n" + "\n".join(
        failures)
