"""bobY@2.0.0 against plugins spec 3.2 and the parity points of spec 5."""

from __future__ import annotations

import pytest

from motiontext.effects import Effects
from motiontext.plugins import official_registry
from motiontext.plugins.bob_y import PLUGIN

from .gsap_ctx import ctx


def total_offset(p: float, params: dict) -> float:
    """What the viewer sees: the wrapper's channel ty plus the effects root's y."""
    effects = Effects()
    PLUGIN.apply(effects, params, p, ctx("Hello", p))
    return PLUGIN.channels(params, p, ctx("Hello", p))["ty"] + effects.root.y


@pytest.mark.parametrize(
    "p, expected",
    [(0.25, 12.0), (0.3238, 12.94), (0.5, 8.0), (0.75, -4.0), (0.8238, -4.94), (1.0, 0.0)],
)
def test_double_motion_totals(p: float, expected: float) -> None:
    assert total_offset(p, {"amplitudePx": 8, "cycles": 1}) == pytest.approx(expected, abs=0.01)


def test_two_cycles_only_change_the_channel() -> None:
    assert total_offset(0.125, {"amplitudePx": 8, "cycles": 2}) == pytest.approx(9.17, abs=0.01)


@pytest.mark.parametrize("cycles", [0, 0.5, None])
def test_cycles_below_one_behave_as_one(cycles) -> None:
    params = {} if cycles is None else {"cycles": cycles}
    assert PLUGIN.channels(params, 0.25, ctx("Hello", 0.25))["ty"] == pytest.approx(8.0)


def test_without_legacy_parity_only_the_channel_moves() -> None:
    effects = Effects()
    PLUGIN.apply(effects, {}, 0.5, ctx("Hello", 0.5, legacy=False))
    assert effects.root is None


def test_registered_as_hybrid() -> None:
    registry = official_registry()
    assert registry.lookup("bobY@2.0.0") is PLUGIN and PLUGIN.kind == "hybrid"


@pytest.mark.parametrize(
    "p, composited", [(0.0, False), (0.1, True), (0.5, False), (0.7, True), (1.0, False)]
)
def test_mid_bob_composites_the_effects_root(p: float, composited: bool) -> None:
    """GSAP writes translate3d() while a tween is mid-way (force3D "auto"): Chromium then
    composites the effects root, which changes how it is rasterized."""
    effects = Effects()
    PLUGIN.apply(effects, {}, p, ctx("Hello", p))
    assert effects.root.composited is composited
