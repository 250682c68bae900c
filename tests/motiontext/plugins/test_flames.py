"""flames@2.0.0 against plugins spec 4.8, and the flames golden outside the flame boxes."""

from __future__ import annotations

import pytest

from motiontext.plugin_host import PluginContext
from motiontext.plugins.flames import PLUGIN, flame_opacity, gif_frame

from .gsap_ctx import node, run


@pytest.mark.parametrize("p, opacity", [(0, 0.8), (0.25, 0.9), (0.5, 1.0), (0.75, 0.75), (1, 0.5)])
def test_opacity_flicker(p: float, opacity: float) -> None:
    assert flame_opacity({}, p) == pytest.approx(opacity)
    (deco,) = run(PLUGIN, "Hello", p).decorations
    assert deco.kind == "flames" and deco.opacity == pytest.approx(opacity)


def test_opacity_clamps() -> None:
    assert flame_opacity({"baseOpacity": 0.9, "flicker": 0.5}, 0.5) == 1.0
    assert flame_opacity({"baseOpacity": 0.1, "flicker": 0.5}, 1.0) == 0.0


def test_gif_clock_starts_at_first_activation() -> None:
    assert [gif_frame(t, 2.0) for t in (2.0, 2.09, 2.1, 2.3, 12.4)] == [0, 0, 1, 3, 0]
    ctx = PluginContext(3.05, node("Hello"), (2.0, 4.0), 30.0, init_time=2.0)
    effects = run(PLUGIN, "Hello", 0.0)
    PLUGIN.apply(effects, {}, 0.5, ctx)
    assert effects.decorations[-1].frame_index == 10


# -- golden, masked ---------------------------------------------------------------------------
def _flame_boxes(display_list) -> list[tuple[int, int, int, int]]:
    from motiontext.display_list import ImagePaint

    boxes = []
    for item in display_list.items:
        if isinstance(item, ImagePaint):
            x, y, w, h = item.rect
            pts = [
                item.matrix.apply(px, py)
                for px, py in ((x, y), (x + w, y), (x, y + h), (x + w, y + h))
            ]
            xs, ys = [p[0] for p in pts], [p[1] for p in pts]
            boxes.append((int(min(xs)) - 1, int(min(ys)) - 1, int(max(xs)) + 2, int(max(ys)) + 2))
    return boxes


def test_flames_golden_matches_outside_the_flame_boxes() -> None:
    """The GIF is replaced (see the parity EXCEPTIONS); everything around it must match."""
    from engine.overlay import ScenarioOverlay
    from motiontext.parse import load_scenario_file
    from parity.metric import compare
    from tests.parity.goldens import load_golden_set

    golden = load_golden_set("plugin_flames")
    overlay = ScenarioOverlay(
        load_scenario_file(golden.scenario_path), golden.width, golden.height, golden.fps
    )
    frame_index, masked = 0, 0
    for frame in golden.frames:
        while frame_index / golden.fps < frame["t"] - 1e-9:
            overlay.timeline.tick(frame_index / golden.fps)
            frame_index += 1
        overlay.overlay_at(frame_index, frame["t"])
        ours = overlay.straight_rgba()
        ref = golden.image(frame)
        for x0, y0, x1, y1 in _flame_boxes(overlay.timeline.frame(frame["t"])):
            ours[y0:y1, x0:x1] = ref[y0:y1, x0:x1] = 0
            masked += 1
        score = compare(ref, ours)
        assert score.passed, f"t={frame['t']}: IoU {score.iou:.3f}, MAE {score.mae:.2f}"
    assert masked > 0
