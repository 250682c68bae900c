"""magnetic@2.0.0 (dom, per UTF-16 code unit): characters fade in while flung to random
offsets and tilts, snap back with an elastic wobble and a brief buzz (plugins spec 4.5).

The original rebuilds its timeline on every frame (host re-initialisation loop) with fresh
random targets, so its scatter jitters. Not reproducible; the deterministic substitute draws
each target once per (node, char, property) and evaluates with jump semantics (the timeline
rendered from 0 to tau in one pass, as each rebuilt frame is), which ends exactly at rest.

Timeline seconds: Dtl = max((N - 1) * 0.05 + 0.3, (N - 1) * a + max(D, 0.7 D + 0.4)).
"""

from __future__ import annotations

from typing import Any

from ..easing import elastic_out, linear, power_out
from ..effects import Effects, UnitTransform
from ._base import number
from ._gsap import Track, opacity
from ._random import Source, draw, seeded_uniform
from ._split import split_code_units

FADE_STAGGER, FADE_SECONDS = 0.05, 0.3  # the fade-in ignores the parameters
BUZZ_PLAY, BUZZ_PLAYS = 0.1, 4


def _axis(b: float, d: float, spring, target: float, buzz: float | None) -> Track:
    """Attract to the random target, spring back to 0, then (x, y) buzz around the way back;
    the buzz's even play count ends it on its from-value."""
    track = Track(0.0).to(b, 0.4 * d, target, power_out(2)).to(b + 0.4 * d, 0.6 * d, 0.0, spring)
    if buzz is not None:
        track.to(b + 0.7 * d, BUZZ_PLAY, buzz, linear, plays=BUZZ_PLAYS, yoyo=True)
    return track


class Magnetic:
    name, version, kind = "magnetic", "2.0.0", "dom"

    def __init__(self, source: Source = seeded_uniform) -> None:
        self.source = source  # Math.random stand-in (tests inject fixed draws)

    def channels(self, params, p, ctx) -> dict:
        return {}

    def targets(self, ctx, index: int, strength: float) -> dict[str, float]:
        """The char's random draws: scatter (x, y, rotation) and buzz (vx, vy)."""
        ranges = {"x": strength, "y": strength / 2, "rotation": 15.0, "vx": 2.0, "vy": 1.0}
        return {
            prop: draw(self.source, ctx.seed(self.name, index, prop), -r, r)
            for prop, r in ranges.items()
        }

    def apply(self, effects: Effects, params: dict[str, Any], p: float, ctx) -> None:
        units = split_code_units(effects, p, ctx)
        if units is None:
            return
        strength = number(params, "magnetStrength", 15)
        d = number(params, "animationDuration", 1.2)
        a = number(params, "attractionDelay", 0.1)
        spring = elastic_out(number(params, "elasticity", 0.8), 0.3)
        n = len(units)
        dtl = max(
            (n - 1) * FADE_STAGGER + FADE_SECONDS,
            (n - 1) * a + max(d, 0.7 * d + BUZZ_PLAY * BUZZ_PLAYS),
        )
        tau = p * dtl
        for i, unit in enumerate(units):
            r = self.targets(ctx, i, strength)
            b = i * a
            fade = Track(0.0).to(i * FADE_STAGGER, FADE_SECONDS, 1.0, power_out(2))
            unit.transform = UnitTransform(
                x=_axis(b, d, spring, r["x"], r["vx"]).at(tau, jump=True),
                y=_axis(b, d, spring, r["y"], r["vy"]).at(tau, jump=True),
                rotation=_axis(b, d, spring, r["rotation"], None).at(tau, jump=True),
            )
            unit.style.opacity = opacity(fade.at(tau, jump=True))


PLUGIN = Magnetic()
