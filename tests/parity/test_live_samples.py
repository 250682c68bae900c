"""Live parity of the plugin-free samples: each is rendered by the original renderer (Chromium)
and by ECG Render, every 5th frame up to the last cue end, scored with the project's metric
(parity/metric.py). Both sides play sequentially from t = 0 at 30 fps, as the goldens were made;
frames where a plugin is in effect are skipped (parity/run.py), and none of these samples
registers an official plugin. Each sample runs on both host pages (motiontext/host_styles.py):
the page CSS in Chromium, the inherited values natively."""

from __future__ import annotations

import json

import pytest

from engine.host_page import HostPage
from motiontext.host_styles import HOST_STYLES
from motiontext.parse import load_scenario
from parity.run import default_size, frame_indices, last_cue_end, run_scenario
from tests.parity.goldens import PLUGIN_FREE_SAMPLES
from tests.parity.reference import ReferenceRenderer, shared_reference_dir

pytestmark = pytest.mark.browser

EVERY = 5
FPS = 30
SAMPLES = PLUGIN_FREE_SAMPLES


@pytest.mark.parametrize("host_style", list(HOST_STYLES))
@pytest.mark.parametrize("name", SAMPLES)
def test_live_sample_parity(reference: ReferenceRenderer, name: str, host_style: str) -> None:
    ref_dir = shared_reference_dir()
    assert ref_dir is not None
    doc = json.loads((ref_dir / "samples" / f"{name}.json").read_text(encoding="utf-8"))
    scenario = load_scenario(doc)
    width, height = default_size(scenario)
    frames = frame_indices(last_cue_end(scenario), FPS, EVERY)

    page = HostPage(host_style)
    results = run_scenario(name, doc, scenario, reference, width, height, FPS, frames, page=page)

    compared = [r for r in results if r.score is not None]
    failures = [
        f"frame {r.frame_index} (t={r.t_seconds:.3f}): IoU {r.score.iou:.3f}, MAE {r.score.mae:.2f}"
        for r in compared
        if not r.score.passed
    ]
    print(
        f"{name} [{host_style}]: {len(compared)}/{len(results)} frames compared, "
        f"min IoU {min(r.score.iou for r in compared):.3f}, "
        f"max MAE {max(r.score.mae for r in compared):.2f}"
    )
    assert compared, f"{name}: no frame was compared"
    assert not failures, (
        f"{name}: {len(failures)} frames outside the bound "
        f"(ecg-render parity {name}.json --host-style {host_style} --report):\n"
        + "\n".join(failures)
    )
