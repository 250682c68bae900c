"""Host style profiles (motiontext/host_styles.py): data the layout inherits from, and the
line heights Blink uses for them."""

from __future__ import annotations

import pytest

from motiontext.errors import InputError
from motiontext.font_families import named_font_families
from motiontext.host_styles import EDITOR_FONT_STACK, HOST_STYLES, host_style
from motiontext.layout.style import compute, root_style
from motiontext.layout.text import used_line_height
from motiontext.parse import load_scenario
from tests.engine.font_files import families_scenario


def test_profiles_are_the_inherited_values() -> None:
    bare = root_style(host_style("bare"))
    assert bare.families == ("Liberation Serif",) and bare.font_px == 16
    assert bare.line_height == ("normal", 0.0) and bare.color == (0, 0, 0, 1)

    editor = root_style(host_style("ecg-editor"))
    assert editor.families[:3] == ("ui-sans-serif", "system-ui", "sans-serif")
    assert editor.font_px == 18 and editor.weight == 400
    assert editor.line_height == ("number", 1.6)  # unitless: scales with each font size
    assert editor.color == pytest.approx((16 / 255, 24 / 255, 40 / 255, 1))
    caption = compute({"font-size": "54px"}, editor)
    assert caption.line_height == ("number", 1.6) and caption.color == editor.color
    assert compute({"font-size": "2em"}, editor).font_px == 36  # em follows the 18 px
    assert compute({"font-size": "2rem"}, editor).font_px == 32  # rem stays 16 px (html)
    assert HOST_STYLES["ecg-editor"].css() == {
        "font-family": EDITOR_FONT_STACK,
        "font-size": "18px",
        "line-height": "1.6",
        "color": "rgb(16, 24, 40)",
        "font-weight": "400",
    }


def test_unknown_profile_names_the_known_ones() -> None:
    with pytest.raises(InputError, match=r'"host_style" must be one of bare, ecg-editor'):
        host_style("editor")


@pytest.mark.parametrize(
    ("line_height", "font_px", "used"),
    [
        (("number", 1.6), 54, 86.390625),  # measured in Chromium 156: floored LayoutUnit
        (("px", 86.4), 54, 86.40625),  # a length is rounded
        (("number", 0.7), 30, 21.0),  # float32 product, not 20.999...
        (("number", 1.6), 18, 28.796875),
        (("px", float("inf")), 16, 2**31 / 64 - 1 / 64),  # saturates
    ],
)
def test_used_line_height_is_a_layout_unit(line_height, font_px: float, used: float) -> None:
    assert used_line_height(line_height, font_px) == used


def test_named_font_families_in_document_order() -> None:
    doc = families_scenario(
        "Arial, x",
        [{"fontFamily": 12}, {"fontFamily": "Lobster"}],
        group_style={"fontFamily": "'Noto Sans KR', arial"},
    )
    assert named_font_families(load_scenario(doc)) == ("Arial", "x", "Noto Sans KR", "Lobster")
