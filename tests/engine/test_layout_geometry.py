"""Geometry of the core layout against the figures the spec measured in Chromium
(motiontext-core.md section 12), with real fonts through the Skia shaper."""

from __future__ import annotations

import copy

import pytest

from engine.overlay import ScenarioOverlay
from motiontext.parse import load_scenario

CAPTION_TRACK = {
    "id": "caption",
    "type": "subtitle",
    "defaultStyle": {
        "fontSizeRel": 0.05,
        "fontFamily": "Arial, sans-serif",
        "color": "#ffffff",
        "align": "center",
    },
    "defaultBoxStyle": {
        "backgroundColor": "rgba(0,0,0,0.6)",
        "padding": "4px 8px",
        "borderRadius": "4px",
        "opacity": 1,
    },
    "defaultConstraints": {
        "safeArea": {"top": 0.025, "bottom": 0.075, "left": 0.05, "right": 0.05}
    },
}
CAPTION_LAYOUT = {
    "anchor": "bc",
    "position": {"x": 0.5, "y": 0.925},
    "safeAreaClamp": True,
    "childrenLayout": {
        "mode": "flow",
        "direction": "horizontal",
        "wrap": True,
        "maxWidth": "90%",
        "gap": 0.005,
        "align": "center",
        "justify": "center",
    },
}


def caption(words: list[str], aspect: str = "16:9") -> dict:
    children = [
        {"id": f"w{i}", "eType": "text", "text": w, "baseTime": [0, 2]} for i, w in enumerate(words)
    ]
    return {
        "version": "2.0",
        "timebase": {"unit": "seconds"},
        "stage": {"baseAspect": aspect},
        "tracks": [copy.deepcopy(CAPTION_TRACK)],
        "cues": [
            {
                "id": "c",
                "track": "caption",
                "root": {
                    "id": "g",
                    "eType": "group",
                    "displayTime": [0, 2],
                    "layout": copy.deepcopy(CAPTION_LAYOUT),
                    "children": children,
                },
            }
        ],
    }


def boxes_at(doc: dict, width: int, height: int, t: float = 1.0) -> dict:
    overlay = ScenarioOverlay(load_scenario(doc), width, height)
    overlay.overlay_at(0, t)
    out = {}
    for box in overlay.timeline.engine.boxes.values():
        x0, y0 = box.matrix.apply(0, 0)
        x1, y1 = box.matrix.apply(box.w, box.h)
        out[box.el.node_id] = (x0, y0, x1, y1)
    return out


def test_core_layout_shrink_two_line_caption_box() -> None:
    """Spec 12.1: a wrapped caption is exactly W/2 wide, x 480..1440, y 867..999."""
    words = [
        "And",
        "you",
        "know",
        "which",
        "one",
        "we",
        "should",
        "see?",
        "The",
        "1996",
        "Tony",
        "Award",
        "winner",
    ]
    x0, y0, x1, y1 = boxes_at(caption(words), 1920, 1080)["g"]
    assert (round(x0), round(x1)) == (480, 1440)
    assert (round(y0), round(y1)) == (867, 999)


def test_core_layout_single_line_width() -> None:
    """Spec 12.1: one short line is (sum of word widths + 10 (n+1)) + 16 wide, centred."""
    doc = caption(["Hello", "motion"])
    b = boxes_at(doc, 1920, 1080)
    widths = [b[w][2] - b[w][0] for w in ("w0", "w1")]
    x0, _, x1, y1 = b["g"]
    assert x1 - x0 == pytest.approx(sum(widths) + 10 * 3 + 16, abs=0.01)
    assert (x0 + x1) / 2 == pytest.approx(960, abs=0.01)
    assert y1 == pytest.approx(999)


def test_core_text_metrics_latin_and_korean_line_heights() -> None:
    """Spec 9.13 / 10.3: Liberation Sans 54 px -> 62 px line; Korean enlarges the line."""
    latin = boxes_at(caption(["Hello"]), 1920, 1080)["w0"]
    assert latin[3] - latin[1] == pytest.approx(62)
    korean = boxes_at(caption(["안녕하세요"]), 1920, 1080)["w0"]
    assert korean[3] - korean[1] > 62


def test_core_stage_basis_vertical_9_16_stage() -> None:
    """Spec 8.2: px sizes come from the stage height; a 9:16 stage of 1080x1920 gives a
    96 px caption font and the box bottom at 0.925 H."""
    doc = caption(["세로", "영상", "vertical"], aspect="9:16")
    b = boxes_at(doc, 1080, 1920)
    x0, _, x1, y1 = b["g"]
    assert y1 == pytest.approx(0.925 * 1920)
    assert (x0 + x1) / 2 == pytest.approx(540, abs=0.01)
    assert b["w2"][3] - b["w2"][1] == pytest.approx(110)  # Liberation Sans at 96 px


def test_core_layout_static_unpositioned_text_sits_top_left() -> None:
    """Spec 12.2 basic.json: array positions leave a static flex box at (0,0), 1612x86."""
    doc = {
        "version": "2.0",
        "timebase": {"unit": "seconds"},
        "stage": {"baseAspect": "16:9"},
        "tracks": [
            {
                "id": "s",
                "type": "subtitle",
                "defaultStyle": {"fontSize": "24px", "fontFamily": "Arial, sans-serif"},
            }
        ],
        "cues": [
            {
                "id": "c",
                "track": "s",
                "root": {
                    "id": "g",
                    "eType": "group",
                    "children": [
                        {
                            "id": "t",
                            "eType": "text",
                            "text": "hello",
                            "layout": {"position": [0.5, 0.85]},
                            "displayTime": [0, 2],
                        }
                    ],
                },
            }
        ],
    }
    x0, y0, x1, y1 = boxes_at(doc, 1920, 1080)["t"]
    assert (x0, y0, x1 - x0, y1 - y0) == (0, 0, 1612, 86)
