"""glitch@2.0.0 (dom, whole node in three layers): a white copy of the text jitters, flickers
off, is noised and skewed, over red and cyan copies screen-blended behind it that jitter too
(plugins spec 4.9).

The original rebuilds its timeline on every frame (host re-initialisation loop) with fresh
random targets and triples its text each time. Not reproducible; this is the intended
single-initialisation timeline with one seeded draw per (node, layer, property), evaluated
with jump semantics (the timeline rendered from 0 to tau in one pass, as each rebuilt frame
is). Legacy quirk kept (``ctx.legacy_parity``): with animationDuration < 1.09 the reset runs
before the last flicker, which leaves the white text invisible at the end.

Timeline seconds: Dtl = max(1.3, animationDuration).
"""

from __future__ import annotations

from typing import Any

from ..easing import linear, power_out
from ..effects import Effects, Unit, UnitTransform
from ._base import number
from ._gsap import Track, filter_track, hex_color, js_truthy, opacity, unrendered
from ._random import Source, draw, seeded_uniform

PLACEHOLDER = "글리치 효과"
NOISE = (("blur", 1.0), ("saturate", 2.0), ("contrast", 1.2))
LAST_GLITCH_END = 1.3  # the skew glitch [1.2, 1.3] is the last scripted event
RESET_SECONDS = 0.2
LAYER_OPACITY = 0.5  # the colour layers' CSS opacity


class Glitch:
    name, version, kind = "glitch", "2.0.0", "dom"

    def __init__(self, source: Source = seeded_uniform) -> None:
        self.source = source  # Math.random stand-in (tests inject fixed draws)

    def channels(self, params, p, ctx) -> dict:
        return {}

    def _draw(self, ctx, layer: str, prop: str, lo: float, hi: float) -> float:
        return draw(self.source, ctx.seed(self.name, layer, prop), lo, hi)

    def apply(self, effects: Effects, params: dict[str, Any], p: float, ctx) -> None:
        text = ctx.text if ctx.text.strip() else PLACEHOLDER
        split = js_truthy(params.get("colorSeparation"), True)
        original = Unit(text)
        original.style.color = (1.0, 1.0, 1.0, 1.0)  # the caption colour is overridden
        layers = {"original": original}
        if split:
            for name, color in (("red", "#ff0040"), ("cyan", "#00ffff")):
                layer = Unit(text, absolute=True)
                layer.style.color = hex_color(color)
                layer.style.blend = "screen"
                layer.style.opacity = LAYER_OPACITY
                layers[name] = layer
            effects.units = [layers["red"], layers["cyan"], original]  # z-index order
        else:
            effects.units = [original]
        if unrendered(p, ctx):
            return
        g = number(params, "glitchIntensity", 5)
        duration = number(params, "animationDuration", 2)
        noise = js_truthy(params.get("noiseEffect"), True)
        dtl = max(LAST_GLITCH_END, duration)
        # legacy: the reset ends at animationDuration even when that is before the flickers
        reset_end = duration if ctx.legacy_parity else dtl
        tau = p * dtl
        tracks = self._original(ctx, g, noise, reset_end - RESET_SECONDS)
        if split:
            tracks.update(self._colour_layers(ctx, g, reset_end - RESET_SECONDS))
        for name, unit in layers.items():
            at = {
                prop: tracks[f"{name}.{prop}"].at(tau, jump=True)
                for prop in ("x", "y", "scaleY", "skewX", "opacity", "filter")
                if f"{name}.{prop}" in tracks
            }
            unit.transform = UnitTransform(
                x=at.get("x", 0.0),
                y=at.get("y", 0.0),
                scale_y=at.get("scaleY", 1.0),
                skew_x=at.get("skewX", 0.0),
            )
            unit.style.opacity = opacity(at.get("opacity", unit.style.opacity))
            unit.style.filters = at.get("filter", ())

    def _original(self, ctx, g: float, noise: bool, reset: float) -> dict[str, Track]:
        p1, p2 = power_out(1), power_out(2)
        jitter: dict[str, Any] = {"plays": 4, "yoyo": True}
        tracks = {
            "original.x": Track(0.0).to(
                0.0, 0.1, self._draw(ctx, "original", "x", -g, g), linear, **jitter
            ),
            "original.y": Track(0.0).to(
                0.0, 0.1, self._draw(ctx, "original", "y", -g / 2, g / 2), linear, **jitter
            ),
            # two flickers to transparent; the second has an odd play count and ends there
            "original.opacity": Track(1.0)
            .to(0.5, 0.05, 0.0, p1, plays=2, yoyo=True)
            .to(1.0, 0.03, 0.0, p1, plays=3, yoyo=True),
            "original.scaleY": Track(1.0).to(1.2, 0.05, 0.8, linear, plays=2, yoyo=True),
            "original.skewX": Track(0.0).to(
                1.2, 0.05, self._draw(ctx, "original", "skewX", -5, 5), linear, plays=2, yoyo=True
            ),
        }
        tracks["original.filter"] = filter_track(())
        if noise:  # from none: every function starts at 0, a flat grey flash
            tracks["original.filter"].to(0.3, 0.1, NOISE, linear, plays=2, yoyo=True)
        for prop, rest in (
            ("x", 0.0),
            ("y", 0.0),
            ("scaleY", 1.0),
            ("skewX", 0.0),
            ("opacity", 1.0),
            ("filter", ()),
        ):
            tracks[f"original.{prop}"].to(reset, RESET_SECONDS, rest, p2)
        return tracks

    def _colour_layers(self, ctx, g: float, reset: float) -> dict[str, Track]:
        p2 = power_out(2)
        tracks = {}
        for name, start, play, plays in (("red", 0.0, 0.05, 6), ("cyan", 0.1, 0.07, 5)):
            x = self._draw(ctx, name, "x", -g / 2, g / 2)
            alpha = self._draw(ctx, name, "opacity", 0.3, 0.8)
            tracks[f"{name}.x"] = (
                Track(0.0)
                .to(start, play, x, linear, plays=plays, yoyo=True)
                .to(reset, RESET_SECONDS, 0.0, p2)
            )
            tracks[f"{name}.opacity"] = (
                Track(LAYER_OPACITY)
                .to(start, play, alpha, linear, plays=plays, yoyo=True)
                .to(reset, RESET_SECONDS, LAYER_OPACITY, p2)
            )
        return tracks


PLUGIN = Glitch()
