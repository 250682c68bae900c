"""cwi-whisper@2.0.0 (dom): the word shrinks and drops, flutters, and returns (plugins spec
3.7). The transform is the ``.cwi-word`` span's: translate(0, dy) · scale(s) about its centre.
"""

from __future__ import annotations

import math
from typing import Any

from ..effects import Effects
from ..jsmath import js_sin
from ._base import clamp, number
from ._cwi import ensure_letters, envelope


def _group(params: dict[str, Any], key: str) -> dict[str, Any]:
    value = params.get(key)
    return value if isinstance(value, dict) else {}


def whisper_params(params: dict[str, Any]) -> tuple[float, float, float, float]:
    """(m, drop, amp, freq) after the code's clamps; 0 means the default for scale, drop and
    amp (⚠ "value or default")."""
    shrink, flutter = _group(params, "shrink"), _group(params, "flutter")
    scale = clamp(number(shrink, "scale", 0.6) or 0.6, 0.1, 1.0)
    drop = max(0.0, number(shrink, "drop", 6)) or 6.0
    amp = max(0.0, number(flutter, "amp", 0.02)) or 0.02
    freq = max(1.0, number(flutter, "freq", 8))
    return scale, drop, amp, freq


def whisper_transform(
    q: float, scale: float, drop: float, amp: float, freq: float
) -> tuple[float, float]:
    """(dy, s) of the word at progress q (px, positive dy = down)."""
    f = envelope(q)
    base = 1 - (1 - scale) * f
    flutter = 0.8 * amp * f * js_sin(math.pi * 1.6 * freq * q)
    ring = 0.0
    if 0.12 <= q <= 0.88:
        h = (q - 0.12) / 0.76
        ring = -0.05 * math.exp(-3 * h) * math.sin(2 * math.pi * 16 * h)
    return drop * f, max(scale, base - flutter + ring)


class CwiWhisper:
    name, version, kind = "cwi-whisper", "2.0.0", "dom"

    def channels(self, params, p, ctx) -> dict:
        return {}

    def apply(self, effects: Effects, params: dict[str, Any], p: float, ctx) -> None:
        ensure_letters(effects, ctx.text)
        dy, s = whisper_transform(clamp(p, 0.0, 1.0), *whisper_params(params))
        group = effects.group
        assert group is not None
        group.x, group.y, group.scale_x, group.scale_y = 0.0, dy, s, s


PLUGIN = CwiWhisper()
