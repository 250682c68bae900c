"""fadein@2.0.0 (dom, per UTF-16 code unit): characters fade in from dark grey, 90 % scale
and a black brightness flash to white with a soft halo (plugins spec 4.1).

Timeline seconds: char i starts at b = i * staggerDelay; Dtl = (N - 1) * s + D + 0.4.
Legacy quirks kept (``ctx.legacy_parity``): the final scale is the pop's from-value K (0.9936
at defaults), and the inherited outline is gone once the halo has faded.
"""

from __future__ import annotations

from typing import Any

from ..css import Shadow
from ..easing import parse_ease, power_out
from ..effects import Effects, UnitTransform
from ._base import number, string
from ._gsap import (
    WHITE,
    Track,
    active_filters,
    color_track,
    filter_track,
    hex_color,
    inherited_shadows,
    opacity,
    shadow_track,
    unrendered,
    visible_shadows,
)
from ._split import utf16_units

PLACEHOLDER = "안녕하세요!"
HALO = (Shadow(0, 0, 5, (1.0, 1.0, 1.0, 0.3)),)
HALO_GONE = (Shadow(0, 0, 0, (1.0, 1.0, 1.0, 0.0)),)
GLOW_SECONDS = 0.4  # the brightness/halo fade-out is absolute, not a fraction of D


def _char_tracks(
    b: float, d: float, o0: float, k0: float, ease, inherited, legacy: bool
) -> dict[str, Track]:
    p1, p2 = power_out(1), power_out(2)
    scale = Track(k0).to(b, d, 1.0, ease)
    # the pop reads its from-value lazily (= K) and, ending with the main tween, wins at the
    # end: the characters settle at K instead of 1 (replicate)
    scale.to(b + 0.6 * d, 0.2 * d, 1.03, p2, plays=2, yoyo=True, from_value=None if legacy else 1.0)
    return {
        "opacity": Track(o0).to(b, d, 1.0, ease),
        "scale": scale,
        "color": color_track(hex_color("#999999")).to(b, d, WHITE, ease),
        "filter": filter_track(())
        .to(b, d, (("brightness", 1.3),), ease)
        .to(b + d, GLOW_SECONDS, (("brightness", 1.0),), p1),
        "shadow": shadow_track(inherited)
        .to(b, d, HALO, ease)
        .to(b + d, GLOW_SECONDS, HALO_GONE if legacy else inherited, p1),
    }


class FadeIn:
    name, version, kind = "fadein", "2.0.0", "dom"

    def channels(self, params, p, ctx) -> dict:
        return {}

    def apply(self, effects: Effects, params: dict[str, Any], p: float, ctx) -> None:
        text = ctx.text if ctx.text.strip() else PLACEHOLDER
        units = effects.split(utf16_units(text))
        if unrendered(p, ctx):
            return
        s = number(params, "staggerDelay", 0.1)
        d = number(params, "animationDuration", 0.8)
        o0 = number(params, "startOpacity", 0)
        k0 = number(params, "scaleStart", 0.9)
        ease = parse_ease(string(params, "ease", "power2.out"))
        inherited = inherited_shadows(effects, ctx)
        tau = p * ((len(units) - 1) * s + d + GLOW_SECONDS)
        for i, unit in enumerate(units):
            tracks = _char_tracks(i * s, d, o0, k0, ease, inherited, ctx.legacy_parity)
            k = tracks["scale"].at(tau)
            unit.transform = UnitTransform(scale_x=k, scale_y=k)
            unit.style.opacity = opacity(tracks["opacity"].at(tau))
            unit.style.color = tracks["color"].at(tau)
            unit.style.filters = active_filters(tracks["filter"].at(tau))
            unit.style.shadows = visible_shadows(tracks["shadow"].at(tau))


PLUGIN = FadeIn()
