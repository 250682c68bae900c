"""cwi-color@2.0.0 (dom): per-letter colour sweep from 90 % white to the speaker colour
(plugins spec 3.4)."""

from __future__ import annotations

import math
from typing import Any

from ..css import Rgba, parse_color
from ..easing import ease_out_cubic
from ._base import clamp
from ._cwi import WHITE_90, ensure_letters

DEFAULT_TARGET = "#FFD400"


def _target(params: dict[str, Any]) -> str:
    color = params.get("color")
    if isinstance(color, str) and color:
        return color
    speaker = params.get("speaker")
    palette = params.get("palette") if isinstance(params.get("palette"), dict) else {}
    if isinstance(speaker, str) and speaker and speaker in palette:
        return str(palette[speaker])
    return DEFAULT_TARGET


def _hex_rgb(text: str) -> tuple[int, int, int]:
    """Only #rgb/#rrggbb interpolate; anything else interpolates towards white."""
    t = text.strip().lstrip("#")
    if len(t) == 3 and all(c in "0123456789abcdefABCDEF" for c in t):
        t = "".join(c * 2 for c in t)
    if len(t) == 6 and all(c in "0123456789abcdefABCDEF" for c in t):
        return int(t[0:2], 16), int(t[2:4], 16), int(t[4:6], 16)
    return 255, 255, 255


def _mix(target: tuple[int, int, int], k: float) -> Rgba:
    out = []
    for b in target:
        v = math.floor(255 + (b - 255) * k + 0.5)  # JS Math.round
        out.append(clamp(v, 0, 255) / 255.0)
    return (out[0], out[1], out[2], 1.0)


class CwiColor:
    name, version, kind = "cwi-color", "2.0.0", "dom"

    def channels(self, params, p, ctx) -> dict:
        return {}

    def apply(self, effects, params: dict[str, Any], p: float, ctx) -> None:
        letters = ensure_letters(effects, ctx.text)
        target_text = _target(params)
        target = parse_color(target_text) or (1.0, 1.0, 1.0, 1.0)
        rgb = _hex_rgb(target_text)
        c = clamp(p, 0.0, 1.0)
        effects.group_color = WHITE_90
        if params.get("bulk") is True:
            color = target if c >= 0.985 else _mix(rgb, ease_out_cubic(c))
            effects.group_color = color
            for unit in letters:
                unit.style.color = color
            return
        n = len(letters)
        x = c * n + 0.0001
        for i, unit in enumerate(letters):
            if c >= 0.985:
                unit.style.color = target
                continue
            level = clamp(x - i, 0.0, 1.0)
            if level <= 0:
                unit.style.color = WHITE_90
            elif level >= 1:
                unit.style.color = target
            else:
                unit.style.color = _mix(rgb, ease_out_cubic(level))


PLUGIN = CwiColor()
