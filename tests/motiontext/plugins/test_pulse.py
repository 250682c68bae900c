"""pulse@2.0.0 against plugins spec 3.3 and the parity points of spec 5."""

from __future__ import annotations

import pytest

from motiontext.effects import Effects
from motiontext.plugins.pulse import PLUGIN

from .gsap_ctx import ctx


def visible_scale(p: float, params: dict) -> float:
    effects = Effects()
    PLUGIN.apply(effects, params, p, ctx("Hello", p))
    channels = PLUGIN.channels(params, p, ctx("Hello", p))
    assert channels["sx"] == channels["sy"]
    assert effects.root.scale_x == effects.root.scale_y
    return channels["sx"] * effects.root.scale_x


@pytest.mark.parametrize("p, expected", [(0.0, 1.0), (0.25, 1.21), (0.5, 1.44), (1.0, 1.0)])
def test_channel_times_dom_scale(p: float, expected: float) -> None:
    assert visible_scale(p, {"maxScale": 1.2, "cycles": 1}) == pytest.approx(expected)


def test_one_and_a_half_cycles_end_enlarged() -> None:
    params = {"maxScale": 1.2, "cycles": 1.5}
    assert PLUGIN.channels(params, 1.0, ctx("Hello", 1.0))["sx"] == pytest.approx(1.2)
    assert visible_scale(1.0, params) == pytest.approx(1.2)


def test_defaults() -> None:
    assert visible_scale(0.5, {}) == pytest.approx(1.44)
