"""Live parity of a variable web font from the font store (issue 19's Fontsource variable
family): Noto Sans KR Variable, installed from ``@fontsource-variable/noto-sans-kr`` by
``ecg-render fonts install`` (scripts/setup.sh puts it in .cache/fonts). The harness loads
each of its unicode-range files with ``FontFace`` and the package's weight range
(``weight: "100 900"``), as a page importing the package does; ECG Render reads the same
files from the font folder and draws every weight from the ``wght`` axis
(engine.variations: wght = the weight clamped to 100-900, no synthetic bold). Sizes 12-140
px, weights 100-1000 (numeric strings, numbers, ``bold``), Hangul and Latin, a boxed
wrapping caption and a scaled element, on the bare and the editor's page; pixels by the
metric and node boxes within 0.5 px."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from engine.host_page import HostPage
from motiontext.display_list import FontSpec
from motiontext.host_styles import HOST_STYLES
from motiontext.parse import load_scenario
from tests.parity.live_text import (
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
from tests.requirements_check import require_web_fonts

pytestmark = pytest.mark.browser

FAMILY = "Noto Sans KR Variable"
FAMILY_LIST = f"'{FAMILY}', sans-serif"


def _style(size_px: float, weight: Any) -> dict[str, Any]:
    return font_style(FAMILY_LIST, size_px, weight)


SIZES = [(12, 0.01), (20, 0.04), (32, 0.08), (48, 0.14), (72, 0.22), (100, 0.33)]

CASES: dict[str, dict[str, Any]] = {
    "sizes 12-140 px": free_scenario(
        [
            text_node(f"s{i}", "안녕하세요 Hello 자막 2024", 0.02, y, _style(size, "400"))
            for i, (size, y) in enumerate(SIZES)
        ]
        + [text_node("s140", "큰 글씨 Big", 0.02, 0.55, _style(140, None))]
    ),
    "weights 100-1000": weights_scenario(FAMILY_LIST, "무게 Weight 한글", 60),
    "scaled elements": scaled_scenario(FAMILY_LIST, "확대 Scaled", "작게 Small"),
    "boxed caption, weight 800": editor_caption(
        ["그래서", "우리는", "이렇게", "말했다", "And", "you", "know", "which", "one", "fjord"],
        FAMILY_LIST,
        fontWeight="800",
    ),
}


def _page(host_style: str) -> HostPage:
    """The page with the font folder; fails (skips outside CI) without the family, and checks
    that it is drawn by its variable web faces, not by fallback."""
    page = HostPage(host_style, (require_web_fonts(),))
    fonts = page.shaper().fonts
    for weight, used in ((100, 100), (700, 700), (1000, 900)):
        face = fonts.resolve(FAMILY, weight)
        assert face is not None and face.axes and not face.synthetic_bold, (FAMILY, weight)
        assert fonts.instance(face, 40, weight).typeface.fontStyle().weight() == used
    return page


@pytest.mark.parametrize("host_style", list(HOST_STYLES))
@pytest.mark.parametrize("name", CASES)
def test_live_variable_web_font_pixels(
    reference: ReferenceRenderer, name: str, host_style: str
) -> None:
    page = _page(host_style)
    doc = CASES[name]
    assert page.missing_families(load_scenario(copy.deepcopy(doc))) == ()
    assert_live_pixels(reference, f"{name} [{host_style}]", doc, page)


@pytest.mark.parametrize("host_style", list(HOST_STYLES))
@pytest.mark.parametrize("name", CASES)
def test_live_variable_web_font_boxes(
    reference: ReferenceRenderer, name: str, host_style: str
) -> None:
    assert_live_boxes(reference, f"{name} [{host_style}]", CASES[name], _page(host_style))


def test_weights_change_the_drawn_width() -> None:
    """Control: the test family really varies (a static face would give one width for every
    weight below 600)."""
    shaper = _page("bare").shaper()
    widths = [shaper.advance("무게 Weight 한글", FontSpec((FAMILY,), 60.0, w)) for w in (100, 400)]
    assert widths[1] - widths[0] > 2.0, widths
