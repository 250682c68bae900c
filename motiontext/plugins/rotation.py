"""rotation@2.0.0 (dom, per UTF-16 code unit, 3-D): characters start small, transparent and
turned -R/4, spin R degrees while growing to 110 % under a CSS perspective, and settle with a
small wobble (plugins spec 4.6).

Timeline seconds: char i starts at b = i * staggerDelay; Dtl = (N - 1) * s + max(D, 0.8 D +
0.3). Legacy quirks kept (``ctx.legacy_parity``): the original text stays as a static first
line above the animated characters, and the wobble ends on its random target (residual tilt).
"""

from __future__ import annotations

from typing import Any

from ..easing import back_out, linear, power_out
from ..effects import Effects, Unit, UnitTransform
from ._base import number
from ._gsap import Track, js_truthy, opacity, unrendered
from ._random import Source, draw, seeded_uniform
from ._split import utf16_units

WOBBLE_PLAY = 0.1  # one play of the wobble is absolute, not a fraction of D


def _angle_track(b: float, d: float, on: bool, amount: float, wobble: float | None) -> Track:
    track = (
        Track(-amount / 4 if on else 0.0)
        .to(b, 0.7 * d, amount if on else 0.0, power_out(2))
        .to(b + 0.7 * d, 0.3 * d, 0.0, back_out(1.7))
    )
    if wobble is not None:
        # three plays: odd, so it ends on its target; it overrides the back.out settle
        track.to(b + 0.8 * d, WOBBLE_PLAY, wobble, linear, plays=3, yoyo=True)
    return track


class Rotation:
    name, version, kind = "rotation", "2.0.0", "dom"

    def __init__(self, source: Source = seeded_uniform) -> None:
        self.source = source  # Math.random stand-in (tests inject fixed draws)

    def channels(self, params, p, ctx) -> dict:
        return {}

    def wobble(self, ctx, index: int, axis: str, on: bool, limit: float) -> float:
        """The char's final tilt about ``axis`` in degrees: random(-limit, limit) when the
        axis is animated, else 0."""
        if not on:
            return 0.0
        return draw(self.source, ctx.seed(self.name, index, f"rotation{axis}"), -limit, limit)

    def apply(self, effects: Effects, params: dict[str, Any], p: float, ctx) -> None:
        if not ctx.text.strip():
            effects.units = []
            return
        chars = [Unit(c.replace(" ", "\u00a0")) for c in utf16_units(ctx.text)]
        chars[0].line_break_before = True  # the block-level container starts a new line
        if ctx.legacy_parity:
            # the original text node is never removed: it stays as a static first line
            static = effects.units if effects.units is not None else [Unit(ctx.text)]
            effects.units = static + chars
        else:
            chars[0].line_break_before = False
            effects.units = chars
        if unrendered(p, ctx):
            return
        amount = number(params, "rotationDegrees", 360)
        d = number(params, "animationDuration", 1.5)
        s = number(params, "staggerDelay", 0.1)
        depth = number(params, "perspective", 800)
        on_x = js_truthy(params.get("axisX"), False)
        on_y = js_truthy(params.get("axisY"), True)
        on_z = js_truthy(params.get("axisZ"), False)
        tau = p * ((len(chars) - 1) * s + max(d, 0.8 * d + 3 * WOBBLE_PLAY))
        for i, unit in enumerate(chars):
            b = i * s
            final_x = self.wobble(ctx, i, "X", on_x, 3.0)
            final_y = self.wobble(ctx, i, "Y", on_y, 5.0)
            if not ctx.legacy_parity:
                final_x = final_y = 0.0
            k = (
                Track(0.5)
                .to(b, 0.7 * d, 1.1, power_out(2))
                .to(b + 0.7 * d, 0.3 * d, 1.0, back_out(1.7))
                .at(tau)
            )
            unit.transform = UnitTransform(
                scale_x=k,
                scale_y=k,
                perspective=depth,
                rotation=_angle_track(b, d, on_z, amount, None).at(tau),
                rotation_x=_angle_track(b, d, on_x, amount, final_x).at(tau),
                rotation_y=_angle_track(b, d, on_y, amount, final_y).at(tau),
            )
            unit.style.opacity = opacity(Track(0.0).to(b, 0.7 * d, 1.0, power_out(2)).at(tau))


PLUGIN = Rotation()
