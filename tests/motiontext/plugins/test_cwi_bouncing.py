"""cwi-bouncing@2.0.0 against the reference values of plugins spec 3.5 (N = 5, H = 12)."""

from __future__ import annotations

import pytest

from motiontext.effects import Effects
from motiontext.plugins.cwi_bouncing import PLUGIN, letter_offsets, wave_height
from motiontext.plugins.cwi_color import PLUGIN as CWI_COLOR

from .gsap_ctx import ctx


def test_letters_at_half_window() -> None:
    effects = Effects()
    PLUGIN.apply(effects, {"waveHeight": 12}, 0.5, ctx("Hello", 0.5))
    dy = [u.transform.y for u in effects.units]
    dx = [u.transform.x for u in effects.units]
    assert dy == pytest.approx([-0.698, -5.386, -12, -5.386, -0.698], abs=1e-3)
    assert dx == pytest.approx([-0.070, -0.481, 0, 0.481, 0.070], abs=1e-3)


def test_letters_rest_at_the_ends() -> None:
    for q in (0.0, 1.0):
        assert letter_offsets(5, q, 12, 0.6) == [(0.0, 0.0)] * 5


@pytest.mark.parametrize("p, tx, ty, s", [(0.5, 0.0, -3.6, 1.05), (0.25, 0.115, -0.702, 1.0098)])
def test_word_channels(p: float, tx: float, ty: float, s: float) -> None:
    ch = PLUGIN.channels({"waveHeight": 12}, p, ctx("Hello", p))
    assert (ch["tx"], ch["ty"], ch["sx"], ch["sy"]) == pytest.approx((tx, ty, s, s), abs=1e-3)


def test_wave_height_fallbacks() -> None:
    assert wave_height({}) == 12
    assert wave_height({"popScale": 2}) == 16
    assert wave_height({"waveHeight": -3}) == 0
    assert wave_height({"waveHeight": "x"}) == 12


def test_first_frame_letters_inherit_the_word_colour() -> None:
    """Its init resets the letters shared with an earlier cwi-color to ``color: inherit``."""
    effects = Effects()
    CWI_COLOR.apply(effects, {"color": "#FFD700"}, 0.5, ctx("Hello", 0.5))
    PLUGIN.apply(effects, {}, 0.5, ctx("Hello", 0.5, first_frame=True))
    assert all(u.style.color is None for u in effects.units)
    effects = Effects()
    CWI_COLOR.apply(effects, {"color": "#FFD700"}, 0.5, ctx("Hello", 0.5))
    PLUGIN.apply(effects, {}, 0.5, ctx("Hello", 0.5))
    assert effects.units[0].style.color is not None
