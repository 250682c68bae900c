"""bobY@2.0.0 (hybrid): a vertical bob (plugins spec 3.2).

Channel part: ``ty = A·sin(2π·c·p)`` px on the base wrapper. DOM part: the GSAP timeline on the
effects root's ``y``, of which the host only ever shows the first of ``c`` iterations, stretched
over the window: ``y = A·(1 − cos 2πp)/2``. The original runs both, nested (⚠ quirk, replicated
when ``ctx.legacy_parity``), so the visible offset is their sum. Mid-bob GSAP writes
``translate3d()``, so Chromium composites the effects root (``UnitTransform.composited``).
"""

from __future__ import annotations

import math
from typing import Any

from ..effects import Effects, UnitTransform
from ..jsmath import js_sin
from ._base import number
from ._gsap import there_and_back_3d


def amplitude_cycles(params: dict[str, Any]) -> tuple[float, float]:
    """``A = Number(amplitudePx ?? 8)``; ``c = max(1, Number(cycles ?? 1))``."""
    return number(params, "amplitudePx", 8), max(1.0, number(params, "cycles", 1))


def dom_offset(amplitude: float, p: float) -> float:
    """The effects root's y at window progress p (one bob per window, whatever the cycles)."""
    return amplitude * (1 - math.cos(2 * math.pi * p)) / 2


class BobY:
    name, version, kind = "bobY", "2.0.0", "hybrid"

    def channels(self, params: dict[str, Any], p: float, ctx) -> dict:
        amplitude, cycles = amplitude_cycles(params)
        return {"ty": amplitude * js_sin(2 * math.pi * cycles * p)}

    def apply(self, effects: Effects, params: dict[str, Any], p: float, ctx) -> None:
        if not ctx.legacy_parity:
            return  # the doubled motion is the quirk: without it the channel alone moves
        amplitude, _ = amplitude_cycles(params)
        if effects.root is None:
            effects.root = UnitTransform()
        effects.root.y = dom_offset(amplitude, p)
        effects.root.composited = there_and_back_3d(p)


PLUGIN = BobY()
