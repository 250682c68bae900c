"""cwi-loud@2.0.0 against the reference values of plugins spec 3.6 (defaults)."""

from __future__ import annotations

import pytest

from motiontext.effects import Effects
from motiontext.plugins.cwi_loud import PLUGIN, loud_params, loud_transform

from .gsap_ctx import ctx


@pytest.mark.parametrize(
    "q, expected",
    [
        (0.06, (-0.4514, -10.7473, 2.0164)),
        (0.12, (0.9796, -12.5065, 2.1274)),
        (0.5, (-1.1413, -12.2318, 2.1324)),
        (0.94, (0.1475, -10.6301, 1.9819)),
        (1.0, (0.0, 0.0, 1.0)),
    ],
)
def test_reference_values(q: float, expected: tuple[float, float, float]) -> None:
    assert loud_transform(q, *loud_params({})) == pytest.approx(expected, abs=1e-4)


def test_clamps_and_value_or_default() -> None:
    params = {"pulse": {"scale": 1.0, "lift": 0}, "tremble": {"ampPx": 0, "freq": 0}}
    assert loud_params(params) == (1.1, 12.0, 0.0, 1.0)


def test_word_group_transform() -> None:
    effects = Effects()
    PLUGIN.apply(effects, {}, 0.5, ctx("Hello", 0.5))
    group = effects.group
    assert (group.x, group.y, group.scale_x) == pytest.approx((-1.1413, -12.2318, 2.1324), abs=1e-4)
    assert group.scale_y == group.scale_x and [u.text for u in effects.units] == list("Hello")
