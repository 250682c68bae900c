"""The overlay's bbox scan limited to the drawn region (engine.drawn_bounds): the region holds
every pixel the rasterizer writes, and the bbox equals a full-frame scan."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.workload import dense_scenario
from engine.drawn_bounds import DrawnBounds, alpha_bbox
from engine.overlay import ScenarioOverlay, shared_shaper
from engine.rasterize import Rasterizer
from motiontext.css import Shadow
from motiontext.display_list import (
    BeginLayer,
    BoxPaint,
    DisplayList,
    EndLayer,
    FontSpec,
    GlowPaint,
    TextLine,
    TextPaint,
)
from motiontext.geometry import Matrix, rotate, scale, translate
from motiontext.parse import load_scenario

W, H = 640, 360
FONT = FontSpec(("Arial", "sans-serif"), 40.0, 700)
ZALGO = "Z" + "".join(chr(c) for c in range(0x300, 0x330)) + "a"


def full_scan_bbox(pixels: np.ndarray):
    """The previous implementation: every alpha byte of the frame."""
    alpha = pixels[..., 3]
    rows = np.flatnonzero(alpha.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(alpha[rows[0] : rows[-1] + 1].any(axis=0))
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def test_alpha_bbox_matches_a_full_scan() -> None:
    rng = np.random.default_rng(5)
    for _ in range(50):
        pixels = np.zeros((H, W, 4), np.uint8)
        for _ in range(rng.integers(0, 4)):
            y, x = rng.integers(0, H), rng.integers(0, W)
            pixels[y : y + rng.integers(1, 30), x : x + rng.integers(1, 30), 3] = rng.integers(
                1, 256
            )
        pixels[rng.integers(0, H), rng.integers(0, W), :3] = 200  # colour without alpha: ignored
        assert alpha_bbox(pixels) == full_scan_bbox(pixels)
        box = full_scan_bbox(pixels)
        if box is not None:
            assert alpha_bbox(pixels, (box[0], box[1], box[2], box[3])) == box
    assert alpha_bbox(np.zeros((H, W, 4), np.uint8), (10, 10, 10, 50)) is None


def text(matrix: Matrix, words: str, shadows=(), stroke: float = 0.0) -> TextPaint:
    line = TextLine(20.0, 60.0, words, 0.0)
    return TextPaint(
        matrix,
        FONT,
        (line,),
        (1.0, 1.0, 1.0, 0.9),
        stroke,
        (0.0, 0.0, 0.0, 1.0) if stroke else None,
        tuple(shadows),
    )


SHADOWS = (Shadow(0, 0, 2, (0, 0, 0, 1)), Shadow(6, 9, 16, (0, 0, 0, 1)))
CASES = {
    "box": [
        BoxPaint(
            translate(100.5, 40.25),
            (0, 0, 200, 80),
            6.0,
            (0, 0, 0, 0.8),
            (2, 2, 2, 2),
            (1, 0, 0, 1),
        )
    ],
    "text with shadows and stroke": [text(translate(30, 100), "Hello 안녕 world", SHADOWS, 3)],
    "scaled text": [text(translate(50, 50) @ scale(0.5, 2.5), "scaled", SHADOWS)],
    "stacked marks": [text(translate(200, 150), ZALGO)],
    "glow": [GlowPaint(translate(300, 100), (0, 0, 120, 40), (1, 0.8, 0, 0.9), 1.0)],
    "layers": [BeginLayer(opacity=0.5), text(translate(10, 10), "in a layer"), EndLayer()],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_region_holds_every_drawn_pixel(name: str) -> None:
    raster = Rasterizer(W, H, shared_shaper())
    dl = DisplayList(W, H, list(CASES[name]))
    pixels = raster.draw(dl)
    x0, y0, x1, y1 = DrawnBounds(shared_shaper(), W, H).region(dl.items)
    packed = pixels.view(np.uint32)[..., 0]
    assert np.count_nonzero(packed) > 0
    assert np.count_nonzero(packed[y0:y1, x0:x1]) == np.count_nonzero(packed), name
    assert alpha_bbox(pixels, (x0, y0, x1, y1)) == full_scan_bbox(pixels)
    assert (x1 - x0) * (y1 - y0) < W * H  # none of these needs the whole frame


def test_unmodelled_transforms_and_filters_use_the_frame() -> None:
    bounds = DrawnBounds(shared_shaper(), W, H)
    rotated = [text(translate(100, 100) @ rotate(20), "tilted")]
    filtered = [BeginLayer(filters=(("blur", 4.0),)), text(translate(10, 10), "x"), EndLayer()]
    assert bounds.region(rotated) == (0, 0, W, H)
    assert bounds.region(filtered) == (0, 0, W, H)
    assert bounds.region([BeginLayer(), EndLayer()]) == (0, 0, 0, 0)


def test_unbounded_items_use_the_frame() -> None:
    """Extreme inputs (a 1e308 translate) must not crash the bounds: the whole frame."""
    bounds = DrawnBounds(shared_shaper(), W, H)
    far = [text(translate(1e308, 10) @ scale(1e308, 1.0), "far")]
    assert bounds.region(far) == (0, 0, W, H)


def test_overlay_frames_match_full_redraws() -> None:
    """Clearing only the last region and scanning only the new one gives the pixels and bbox
    of a full clear and a full scan, frame after frame."""
    scenario = load_scenario(dense_scenario(3))
    overlay = ScenarioOverlay(scenario, 1280, 720, 30.0)
    fresh = Rasterizer(1280, 720, shared_shaper())
    version = 0
    for k in range(90):
        result = overlay.overlay_at(k, k / 30)
        if result.version == version:
            continue
        version = result.version
        dl = overlay.timeline.frame(k / 30)  # the same list again: nothing changed since
        expected = fresh.draw(dl)
        assert np.array_equal(result.rgba, expected), k
        assert result.bbox == full_scan_bbox(expected), k
