"""Loading the shared goldens (transparent PNGs rendered by the original renderer)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from tests.parity.reference import shared_reference_dir
from tests.requirements_check import missing

# The plugin-free samples of shared/reference/samples (issue 5): goldens and live checks.
PLUGIN_FREE_SAMPLES = (
    "animated",
    "basic",
    "basic_v20",
    "boxstyle_inheritance_demo",
    "cwi_demo_full",
    "m5_layout_features",
    "plugin",
    "with_assets_v20",
)


@dataclass(frozen=True)
class GoldenSet:
    name: str
    scenario_path: Path
    width: int
    height: int
    fps: float
    frames: list[dict]
    folder: Path

    def image(self, frame: dict) -> np.ndarray:
        return np.array(Image.open(self.folder / frame["png"]).convert("RGBA"))


def reference_dir() -> Path:
    ref = shared_reference_dir()
    if ref is None:
        missing("the shared reference data (../shared/reference) is not beside the repo")
    return ref


def load_golden_set(name: str) -> GoldenSet:
    ref = reference_dir()
    folder = ref / "goldens" / name
    manifest = json.loads((folder / "manifest.json").read_text())
    scenario = ref / "samples" / manifest["scenario"]
    if not scenario.exists():
        scenario = ref / "scenarios" / manifest["scenario"]
    return GoldenSet(
        name,
        scenario,
        manifest["width"],
        manifest["height"],
        float(manifest.get("fps", 30)),
        manifest["frames"],
        folder,
    )


def assert_golden_parity(name: str, exceptions: dict[tuple[str, float], str]) -> None:
    """Render every frame of golden set ``name`` sequentially and fail on any frame outside
    the project's bound, unless (name, t rounded to ms) is listed in ``exceptions``."""
    from engine.overlay import render_frames
    from motiontext.parse import load_scenario_file
    from parity.metric import compare

    golden = load_golden_set(name)
    scenario = load_scenario_file(golden.scenario_path)
    times = [f["t"] for f in golden.frames]
    ours = render_frames(scenario, times, golden.width, golden.height, golden.fps)
    failures, ious, maes = [], [], []
    for frame, image in zip(golden.frames, ours):
        score = compare(golden.image(frame), image)
        ious.append(score.iou)
        maes.append(score.mae)
        if not score.passed and (name, round(frame["t"], 3)) not in exceptions:
            failures.append(f"t={frame['t']}: IoU {score.iou:.3f}, MAE {score.mae:.2f}")
    print(f"{name}: {len(times)} frames, min IoU {min(ious):.3f}, max MAE {max(maes):.2f}")
    assert not failures, f"{name}: {len(failures)} frames outside the bound:\n" + "\n".join(
        failures
    )
