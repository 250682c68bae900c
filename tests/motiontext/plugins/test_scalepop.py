"""scalepop@2.0.0 against the reference values of plugins spec 4.4 ("Hello", defaults,
production outline; Dtl = 1.52)."""

from __future__ import annotations

import pytest

from motiontext.plugins.scalepop import PLUGIN

from .gsap_ctx import rgb255, run


def test_pop_with_yellow_glow() -> None:
    units = run(PLUGIN, "Hello", 0.25).units
    assert units[0].transform.scale_x == pytest.approx(1.5895, abs=1e-4)
    assert units[0].style.opacity == 1.0
    assert rgb255(units[0].style.color) == (255, 255, 165)
    (glow,) = units[0].style.shadows
    assert glow.blur == pytest.approx(8.80, abs=0.01)
    assert rgb255(glow.color) == (255, 255, 153) and glow.color[3] == pytest.approx(0.704, abs=1e-3)
    assert units[4].transform.scale_x == pytest.approx(0.7822, abs=1e-4)
    assert units[4].style.opacity == pytest.approx(0.5215, abs=1e-4)


@pytest.mark.parametrize("p, index, scale", [(0.5, 0, 1.0059), (0.5, 4, 1.5182), (0.75, 0, 1.0475)])
def test_elastic_return_and_second_pop(p: float, index: int, scale: float) -> None:
    assert run(PLUGIN, "Hello", p).units[index].transform.scale_x == pytest.approx(scale, abs=1e-4)


def test_end_is_white_without_outline() -> None:
    for unit in run(PLUGIN, "Hello", 1.0).units:
        assert unit.transform.scale_x == pytest.approx(1.0)
        assert rgb255(unit.style.color) == (255, 255, 255) and unit.style.shadows == ()


def test_without_color_pop_the_colour_and_outline_are_inherited() -> None:
    unit = run(PLUGIN, "Hello", 0.25, {"colorPop": False}).units[0]
    assert unit.style.color is None and unit.style.shadows is None


def test_blank_text_shows_nothing() -> None:
    assert run(PLUGIN, "", 0.5).units == []
