"""Scenarios with numbers at the edge of the double range render as 1.5.0 in Chromium would.

1.5.0 validates no style, layout or plugin value, so ``fontSizeRel: 1e308`` is a valid scenario.
In the browser ``${Math.round(H * 1e308)}px`` is "Infinitypx", a declaration Chromium drops;
finite extremes are clamped (font sizes to 10000 px, lengths to the CSS length range); plugin
arithmetic overflows to NaN, which invalidates the transform it lands in. Each case below
crashed the renderer once (found by benchmarks/fuzz_long.py --render and a sweep of every
numeric field of the reference scenarios).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from engine.overlay import ScenarioOverlay
from motiontext.css import CSS_LENGTH_MAX, MAX_FONT_PX
from motiontext.layout.boxes import Box
from motiontext.parse import load_scenario
from tests.server.conftest import SCENARIO

TIMES = (0.3, 0.6, 1.0, 2.0)


def _render(doc: dict[str, Any], size: tuple[int, int] = (64, 36)) -> dict[str, Box]:
    """Boxes by node id after rendering every time in TIMES."""
    overlay = ScenarioOverlay(load_scenario(doc), *size)
    for t in TIMES:
        overlay.overlay_at(round(t * 30), t)
    return {box.el.node_id: box for box in overlay.timeline.engine.boxes.values()}


def _scenario(edit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    doc = copy.deepcopy(SCENARIO)
    edit(doc)
    return doc


def _style(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["tracks"][0]["defaultStyle"]


def _box_style(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["define"]["caption"]["boxStyle"]


def _word(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["cues"][0]["root"]["children"][0]


def _plugin(name: str, **params: Any) -> Callable[[dict[str, Any]], None]:
    def edit(doc: dict[str, Any]) -> None:
        _word(doc)["pluginChain"] = [{"name": name, "params": params}]

    return edit


def _font_px(value: float) -> float:
    doc = _scenario(lambda d: _style(d).update(fontSizeRel=value))
    return _render(doc)["w-0"].cs.font_px


def test_an_overflowing_font_size_is_dropped() -> None:
    """H * 1e308 is Infinity: "Infinitypx" is invalid, the host page's 16 px is inherited."""
    assert _font_px(1e308) == 16.0


def test_a_negative_overflow_is_1px() -> None:
    """``Math.max(1, Math.round(H * -1e308))`` is 1."""
    assert _font_px(-1e308) == 1.0


def test_finite_font_sizes_are_capped_at_10000_px() -> None:
    assert _font_px(1e300) == MAX_FONT_PX
    assert _font_px(0.5) == 18.0  # at 36 px high: not capped


def test_huge_lengths_are_clamped_to_the_css_length_range() -> None:
    boxes = _render(_scenario(lambda d: _box_style(d).update(padding="1e308px 1e400px")))
    assert boxes["group-1"].pad == (CSS_LENGTH_MAX,) * 4


CASES: dict[str, Callable[[dict[str, Any]], None]] = {
    "position": lambda d: d["define"]["caption"].update(position={"x": 1e308, "y": -1e308}),
    "position-1e400": lambda d: d["define"]["caption"].update(position={"x": 10**400, "y": 0}),
    "font-size-1e300": lambda d: _style(d).update(fontSizeRel=1e300),
    "font-size-string": lambda d: _style(d).update(fontSize="1e308px"),
    "line-height": lambda d: _style(d).update(lineHeight=1e308),
    "line-height-px": lambda d: _style(d).update(lineHeight="-1e308px"),
    "line-height-1e400": lambda d: _style(d).update(lineHeight=10**400),
    "stroke": lambda d: _style(d).update(stroke={"widthRel": 1e308, "color": "#000"}),
    "text-shadow": lambda d: _style(d).update(textShadow="2px 1e308px 1e400px #000"),
    "padding": lambda d: _box_style(d).update(padding="1e400px"),
    "border": lambda d: _box_style(d).update(
        border={"widthRel": 1e308, "radiusRel": -1e308}, borderRadius=1e308
    ),
    "opacity": lambda d: _box_style(d).update(opacity=10**400),
    "constraints": lambda d: d["tracks"][0].update(
        defaultConstraints={
            "mode": "flow",
            "gap": 1e308,
            "padding": {"x": 1e308, "y": -1e308},
            "maxWidth": 1e308,
            "safeArea": {"left": 10**400, "right": -(10**400)},
        }
    ),
    "children-gap": lambda d: d["cues"][0]["root"]["layout"].update(
        childrenLayout={"mode": "flow", "gap": 1e308, "maxWidthRel": 1e308, "wrap": True}
    ),
    "transform": lambda d: _word(d).update(
        layout={
            "position": {"x": 0.5, "y": 0.5},
            "size": {"width": 1e308, "height": 1e300},
            "transform": {
                "scale": {"x": 1e308, "y": -1e308},
                "rotate": {"deg": 10**400},
                "translate": {"x": 1e308, "y": 1e308},
            },
        }
    ),
    "spin": _plugin("spin", fullTurns=1e308),
    "bobY": _plugin("bobY", cycles=1e308, amplitudePx=1e308),
    "pulse": _plugin("pulse", cycles=1e308),
    "cwi-loud": _plugin("cwi-loud", tremble={"freq": 1e308}),
    "cwi-whisper": _plugin("cwi-whisper", flutter={"freq": 1e308}),
    "fadein": _plugin("fadein", staggerDelay=1e308),
    "glitch": _plugin("glitch", glitchIntensity=-1e308),
    "typewriter": _plugin("typewriter", typingSpeed=5e-324),
    "magnetic": _plugin("magnetic", elasticity=1e308),
    "glow": _plugin("glow", intensity=1e308),
    "time-offset": lambda d: _word(d).update(
        pluginChain=[{"name": "spin", "timeOffset": [0, 10**400]}]
    ),
}


@pytest.mark.parametrize("edit", CASES.values(), ids=CASES.keys())
def test_extreme_numbers_render(edit: Callable[[dict[str, Any]], None]) -> None:
    _render(_scenario(edit))


def test_lone_surrogates_draw_as_replacement_characters() -> None:
    """JSON allows "\\ud800"; Blink draws an unpaired surrogate as U+FFFD, Skia refuses it."""
    from engine.overlay import shared_shaper
    from motiontext.display_list import FontSpec

    shaper = shared_shaper()
    font = FontSpec(("Arial\ud800", "sans-serif"), 40.0, 400)
    assert shaper.advance("a\ud800b", font) == shaper.advance("a\ufffdb", font) > 0
    assert shaper.vertical_metrics("\udc00", font) == shaper.vertical_metrics("\ufffd", font)
