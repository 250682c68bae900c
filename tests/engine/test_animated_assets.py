"""The procedural flame animation standing in for flames@2.0.0's GIF."""

from __future__ import annotations

import numpy as np
import skia

from engine.animated_assets import FLAME_FRAMES, FLAME_H, FLAME_W, draw_asset_frame, flame_frame


def test_frames_loop_and_are_cached() -> None:
    first = flame_frame(0)
    assert (first.width(), first.height()) == (FLAME_W, FLAME_H)
    assert flame_frame(FLAME_FRAMES) is first
    assert not np.array_equal(first.toarray(), flame_frame(1).toarray())


def test_frames_are_deterministic() -> None:
    from engine.animated_assets import _render_flame

    assert np.array_equal(_render_flame(7).toarray(), flame_frame(7).toarray())


def test_a_wall_of_fire_with_gaps_at_the_top() -> None:
    alpha = flame_frame(30).toarray()[..., 3]
    assert alpha[-20:].min() == 255  # the bed is opaque
    assert (alpha[:20] == 0).mean() > 0.3  # the tongues leave gaps


def _draw(rect, opacity=1.0) -> np.ndarray:
    pixels = np.zeros((100, 200, 4), dtype=np.uint8)
    surface = skia.Surface(pixels)
    draw_asset_frame(surface.getCanvas(), "flame", 3, rect, opacity)
    surface.flushAndSubmit()
    return pixels


def test_object_fit_cover_stays_inside_the_rect() -> None:
    pixels = _draw((20.0, 10.0, 150.0, 60.0))
    ys, xs = np.nonzero(pixels[..., 3])
    assert (xs.min(), xs.max(), ys.min(), ys.max()) == (20, 169, 10, 69)
    assert pixels[60:70, 20:170, 3].min() > 0  # scaled by 150/480: the crop shows the bed


def test_opacity_and_unknown_assets() -> None:
    full = _draw((0.0, 0.0, 200.0, 100.0))[..., 3].astype(int)
    half = _draw((0.0, 0.0, 200.0, 100.0), 0.5)[..., 3].astype(int)
    assert abs(half.sum() / full.sum() - 0.5) < 0.01
    pixels = np.zeros((10, 10, 4), dtype=np.uint8)
    draw_asset_frame(skia.Surface(pixels).getCanvas(), "nope", 0, (0, 0, 10, 10), 1.0)
    assert not pixels.any()
