"""Loading the shared goldens (transparent PNGs rendered by the original renderer)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from tests.parity.reference import shared_reference_dir
from tests.requirements_check import missing


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
    return GoldenSet(name, scenario, manifest["width"], manifest["height"],
                     float(manifest.get("fps", 30)), manifest["frames"], folder)
