"""scalepop@2.0.0 (dom, per UTF-16 code unit): characters pop from nothing to ``popScale``,
flash pale yellow with a yellow glow, spring back to 1x and pop once more (plugins spec 4.4).

Timeline seconds: char i starts at b = i * staggerDelay; Dtl = (N - 1) * s + max(D, 0.8 D +
0.2). With colorPop the characters end white without any shadow (the outline is gone).
"""

from __future__ import annotations

from typing import Any

from ..css import Shadow
from ..easing import back_out, elastic_out, power_out
from ..effects import Effects, UnitTransform
from ._base import number
from ._gsap import (
    WHITE,
    Track,
    color_track,
    hex_color,
    inherited_color,
    inherited_shadows,
    js_truthy,
    opacity,
    shadow_track,
    visible_shadows,
)
from ._split import split_code_units

YELLOW = hex_color("#ffff99")
GLOW = (Shadow(0, 0, 10, (1.0, 1.0, 0.6, 0.8)),)
GLOW_GONE = (Shadow(0, 0, 0, (1.0, 1.0, 0.6, 0.0)),)
POP_SECONDS = 0.1  # one play of the second pop is absolute, not a fraction of D


def _char_tracks(b: float, d: float, pop: float, bounce: float, color, shadows) -> dict[str, Track]:
    p2, grow = power_out(2), back_out(2)
    scale = (
        Track(0.0)
        .to(b, 0.4 * d, pop, grow)
        .to(b + 0.4 * d, 0.6 * d, 1.0, elastic_out(bounce, 0.3))
        .to(b + 0.8 * d, POP_SECONDS, 1.1, p2, plays=2, yoyo=True)
    )
    return {
        "scale": scale,
        "opacity": Track(0.0).to(b, 0.4 * d, 1.0, grow),
        "color": color_track(color)
        .to(b + 0.1 * d, 0.2 * d, YELLOW, p2)
        .to(b + 0.3 * d, 0.4 * d, WHITE, p2),
        "shadow": shadow_track(shadows)
        .to(b + 0.1 * d, 0.2 * d, GLOW, p2)
        .to(b + 0.3 * d, 0.4 * d, GLOW_GONE, p2),
    }


class ScalePop:
    name, version, kind = "scalepop", "2.0.0", "dom"

    def channels(self, params, p, ctx) -> dict:
        return {}

    def apply(self, effects: Effects, params: dict[str, Any], p: float, ctx) -> None:
        units = split_code_units(effects, p, ctx)
        if units is None:
            return
        pop = number(params, "popScale", 1.5)
        d = number(params, "animationDuration", 1.2)
        s = number(params, "staggerDelay", 0.08)
        bounce = number(params, "bounceStrength", 0.6)
        color_pop = js_truthy(params.get("colorPop"), True)
        color, shadows = inherited_color(ctx), inherited_shadows(effects, ctx)
        tau = p * ((len(units) - 1) * s + max(d, 0.8 * d + 2 * POP_SECONDS))
        for i, unit in enumerate(units):
            tracks = _char_tracks(i * s, d, pop, bounce, color, shadows)
            k = tracks["scale"].at(tau)
            unit.transform = UnitTransform(scale_x=k, scale_y=k)
            unit.style.opacity = opacity(tracks["opacity"].at(tau))
            if color_pop:
                unit.style.color = tracks["color"].at(tau)
                unit.style.shadows = visible_shadows(tracks["shadow"].at(tau))


PLUGIN = ScalePop()
