"""slideup@2.0.0 (dom, per word): words rise 30 px from below, un-blurring and brightening from
grey, with a 2 px overshoot above the baseline (plugins spec 4.2).

Timeline seconds: word i starts at b = i * staggerDelay; Dtl = (N - 1) * s + 1.2 D, or
(N - 1) * s + D with easeType "back.out" (no overshoot tweens then).
"""

from __future__ import annotations

from typing import Any

from ..easing import parse_ease, power1_in_out, power_out
from ..effects import Effects, UnitTransform
from ._base import number, string
from ._gsap import (
    WHITE,
    Track,
    active_filters,
    color_track,
    filter_track,
    hex_color,
    js_truthy,
    opacity,
    unrendered,
)
from ._split import split_words

GREY = hex_color("#888888")
OVERSHOOT_PX = -2.0


def _word_tracks(
    b: float, d: float, distance: float, ease, overshoot: bool, blur: bool
) -> dict[str, Track]:
    p1 = power_out(1)
    y = Track(distance).to(b, d, 0.0, ease)
    if overshoot:
        y.to(b + 0.8 * d, 0.2 * d, OVERSHOOT_PX, p1).to(b + d, 0.2 * d, 0.0, power1_in_out)
    return {
        "y": y,
        "opacity": Track(0.0).to(b, d, 1.0, ease),
        # a negative radius (back/elastic overshoot) is invalid: lerp_filters clamps it to 0
        "filter": filter_track((("blur", 3.0),) if blur else ()).to(b, d, (("blur", 0.0),), ease),
        "color": color_track(GREY).to(b + 0.2 * d, 0.6 * d, WHITE, p1, from_value=GREY),
    }


class SlideUp:
    name, version, kind = "slideup", "2.0.0", "dom"

    def channels(self, params, p, ctx) -> dict:
        return {}

    def apply(self, effects: Effects, params: dict[str, Any], p: float, ctx) -> None:
        text = ctx.text
        if not text.strip():
            effects.units = []
            return
        # overflow: hidden clips glyph ink outside the word box; the box itself moves
        boxes = split_words(effects, text, clip=True)
        for box in boxes:
            box.style.color = GREY  # the colour fromTo renders its from-value at build
        if unrendered(p, ctx):
            return
        distance = number(params, "slideDistance", 30)
        d = number(params, "animationDuration", 1)
        s = number(params, "staggerDelay", 0.12)
        ease_name = string(params, "easeType", "power2.out")
        overshoot = ease_name != "back.out"
        blur = js_truthy(params.get("blurEffect"), True)
        tau = p * ((len(boxes) - 1) * s + (1.2 * d if overshoot else d))
        for i, box in enumerate(boxes):
            tracks = _word_tracks(i * s, d, distance, parse_ease(ease_name), overshoot, blur)
            box.transform = UnitTransform(y=tracks["y"].at(tau))
            box.style.opacity = opacity(tracks["opacity"].at(tau))
            box.style.filters = active_filters(tracks["filter"].at(tau))
            box.style.color = tracks["color"].at(tau)


PLUGIN = SlideUp()
