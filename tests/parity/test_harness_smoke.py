"""The live reference harness reproduces the shared goldens (plugin-free samples only)."""

from __future__ import annotations

import json
import os

import numpy as np
import psutil
import pytest
from PIL import Image

from tests.parity.reference import ReferenceRenderer, shared_reference_dir

pytestmark = pytest.mark.browser

# Times with and without captions; sequential playback from 0 as the goldens were made.
CASES = {
    "basic": [0.0, 2.0, 6.5, 10.0, 14.0],
    "cwi_demo_full": [4.5, 5.0, 12.5, 13.0, 20.0],
}
# Measured 0 with Chromium 156 (the goldens' version); a little slack for a patched build.
MAX_PREMULTIPLIED_DIFF = 2


def _premultiplied(rgba: np.ndarray) -> np.ndarray:
    # Colour under alpha 0 is meaningless, so compare what would be composited.
    rgba = rgba.astype(np.int32)
    return np.concatenate([rgba[..., :3] * rgba[..., 3:] // 255, rgba[..., 3:]], axis=-1)


@pytest.mark.parametrize("name", sorted(CASES))
def test_reproduces_goldens(reference: ReferenceRenderer, name: str) -> None:
    ref_dir = shared_reference_dir()
    assert ref_dir is not None
    scenario = json.loads((ref_dir / "samples" / f"{name}.json").read_text(encoding="utf-8"))
    manifest = json.loads((ref_dir / "goldens" / name / "manifest.json").read_text())
    pngs = {f["t"]: f["png"] for f in manifest["frames"]}
    times = CASES[name]

    frames = reference.render(scenario, times, manifest["width"], manifest["height"], fps=30)

    for t, got in zip(times, frames, strict=True):
        golden = np.asarray(Image.open(ref_dir / "goldens" / name / pngs[t]).convert("RGBA"))
        assert got.shape == golden.shape and got.dtype == np.uint8
        diff = int(np.abs(_premultiplied(got) - _premultiplied(golden)).max())
        assert diff <= MAX_PREMULTIPLIED_DIFF, (
            f"{name} t={t}: max abs diff {diff} against the golden "
            f"(goldens: Chromium {manifest['reference']['chromium']})"
        )
    assert reference.page_errors == []


def test_boxes_report_layout(reference: ReferenceRenderer) -> None:
    ref_dir = shared_reference_dir()
    assert ref_dir is not None
    scenario = json.loads((ref_dir / "samples" / "basic.json").read_text(encoding="utf-8"))

    boxes = reference.boxes(scenario, 2.5, 1920, 1080)

    text = [b for b in boxes if b["nodeId"] == "text1" and b["role"] == "node"]
    assert len(text) == 1 and text[0]["rect"]["width"] > 0
    assert any(b["role"] == "base-wrapper" for b in boxes)
    assert {"className", "fontSize", "lineHeight", "fontFamily"} <= text[0].keys()


def test_chromium_and_its_helpers_run_on_one_cpu(reference: ReferenceRenderer) -> None:
    """parity.reference_browser pins the browser tree (see _children_on_one_cpu); the test
    process keeps its own CPUs."""
    browser = reference._browser
    assert browser is not None and browser.pid is not None
    own = os.sched_getaffinity(0)
    chromium = psutil.Process(browser.pid)
    tree = [chromium, *chromium.children(recursive=True)]
    assert len(tree) > 1  # the browser and at least the page's renderer
    assert {frozenset(p.cpu_affinity()) for p in tree} == {frozenset({max(own)})}
    assert len(own) == len(os.sched_getaffinity(psutil.Process().ppid()))
