"""pulse@2.0.0 (hybrid): a scale pulse (plugins spec 3.3).

Channel part: ``sx = sy = 1 + (M − 1)·(1 − cos 2π·c·p)/2``. DOM part: the GSAP timeline on the
effects root's ``scale``, first iteration only (repeats are invisible to a seeking host):
``s = 1 + (M − 1)·(1 − cos 2πp)/2`` about the effects root's centre. The original applies
both (⚠ quirk, replicated when ``ctx.legacy_parity``): the visible scale is their product.
Mid-pulse GSAP writes ``translate3d() scale()``, so Chromium composites the effects root.
"""

from __future__ import annotations

import math
from typing import Any

from ..effects import Effects, UnitTransform
from ..jsmath import js_cos
from ._base import number
from ._gsap import there_and_back_3d


def max_scale_cycles(params: dict[str, Any]) -> tuple[float, float]:
    """``M = Number(maxScale ?? 1.2)``; ``c = max(1, Number(cycles ?? 1))``."""
    return number(params, "maxScale", 1.2), max(1.0, number(params, "cycles", 1))


def dom_scale(max_scale: float, p: float) -> float:
    return 1 + (max_scale - 1) * (1 - math.cos(2 * math.pi * p)) / 2


class Pulse:
    name, version, kind = "pulse", "2.0.0", "hybrid"

    def channels(self, params: dict[str, Any], p: float, ctx) -> dict:
        max_scale, cycles = max_scale_cycles(params)
        s = 1 + (max_scale - 1) * (1 - js_cos(2 * math.pi * cycles * p)) / 2
        return {"sx": s, "sy": s}

    def apply(self, effects: Effects, params: dict[str, Any], p: float, ctx) -> None:
        if not ctx.legacy_parity:
            return
        max_scale, _ = max_scale_cycles(params)
        if effects.root is None:
            effects.root = UnitTransform()
        s = dom_scale(max_scale, p)
        effects.root.scale_x = effects.root.scale_y = s
        effects.root.composited = there_and_back_3d(p)


PLUGIN = Pulse()
