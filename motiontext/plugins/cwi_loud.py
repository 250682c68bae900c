"""cwi-loud@2.0.0 (dom): the word blows up, rises and shivers, then collapses back (plugins
spec 3.6). The transform is the ``.cwi-word`` span's: translate(dx, dy) · scale(s) about its
centre.
"""

from __future__ import annotations

import math
from typing import Any

from ..effects import Effects
from ..jsmath import js_cos, js_sin
from ._base import clamp, number
from ._cwi import ensure_letters, envelope


def _group(params: dict[str, Any], key: str) -> dict[str, Any]:
    value = params.get(key)
    return value if isinstance(value, dict) else {}


def loud_params(params: dict[str, Any]) -> tuple[float, float, float, float]:
    """(S, lift, amp, freq) after the code's clamps; a lift of 0 means 12 (⚠ "value or 12")."""
    pulse, tremble = _group(params, "pulse"), _group(params, "tremble")
    scale = max(1.01, max(1.1, number(pulse, "scale", 2.15)))
    lift = max(0.0, number(pulse, "lift", 12)) or 12.0
    amp = max(0.0, number(tremble, "ampPx", 1.5))
    freq = max(1.0, number(tremble, "freq", 12))
    return scale, lift, amp, freq


def loud_transform(
    q: float, scale: float, lift: float, amp: float, freq: float
) -> tuple[float, float, float]:
    """(dx, dy, s) of the word at progress q (px, negative dy = up)."""
    f = envelope(q)
    base = 1 + (scale - 1) * f
    crest = f**1.5
    phi = math.pi * freq * q
    jitter = 0.03 * crest * js_sin(1.2 * phi)
    ring = 0.0
    if 0.12 <= q <= 0.88:
        h = (q - 0.12) / 0.76
        ring = 0.06 * math.exp(-3 * h) * math.sin(2 * math.pi * 18 * h)
    dx = 0.8 * amp * crest * js_sin(1.6 * phi)
    dy = -lift * f + 0.5 * amp * crest * js_cos(1.9 * phi)
    return dx, dy, base + jitter + ring


class CwiLoud:
    name, version, kind = "cwi-loud", "2.0.0", "dom"

    def channels(self, params, p, ctx) -> dict:
        return {}

    def apply(self, effects: Effects, params: dict[str, Any], p: float, ctx) -> None:
        ensure_letters(effects, ctx.text)
        dx, dy, s = loud_transform(clamp(p, 0.0, 1.0), *loud_params(params))
        group = effects.group
        assert group is not None
        group.x, group.y, group.scale_x, group.scale_y = dx, dy, s, s


PLUGIN = CwiLoud()
