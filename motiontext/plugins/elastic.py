"""elastic@2.0.0 (dom, per word): each word springs from nothing, anchored at its bottom edge,
past ``overshoot`` with a small random tilt, wobbles back to 1x, greys to white and briefly
glows (plugins spec 4.3).

Timeline seconds: word i starts at b = i * staggerDelay; Dtl = (N - 1) * s + 0.8 D + 0.5.
Legacy quirks kept (``ctx.legacy_parity``): word boxes get a 0.1 em margin on both sides, and
the glow shadow stays frozen through its fade-out (the browser rejects the intermediate values)
then vanishes together with the outline.
"""

from __future__ import annotations

from typing import Any

from ..css import Shadow
from ..easing import elastic_out, power_out
from ..effects import Effects, UnitTransform
from ._base import number
from ._gsap import (
    WHITE,
    Track,
    color_track,
    hex_color,
    inherited_shadows,
    lerp_shadows,
    opacity,
    shadow_track,
    unrendered,
    visible_shadows,
)
from ._random import Source, draw, seeded_uniform
from ._split import split_words

PLACEHOLDER = "안녕하세요!"
GREY = hex_color("#666666")
GLOW = (Shadow(0, 2, 8, (1.0, 1.0, 1.0, 0.2)),)
GLOW_GONE = (Shadow(0, 0, 0, (1.0, 1.0, 1.0, 0.0)),)
FADE_SECONDS = 0.5  # the glow fade-out is absolute, not a fraction of D
WORD_MARGIN_EM = 0.1


def _frozen_fade(a: tuple[Shadow, ...], b: tuple[Shadow, ...], r: float) -> tuple[Shadow, ...]:
    """The fade's target writes its y offset as a unit-less ``0``, so every intermediate value
    with a non-zero offset (GSAP rounds to 4 decimals) is invalid CSS and the browser keeps
    the previous shadow; only the last instants of the tween get through."""
    value = lerp_shadows(a, b, r)
    if b is GLOW_GONE and 0 < r < 1 and value and round(value[0].dy, 4) != 0:
        return a
    return value


def _word_tracks(
    b: float,
    d: float,
    k0: float,
    overshoot: float,
    bounce: float,
    tilt: float,
    inherited,
    legacy: bool,
) -> dict[str, Track]:
    spring, settle, p1, p2 = (
        elastic_out(bounce, 0.3),
        elastic_out(bounce, 0.2),
        power_out(1),
        power_out(2),
    )
    glow_end = b + 0.8 * d
    shadow = shadow_track(inherited).to(b + 0.5 * d, 0.3 * d, GLOW, p1)
    if legacy:
        shadow.lerp = _frozen_fade
        shadow.to(glow_end, FADE_SECONDS, GLOW_GONE, p1)
    else:
        shadow.to(glow_end, FADE_SECONDS, inherited, p1)
    return {
        "scale": Track(k0).to(b, 0.4 * d, overshoot, spring).to(b + 0.4 * d, 0.3 * d, 1.0, settle),
        "opacity": Track(0.0).to(b, 0.4 * d, 1.0, spring),
        "rotation": Track(0.0).to(b, 0.4 * d, tilt, spring).to(b + 0.4 * d, 0.3 * d, 0.0, settle),
        "color": color_track(GREY).to(b + 0.2 * d, 0.6 * d, WHITE, p2, from_value=GREY),
        "shadow": shadow,
    }


class Elastic:
    name, version, kind = "elastic", "2.0.0", "dom"

    def __init__(self, source: Source = seeded_uniform) -> None:
        self.source = source  # Math.random stand-in (tests inject fixed draws)

    def channels(self, params, p, ctx) -> dict:
        return {}

    def tilt(self, ctx, index: int) -> float:
        """The word's random rotation target in degrees, random(-3, 3)."""
        return draw(self.source, ctx.seed(self.name, index, "rotation"), -3.0, 3.0)

    def apply(self, effects: Effects, params: dict[str, Any], p: float, ctx) -> None:
        text = ctx.text if ctx.text.strip() else PLACEHOLDER
        margin = WORD_MARGIN_EM if ctx.legacy_parity else 0.0
        boxes = split_words(effects, text, margin_em=margin)
        for box in boxes:
            box.style.color = GREY  # the colour fromTo renders its from-value at build
            box.transform = UnitTransform(origin=(0.5, 1.0))
        if unrendered(p, ctx):
            return
        bounce = number(params, "bounceStrength", 0.7)
        d = number(params, "animationDuration", 1.5)
        s = number(params, "staggerDelay", 0.1)
        k0 = number(params, "startScale", 0)
        overshoot = number(params, "overshoot", 1.3)
        inherited = inherited_shadows(effects, ctx)
        tau = p * ((len(boxes) - 1) * s + 0.8 * d + FADE_SECONDS)
        for i, box in enumerate(boxes):
            tracks = _word_tracks(
                i * s, d, k0, overshoot, bounce, self.tilt(ctx, i), inherited, ctx.legacy_parity
            )
            k = tracks["scale"].at(tau)
            box.transform = UnitTransform(
                scale_x=k, scale_y=k, rotation=tracks["rotation"].at(tau), origin=(0.5, 1.0)
            )
            box.style.opacity = opacity(tracks["opacity"].at(tau))
            box.style.color = tracks["color"].at(tau)
            box.style.shadows = visible_shadows(tracks["shadow"].at(tau))


PLUGIN = Elastic()
