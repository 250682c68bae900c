"""The plugin host's boundary to layout: non-finite plugin output (huge parameters make the
plugins' arithmetic overflow, as in JS) becomes what Chromium makes of the CSS text 1.5.0
writes for it."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from motiontext.css import CSS_LENGTH_MAX, Shadow
from motiontext.effects import Effects, UnitTransform
from motiontext.model import PluginSpec
from motiontext.plugin_host import PluginRegistry, evaluate_chain, evaluate_dom
from motiontext.plugins import official_registry
from tests.motiontext.plugins.gsap_ctx import node

BLACK = (0.0, 0.0, 0.0, 1.0)


class Overflowing:
    """A DOM plugin whose output overflowed: one unit with Infinity, one with NaN, one sane."""

    name, version, kind = "overflowing", "1.0.0", "dom"

    def channels(self, params: dict[str, Any], p: float, ctx: Any) -> dict:
        return {}

    def apply(self, effects: Effects, params: dict[str, Any], p: float, ctx: Any) -> None:
        bad, nan, good = effects.split(["a", "b", "c"])
        bad.transform = UnitTransform(x=math.inf, origin=(0.0, 1.0), composited=True)
        bad.style.opacity = math.nan
        bad.style.shadows = (Shadow(0.0, 0.0, math.inf, BLACK),)
        bad.style.filters = (("blur", math.inf),)
        bad.margin_em = math.inf
        nan.transform = UnitTransform(rotation=math.nan, perspective=math.inf)
        nan.style.shadows = (Shadow(1.0, 2.0, 1e308, BLACK),)
        good.transform = UnitTransform(x=3.0, scale_x=2.0)
        effects.root = UnitTransform(y=-math.inf)
        effects.wrapper_shadows = (Shadow(math.nan, 0.0, 0.0, None),)


def _dom_effects(plugin: Any) -> Effects:
    registry = PluginRegistry()
    registry.register(plugin)
    spec = PluginSpec(plugin.name, {}, None, None, "replace", None)
    word = replace(node("abc"), plugin_chain=(spec,))
    return evaluate_dom(word, 2.0, registry, 30.0, {})


def test_non_finite_dom_output_is_dropped_as_chromium_drops_it() -> None:
    effects = _dom_effects(Overflowing())
    assert effects.units is not None
    bad, nan, good = effects.units
    # an invalid transform declaration: no transform (transform-origin is its own property)
    assert bad.transform == UnitTransform(origin=(0.0, 1.0))
    assert bad.style.opacity == 1.0 and bad.style.filters == () and bad.margin_em == 0.0
    assert bad.style.shadows is None  # the text-shadow declaration is dropped: inherited
    assert nan.transform == UnitTransform()
    assert nan.style.shadows == (Shadow(1.0, 2.0, CSS_LENGTH_MAX, BLACK),)  # a clamped length
    assert good.transform == UnitTransform(x=3.0, scale_x=2.0)
    assert effects.root == UnitTransform()
    assert effects.wrapper_shadows is None


def test_huge_plugin_parameters_do_not_raise() -> None:
    """JS's Math.sin(Infinity) is NaN where Python's raises: bobY with ``cycles: 1e308``
    writes a NaN ``ty``, which makes the wrapper's transform invalid (see channel_matrix)."""
    spec = PluginSpec("bobY", {"cycles": 1e308, "amplitudePx": 1e308}, None, None, "replace", None)
    word = replace(node("abc"), plugin_chain=(spec,))
    channels = evaluate_chain(word, 5.0, official_registry(), 30.0)
    assert math.isnan(channels["ty"])
    effects = evaluate_dom(word, 5.0, official_registry(), 30.0, {})
    assert effects.root is not None and math.isfinite(effects.root.y)
