"""flames@2.0.0 (dom): an animated fire image behind the text whose opacity flickers once
over the window (plugins spec 4.8).

Opacity: B → min(1, B + F) over the first half of the window and → max(0, B − F) over the
second (sine.inOut; ``cycles`` repeats are invisible to a seeking host), held at the low
value after the window. The image (object-fit: cover over the effects root's box, behind the
glyphs) is the engine's ``flame`` asset. The original's GIF clock is the browser's wall clock;
the deterministic substitute (spec 2.12) is frame = floor((t − t0)/0.1) mod 104 with t0 the
plugin's first active time on the mounted node.
"""

from __future__ import annotations

import math
from typing import Any

from ..easing import sine_in_out
from ..effects import Decoration, Effects
from ._base import clamp, number

FRAME_SECONDS = 0.1
FRAME_COUNT = 104


def flame_opacity(params: dict[str, Any], p: float) -> float:
    base = number(params, "baseOpacity", 0.8)
    flicker = number(params, "flicker", 0.3)
    high, low = min(1.0, base + flicker), max(0.0, base - flicker)
    if p <= 0.5:
        return base + (high - base) * sine_in_out(2 * p)
    return high + (low - high) * sine_in_out(2 * p - 1)


def gif_frame(t_seconds: float, init_time: float) -> int:
    """The GIF frame shown at t; the 1e-9 keeps exact multiples of 0.1 s on their frame."""
    return math.floor((t_seconds - init_time) / FRAME_SECONDS + 1e-9) % FRAME_COUNT


class Flames:
    name, version, kind = "flames", "2.0.0", "dom"

    def channels(self, params, p, ctx) -> dict:
        return {}

    def apply(self, effects: Effects, params: dict[str, Any], p: float, ctx) -> None:
        opacity = clamp(flame_opacity(params, p), 0.0, 1.0)
        effects.decorations.append(
            Decoration("flames", opacity, frame_index=gif_frame(ctx.t_seconds, ctx.init_time))
        )


PLUGIN = Flames()
