"""Live parity of emoji with Noto Color Emoji installed (issue 20): colour glyphs chosen in
Chromium's fallback order (engine.emoji_fallback) for single emoji, ZWJ sequences, skin
tones, flags, keycaps and presentation selectors; text + emoji mixes in Hangul and Latin;
characters no font has (the first face's .notdef); colour glyphs through shadows, strokes,
opacity, bold and scaling; and splitting DOM plugins, compared live while inactive (their
structure while active is tested in tests/motiontext/plugins/test_emoji_splits.py).
Pixels by the metric, node boxes within 0.5 px."""

from __future__ import annotations

from typing import Any

import pytest

from tests.parity.live_text import (
    EDITOR_FAMILY,
    assert_live_boxes,
    assert_live_pixels,
    editor_caption,
    free_scenario,
    text_node,
)
from tests.parity.reference import ReferenceRenderer

pytestmark = pytest.mark.browser

ARIAL = "Arial, sans-serif"


def _lines(lines: list[str], family: str = ARIAL, size_px: int = 56, **style: Any) -> dict:
    """One text node per line, top-left, 0.14 of the stage apart."""
    base = {"fontFamily": family, "fontSize": f"{size_px}px", **style}
    return free_scenario(
        [text_node(f"n{i}", line, 0.02, 0.03 + 0.14 * i, base) for i, line in enumerate(lines)]
    )


def _both_families(lines: list[str]) -> dict:
    """The lines in Arial, then in the editor's family (whose system-ui is DejaVu Sans, a
    monochrome face with many emoji: Chromium draws those from it)."""
    arial = _lines(lines)
    editor = _lines(lines, EDITOR_FAMILY, 48, fontWeight="700")
    for node in editor["cues"][0]["root"]["children"]:
        node["id"] = "e" + node["id"]
        node["layout"]["position"]["y"] += 0.5
    arial["cues"][0]["root"]["children"] += editor["cues"][0]["root"]["children"]
    return arial


def _plugin_cue(text: str, plugin: str, family: str = ARIAL) -> dict:
    """``text`` with a splitting DOM plugin whose window opens after the compared frame
    (t = 0.5 s): the plugin is inactive there and the frame is compared live."""
    doc = _lines([text], family)
    node = doc["cues"][0]["root"]["children"][0]
    node["pluginChain"] = [{"name": plugin, "baseTime": [1.5, 1.9]}]
    return doc


CASES: dict[str, dict[str, Any]] = {
    "single emoji": _both_families(["😂", "👍 🔥 🎬 🌊 ✨", "😀😃😄😁🥹"]),
    "zwj sequences": _both_families(["👨‍👩‍👧 👩‍💻 🏳️‍🌈", "🧑‍🤝‍🧑 ❤️‍🔥 👁️‍🗨️"]),
    "skin tones": _both_families(["👍🏽 👋🏿 🧑🏻‍🦰", "👍🏻👍🏼👍🏾 🙋🏽‍♀️"]),
    "flags": _both_families(["🇰🇷 🇺🇸 🇯🇵 🇪🇺", "🏴󠁧󠁢󠁳󠁣󠁴󠁿 🏳️ 🇰"]),
    "keycaps": _both_families(["1️⃣ #️⃣ *️⃣ 🔟", "1⃣ 0️⃣9️⃣"]),
    "presentation selectors": _both_families(["❤️ ❤ ❤︎ ☺ ☺️ ✔ ✔️ ♥ ✓", "⌚ ⌚︎ ↔️ ↔ ©️ © 😂︎"]),
    "hangul and latin mixes": _lines(
        [
            "좋아요👍 ㅋㅋㅋ😂🔥 café ✓ №1 → ♥",
            "Hello 👋 world 🌍! OK👌done",
            "오늘도 화이팅💪🏻🔥🔥",
        ]
    ),
    # The caption in the editor's boxed caption shape (Roboto Flex first).
    "editor caption": editor_caption(
        ["좋아요👍", "ㅋㅋㅋ😂🔥", "café", "✓", "№1", "→", "♥", "🇰🇷", "👨‍👩‍👧"], EDITOR_FAMILY
    ),
    "arial caption": editor_caption(["정말", "최고👍🏽", "🎉🎉", "wow", "#️⃣1"], ARIAL),
    "no font has them": _both_families(
        ["a\U0001fae9b \ue000 x\U000e0080y", "\U0010fffd 🫨 \U0001fae9"]
    ),
    "shadows": _lines(
        ["😂 shadow 👍", "blur 🔥🇰🇷"],
        textShadow="6px 6px 0 #0000ff, -3px 2px 4px rgba(255,0,0,0.6)",
    ),
    "stroke": _lines(["😂 stroke 👍🏽"], stroke={"widthRel": 0.004, "color": "#ff0000"}),
    "text alpha": _lines(["😂 half 👍"], color="rgba(255,255,255,0.5)", textShadow="none"),
    "bold": _lines(["😂 bold 👍 굵게 ❤️"], fontWeight="bold"),
    "scaled": free_scenario(
        [
            text_node(
                "s",
                "크게 😂🔥",
                0.2,
                0.3,
                {"fontFamily": ARIAL, "fontSize": "40px"},
                {"transform": {"scale": {"x": 2.5, "y": 2.5}}},
            )
        ]
    ),
    "fadein inactive": _plugin_cue("좋아요👍 🇰🇷 👨‍👩‍👧!", "fadein"),
    "scalepop inactive": _plugin_cue("ㅋㅋ😂 1️⃣", "scalepop"),
    "cwi-color inactive": _plugin_cue("최고🔥 👍🏽", "cwi-color", EDITOR_FAMILY),
}


def _with_box_opacity(doc: dict) -> dict:
    root = doc["cues"][0]["root"]
    root["boxStyle"] = {"backgroundColor": "rgba(0,0,0,0.5)", "opacity": 0.5}
    return doc


CASES["group opacity"] = _with_box_opacity(_lines(["😂 반투명 👍🏽 🇰🇷"]))


@pytest.mark.parametrize("name", CASES)
def test_live_emoji_pixels(reference: ReferenceRenderer, name: str) -> None:
    assert_live_pixels(reference, name, CASES[name])


@pytest.mark.parametrize("name", CASES)
def test_live_emoji_boxes(reference: ReferenceRenderer, name: str) -> None:
    assert_live_boxes(reference, name, CASES[name])
