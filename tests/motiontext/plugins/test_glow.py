"""glow@2.0.0 against plugins spec 4.7 and the parity points of spec 5."""

from __future__ import annotations

import pytest

from motiontext.plugins.glow import PLUGIN, glow_level, glow_rgb

from .gsap_ctx import run


@pytest.mark.parametrize("p, k", [(0, 0.4), (0.25, 0.55), (0.5, 0.7), (0.75, 0.45), (1, 0.2)])
def test_pulse_levels(p: float, k: float) -> None:
    assert glow_level({"intensity": 0.4, "pulse": True}, p) == pytest.approx(k)
    (deco,) = run(PLUGIN, "Hello", p, {"pulse": True}).decorations
    assert deco.kind == "glow" and deco.opacity == pytest.approx(k)


def test_pulse_defaults_to_off_in_code() -> None:
    assert glow_level({"intensity": 0.3}, 0.5) == pytest.approx(0.3)


def test_gradient_and_halo_colour() -> None:
    effects = run(PLUGIN, "Hello", 0.0, {"color": "#f80", "intensity": 0.4})
    (deco,) = effects.decorations
    assert deco.color == pytest.approx((1.0, 0x88 / 255, 0.0, 0.4))
    (halo,) = effects.wrapper_shadows  # replaces the node's outline
    assert halo.color == pytest.approx((1.0, 0x88 / 255, 0.0, 0.68))
    assert halo.blur == pytest.approx(2 * (3.3 + 2.9 * 0.4))


def test_unparsable_channels_are_zero() -> None:
    assert glow_rgb({"color": "#zz11ff"}) == pytest.approx((0.0, 0x11 / 255, 1.0))
    assert glow_rgb({}) == (0.0, 1.0, 1.0)
