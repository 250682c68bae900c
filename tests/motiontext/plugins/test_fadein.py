"""fadein@2.0.0 against the reference values of plugins spec 4.1 ("Hello", defaults,
production outline; Dtl = 1.6)."""

from __future__ import annotations

import pytest

from motiontext.plugins._gsap import DEFAULT_OUTLINE
from motiontext.plugins.fadein import PLUGIN

from .gsap_ctx import rgb255, run


def test_first_char_at_p_0_1_is_dark_and_greyish() -> None:
    units = run(PLUGIN, "Hello", 0.1).units
    first = units[0]
    assert first.style.opacity == pytest.approx(0.488, abs=1e-4)
    assert first.transform.scale_x == pytest.approx(0.9488, abs=1e-4)
    assert rgb255(first.style.color) == (203, 203, 203)
    assert first.style.filters == (("brightness", pytest.approx(0.6344, abs=1e-4)),)
    (shadow,) = first.style.shadows
    assert (shadow.dx, shadow.dy, shadow.blur) == (0, 0, pytest.approx(3.464, abs=1e-3))
    assert rgb255(shadow.color) == (124, 124, 124)
    assert shadow.color[3] == pytest.approx(0.6584, abs=1e-4)
    last = units[4]  # not started: the zero-time set state, outline still inherited
    assert (last.style.opacity, last.transform.scale_x) == (0.0, 0.9)
    assert rgb255(last.style.color) == (153, 153, 153)
    assert last.style.filters == () and last.style.shadows == DEFAULT_OUTLINE


def test_halfway() -> None:
    units = run(PLUGIN, "Hello", 0.5).units
    assert units[0].style.opacity == 1.0
    assert units[0].transform.scale_x == pytest.approx(0.9936, abs=1e-4)
    assert rgb255(units[0].style.color) == (255, 255, 255)
    assert units[0].style.filters == (("brightness", pytest.approx(1.3)),)
    (halo,) = units[0].style.shadows
    assert halo.blur == pytest.approx(5) and halo.color == pytest.approx((1, 1, 1, 0.3))
    assert units[4].style.opacity == pytest.approx(0.875, abs=1e-4)
    assert units[4].transform.scale_x == pytest.approx(0.9875, abs=1e-4)


def test_end_state_keeps_the_pop_scale_and_drops_the_outline() -> None:
    for unit in run(PLUGIN, "Hello", 1.0).units:
        assert unit.style.opacity == 1.0
        assert unit.transform.scale_x == pytest.approx(0.9936, abs=1e-4)
        assert unit.style.filters == ()  # brightness(1)
        assert unit.style.shadows == ()


def test_without_legacy_parity_the_end_is_plain_text() -> None:
    for unit in run(PLUGIN, "Hello", 1.0, legacy=False).units:
        assert unit.transform.scale_x == pytest.approx(1.0)
        assert unit.style.shadows == DEFAULT_OUTLINE


def test_first_frame_at_p_0_shows_the_split_text_untouched() -> None:
    units = run(PLUGIN, "Hello", 0.0, first_frame=True).units
    assert [u.text for u in units] == list("Hello")
    assert all(u.style.opacity == 1.0 and u.style.color is None for u in units)


def test_empty_text_shows_the_placeholder_and_astral_chars_split_in_two() -> None:
    assert "".join(u.text for u in run(PLUGIN, "  ", 0.5).units) == "안녕하세요!"
    assert len(run(PLUGIN, "a😀", 0.5).units) == 3


def test_ease_parameter() -> None:
    linear = run(PLUGIN, "Hello", 0.1, {"ease": "none"}).units[0]
    assert linear.style.opacity == pytest.approx(0.16 / 0.8)
