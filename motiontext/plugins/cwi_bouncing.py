"""cwi-bouncing@2.0.0 (hybrid): a wave travelling through the letters, plus a lift and swell
of the whole word (plugins spec 3.5).

DOM part: the shared ``.cwi-word``/``.cwi-letter`` structure; letter i is airborne while
``t = (q − i·d)/L`` is in (0, 1), at ``(0.6·sin 2πe, −H·sin πe)`` px with ``e =
easeInOutCubic(t)``. Channel part: ``tx = 0.3·sin 2πe``, ``ty = −0.3·H'·sin πe``, ``sx = sy =
1 + 0.05·sin πe`` with ``e = easeInOutCubic(p)``. On its first active frame the letters
inherit the word's colour.
"""

from __future__ import annotations

import math
from typing import Any

from ..easing import ease_in_out_cubic
from ..effects import Effects
from ._base import clamp, number
from ._cwi import ensure_letters


def wave_height(params: dict[str, Any]) -> float:
    """DOM height: ``waveHeight``, else ``popScale·8``, else 12; non-finite → 12; ≥ 0."""
    raw = params.get("waveHeight")
    if raw is None and params.get("popScale") is not None:
        return max(0.0, number(params, "popScale", 1.5) * 8)
    return max(0.0, number(params, "waveHeight", 12))


def letter_offsets(
    n: int, q: float, height: float, letter_duration: float
) -> list[tuple[float, float]]:
    """(dx, dy) px of each of ``n`` letters at progress q (negative dy = up)."""
    span = clamp(letter_duration, 0.2, 0.9)
    step = (1 - span) / (n - 1) if n > 1 else 0.0
    out = []
    for i in range(n):
        t = (q - i * step) / span
        if t <= 0 or t >= 1:
            out.append((0.0, 0.0))
            continue
        e = ease_in_out_cubic(t)
        out.append((0.6 * math.sin(2 * math.pi * e), -height * math.sin(math.pi * e)))
    return out


class CwiBouncing:
    name, version, kind = "cwi-bouncing", "2.0.0", "hybrid"

    def channels(self, params: dict[str, Any], p: float, ctx) -> dict:
        height = number(params, "waveHeight", 12)  # no clamp, no popScale fallback here
        e = ease_in_out_cubic(p)
        w = math.sin(math.pi * e)
        return {
            "tx": 0.3 * math.sin(2 * math.pi * e),
            "ty": -0.3 * height * w,
            "sx": 1 + 0.05 * w,
            "sy": 1 + 0.05 * w,
        }

    def apply(self, effects: Effects, params: dict[str, Any], p: float, ctx) -> None:
        letters = ensure_letters(effects, ctx.text)
        if ctx.legacy_parity and ctx.t_seconds == ctx.init_time:
            # Its init gives every letter, reused ones included, ``color: inherit``: on that
            # one frame an earlier cwi-color's letter colours vanish (seen in the goldens).
            for unit in letters:
                unit.style.color = None
        offsets = letter_offsets(
            len(letters),
            clamp(p, 0.0, 1.0),
            wave_height(params),
            number(params, "letterDuration", 0.6),
        )
        for unit, (dx, dy) in zip(letters, offsets):
            unit.transform.x, unit.transform.y = dx, dy


PLUGIN = CwiBouncing()
