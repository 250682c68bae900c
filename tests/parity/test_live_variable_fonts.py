"""Live parity of Roboto Flex, the variable font the page declares (issue 19): Chromium draws
it at opsz = font size and wght = font weight (engine.variations). Sizes 10-160 px, weights
100-1000 (numeric strings, numbers, ``bold``), Latin and Hangul (Noto Sans CJK fallback), in
a boxed caption and inside scaled elements; pixels by the metric and node boxes within 0.5 px
(line breaks and box sizes follow the instance)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.parity.live_text import (
    EDITOR_FAMILY,
    assert_live_boxes,
    assert_live_pixels,
    editor_caption,
    font_style,
    free_scenario,
    scaled_scenario,
    text_node,
    weights_scenario,
)
from tests.parity.reference import ReferenceRenderer

pytestmark = pytest.mark.browser


def _flex(size_px: float, weight: Any) -> dict[str, Any]:
    return font_style(EDITOR_FAMILY, size_px, weight)


SIZES = [(10, 0.01), (13, 0.03), (20, 0.06), (32, 0.1), (48, 0.15), (75, 0.22), (110, 0.33)]

CASES: dict[str, dict[str, Any]] = {
    "sizes 10-110 px": free_scenario(
        [
            text_node(f"s{i}", "And you know which one", 0.02, y, _flex(size, "400"))
            for i, (size, y) in enumerate(SIZES)
        ]
        + [text_node("s160", "Big 160", 0.02, 0.55, _flex(160, None))]
    ),
    "weights 100-1000": weights_scenario(EDITOR_FAMILY, "Weight wins here", 64),
    "hangul and latin": free_scenario(
        [
            text_node(
                f"k{i}", "안녕하세요 Roboto 자막 테스트", 0.02, 0.02 + 0.16 * i, _flex(size, w)
            )
            for i, (size, w) in enumerate(
                [(24, "400"), (54, "700"), (75, "bold"), (100, "900"), (130, "300")]
            )
        ]
    ),
    "scaled elements": scaled_scenario(EDITOR_FAMILY, "Scaled caption", "작게 Small"),
    # The example: the editor's caption at fontSizeRel 0.07 (76 px), boxed, wrapping.
    "boxed caption": editor_caption(
        ["And", "you", "know", "which", "one", "그래서", "우리는", "이렇게", "말했다", "fjord"],
        EDITOR_FAMILY,
    ),
    "boxed caption, weight 800": editor_caption(
        ["Weight", "800", "in", "a", "box", "정말", "좋아요", "quick", "brown", "fox"],
        EDITOR_FAMILY,
        fontWeight="800",
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_live_roboto_flex_pixels(reference: ReferenceRenderer, name: str) -> None:
    assert_live_pixels(reference, name, CASES[name])


@pytest.mark.parametrize("name", CASES)
def test_live_roboto_flex_boxes(reference: ReferenceRenderer, name: str) -> None:
    assert_live_boxes(reference, name, CASES[name])
