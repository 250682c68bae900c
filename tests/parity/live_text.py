"""Helpers for the live text parity tests (variable fonts, emoji): small plugin-free scenarios
of positioned text nodes, compared with the original in Chromium by pixels (the project's
metric) and by layout boxes (``ReferenceRenderer.boxes`` against our layout engine), on a
host page (``engine.host_page.HostPage``: style profile and web font folders; default bare)."""

from __future__ import annotations

import copy
from typing import Any

from engine.host_page import HostPage
from motiontext.parse import load_scenario
from parity.metric import ParityScore
from parity.run import run_scenario
from tests.caption_scenario import caption_scenario
from tests.parity.reference import ReferenceRenderer

WIDTH, HEIGHT, FPS = 1920, 1080, 30
SHOWN = [0.0, 2.0]
FRAME = 15  # t = 0.5 s, inside SHOWN
# The ECG editor's caption family (issue 19): Roboto Flex first, declared by the page.
EDITOR_FAMILY = "'Roboto Flex', system-ui, -apple-system, sans-serif"


def text_node(
    node_id: str,
    text: str,
    x: float,
    y: float,
    style: dict[str, Any],
    layout: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A free text node anchored top-left at (x, y) (stage fractions)."""
    return {
        "id": node_id,
        "eType": "text",
        "text": text,
        "style": {"color": "#ffffff", **style},
        "layout": {"anchor": "tl", "position": {"x": x, "y": y}, **(layout or {})},
    }


def free_scenario(nodes: list[dict[str, Any]]) -> dict[str, Any]:
    """One cue on a free track showing ``nodes`` (in a group) during SHOWN."""
    root = {"id": "g", "eType": "group", "children": nodes, "displayTime": SHOWN}
    return {
        "version": "2.0",
        "timebase": {"unit": "seconds"},
        "stage": {"baseAspect": "16:9"},
        "tracks": [{"id": "free", "type": "free", "layer": 1}],
        "cues": [{"id": "c", "track": "free", "root": root}],
    }


# Weights a variable family is checked at: numeric strings, a number and ``bold``, past the
# 100-900 of most wght axes.
WEIGHTS = ["100", "200", "300", "350", "400", "500", "600", 700, "bold", "800", "900", "1000"]


def font_style(family: str, size_px: float, weight: Any = None) -> dict[str, Any]:
    """A node style in ``family`` (a CSS list) at ``size_px``; ``weight`` None leaves the
    inherited weight."""
    style: dict[str, Any] = {"fontFamily": family, "fontSize": f"{size_px}px"}
    if weight is not None:
        style["fontWeight"] = weight
    return style


def weights_scenario(family: str, text: str, size_px: float) -> dict[str, Any]:
    """``text`` once per entry of WEIGHTS, in two columns."""
    return free_scenario(
        [
            text_node(
                f"w{i}",
                text,
                0.02 + 0.5 * (i % 2),
                0.02 + 0.13 * (i // 2),
                font_style(family, size_px, w),
            )
            for i, w in enumerate(WEIGHTS)
        ]
    )


def scaled_scenario(family: str, up_text: str, down_text: str) -> dict[str, Any]:
    """40 px at weight 600 scaled by 2.5, and 100 px at weight 200 scaled by 0.4: the
    instance follows the font size, not the transform."""
    return free_scenario(
        [
            text_node(
                "up",
                up_text,
                0.1,
                0.1,
                font_style(family, 40, "600"),
                {"transform": {"scale": {"x": 2.5, "y": 2.5}}},
            ),
            text_node(
                "down",
                down_text,
                0.1,
                0.6,
                font_style(family, 100, "200"),
                {"transform": {"scale": {"x": 0.4, "y": 0.4}}},
            ),
        ]
    )


def editor_caption(words: list[str], family: str, **style: Any) -> dict[str, Any]:
    """The editor's caption shape (``tests.caption_scenario``) in ``family``: a boxed,
    wrapping group of words at the bottom centre."""
    children = [
        {"id": f"w{i}", "eType": "text", "text": w, "baseTime": SHOWN} for i, w in enumerate(words)
    ]
    layout = {
        "anchor": "bc",
        "position": {"x": 0.5, "y": 0.925},
        "childrenLayout": {"mode": "flow", "wrap": True, "maxWidth": "90%", "gap": 0.005},
    }
    root = {"id": "g", "eType": "group", "displayTime": SHOWN, "layout": layout}
    doc = caption_scenario(
        [{"id": "c", "track": "caption", "root": {**root, "children": children}}], {}
    )
    track = doc["tracks"][0]
    track["defaultStyle"].update(fontFamily=family, **style)
    track["defaultBoxStyle"] = {
        "backgroundColor": "rgba(0,0,0,0.6)",
        "padding": "4px 8px",
        "borderRadius": "4px",
    }
    return doc


BOX_TOLERANCE_PX = 0.5


def assert_live_pixels(
    reference: ReferenceRenderer, name: str, doc: dict[str, Any], page: HostPage | None = None
) -> None:
    """Frame FRAME of ``doc`` is within the metric's bound against Chromium (printed)."""
    score = live_score(reference, name, doc, page)
    print(f"{name}: IoU {score.iou:.4f}, MAE {score.mae:.2f}")
    assert score.passed, f"{name}: IoU {score.iou:.4f}, MAE {score.mae:.2f}"


def assert_live_boxes(
    reference: ReferenceRenderer, name: str, doc: dict[str, Any], page: HostPage | None = None
) -> None:
    """Every node box of ``doc`` at FRAME is Chromium's within BOX_TOLERANCE_PX."""
    mismatches = rect_mismatches(reference, doc, BOX_TOLERANCE_PX, page)
    assert not mismatches, f"{name}: node boxes differ from Chromium's:\n" + "\n".join(mismatches)


def live_score(
    reference: ReferenceRenderer, name: str, doc: dict[str, Any], page: HostPage | None = None
) -> ParityScore:
    """The metric's score of frame FRAME, Chromium against ECG Render."""
    scenario = load_scenario(copy.deepcopy(doc))
    (result,) = run_scenario(name, doc, scenario, reference, WIDTH, HEIGHT, FPS, [FRAME], page=page)
    assert result.score is not None, f"{name}: frame skipped ({result.skipped})"
    return result.score


def reference_node_rects(
    reference: ReferenceRenderer, doc: dict[str, Any], page: HostPage | None = None
) -> dict[str, tuple[float, float, float, float]]:
    """Chromium's border boxes (x, y, width, height) of every node at FRAME."""
    return {
        b["nodeId"]: (b["rect"]["x"], b["rect"]["y"], b["rect"]["width"], b["rect"]["height"])
        for b in reference.boxes(doc, FRAME / FPS, WIDTH, HEIGHT, page)
        if b["role"] == "node"
    }


def our_node_rects(
    doc: dict[str, Any], page: HostPage | None = None
) -> dict[str, tuple[float, float, float, float]]:
    """Our layout's boxes of every node at FRAME, as getBoundingClientRect reports them
    (the axis-aligned bounds of the transformed box)."""
    overlay = (page or HostPage()).overlay(load_scenario(copy.deepcopy(doc)), WIDTH, HEIGHT, FPS)
    overlay.overlay_at(FRAME, FRAME / FPS)
    out = {}
    for box in overlay.timeline.engine.boxes.values():
        if box.el.node is None:
            continue  # the stage
        corners = [box.matrix.apply(x, y) for x in (0, box.w) for y in (0, box.h)]
        xs, ys = [c[0] for c in corners], [c[1] for c in corners]
        out[box.el.node_id] = (min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))
    return out


def rect_mismatches(
    reference: ReferenceRenderer,
    doc: dict[str, Any],
    tolerance_px: float,
    page: HostPage | None = None,
) -> list[str]:
    """Nodes whose box differs from Chromium's by more than ``tolerance_px`` on any side."""
    theirs, ours = reference_node_rects(reference, doc, page), our_node_rects(doc, page)
    out = []
    for node_id, rect in theirs.items():
        mine = ours.get(node_id)
        if mine is None:
            out.append(f"{node_id}: missing in our layout")
        elif max(abs(a - b) for a, b in zip(rect, mine, strict=True)) > tolerance_px:
            out.append(f"{node_id}: Chromium {_fmt(rect)}, ours {_fmt(mine)}")
    return out


def _fmt(rect: tuple[float, ...]) -> str:
    return "(" + ", ".join(f"{v:.2f}" for v in rect) + ")"
