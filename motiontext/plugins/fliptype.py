"""fliptype@2.0.0 (hybrid): characters pop in one after another (plugins spec 3.9).

DOM part: one unit per UTF-16 code unit, all laid out from the start (so the final width is
reserved), each a GSAP ``fromTo`` of opacity 0 → 1 and scale 0.8 → 1 about its centre,
back.out(1.7), over ``[s_i, e_i]`` in window units. The timeline's natural length Dtl is
generally less than 1 and the host stretches it to the window: τ = p·Dtl.

Channel part: a flip angle emitted as ``rotateY``/``rotateX``, keys the host has no channel
for, so there is no visible flip (⚠ quirk, replicated: the host ignores those keys).
"""

from __future__ import annotations

import math
from typing import Any

from ..easing import back_out
from ..effects import Effects
from ..tween import Tween, value_at
from ._base import clamp, number
from ._split import utf16_units

PLACEHOLDER = "Flip Type Effect"
POP = back_out(1.7)


def char_windows(n: int, params: dict[str, Any]) -> tuple[list[tuple[float, float]], float]:
    """([(s_i, e_i)], Dtl) in window units: T = N/typingSpeed, b = min(1, a + T),
    st = (b − a)/N, s_i = a + i·st, e_i = min(1, s_i + 0.1), Dtl = max(a, max e_i)."""
    speed = number(params, "typingSpeed", 15)
    delay = number(params, "typingDelay", 0.3)
    typing = n / speed if speed != 0 else math.inf
    end = min(1.0, delay + typing)
    step = (end - delay) / n if n else 0.0
    spans = [(delay + i * step, min(1.0, delay + i * step + 0.1)) for i in range(n)]
    return spans, max([delay] + [e for _, e in spans])


def pop_in(s: float, e: float, tau: float) -> tuple[float, float]:
    """(opacity, scale) of a character popping in over [s, e], at timeline time tau."""
    opacity = value_at([Tween(s, e - s, 1.0, POP, from_value=0.0)], tau, 0.0)
    scale = value_at([Tween(s, e - s, 1.0, POP, from_value=0.8)], tau, 0.8)
    return clamp(opacity, 0.0, 1.0), scale  # CSS clamps the overshooting opacity


def flip_angle(params: dict[str, Any], p: float) -> float:
    """power2-like in-out of min(p/flipDuration, 1), times flipAngle."""
    duration = number(params, "flipDuration", 0.6)
    f = min(p / duration, 1.0) if duration > 0 else 1.0
    e = 2 * f * f if f < 0.5 else 1 - (2 - 2 * f) ** 3 / 2
    return e * number(params, "flipAngle", 180)


class FlipType:
    name, version, kind = "fliptype", "2.0.0", "hybrid"

    def channels(self, params: dict[str, Any], p: float, ctx) -> dict:
        key = "rotateX" if params.get("flipDirection") == "vertical" else "rotateY"
        return {key: flip_angle(params, p)}

    def apply(self, effects: Effects, params: dict[str, Any], p: float, ctx) -> None:
        text = ctx.text if ctx.text.strip() else PLACEHOLDER
        units = effects.split(utf16_units(text))
        effects.group = None
        spans, total = char_windows(len(units), params)
        tau = p * total
        for unit, (s, e) in zip(units, spans):
            unit.style.opacity, scale = pop_in(s, e, tau)
            unit.transform.scale_x = unit.transform.scale_y = scale


PLUGIN = FlipType()
