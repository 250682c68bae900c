"""What the GSAP plugins share: property tracks on ``motiontext.tween``, the CSS interpolation
rules of plugins spec 2.8 (colours, text-shadow and filter lists) and the styles a unit
inherits before a plugin touches it.

Value types: colours are straight RGBA float tuples (``css.Rgba``); text-shadows are tuples of
``css.Shadow`` (``()`` is ``none``); filters are tuples of ``(name, value)`` (``()`` is
``none``), as ``effects.UnitStyle`` stores them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ..css import Rgba, Shadow, parse_color, parse_text_shadow
from ..easing import Ease, linear
from ..effects import Effects
from ..jsmath import js_round
from ..tween import Lerp, Tween, value_at

WHITE: Rgba = (1.0, 1.0, 1.0, 1.0)
BLACK: Rgba = (0.0, 0.0, 0.0, 1.0)
DEFAULT_OUTLINE = (Shadow(0, 0, 2, BLACK), Shadow(0, 0, 4, BLACK), Shadow(0, 0, 8, BLACK))
_NO_SHADOW = Shadow(0.0, 0.0, 0.0, (0.0, 0.0, 0.0, 0.0))


def hex_color(text: str) -> Rgba:
    color = parse_color(text)
    assert color is not None, text
    return color


# -- interpolation (spec 2.8) ------------------------------------------------------------------
def lerp_color(a: Rgba, b: Rgba, r: float) -> Rgba:
    """R, G, B interpolated on 0..255 and JS-rounded; alpha unrounded; ends verbatim."""
    if r == 0:
        return a
    if r == 1:
        return b
    rgb = [js_round((x + (y - x) * r) * 255) / 255 for x, y in zip(a[:3], b[:3])]
    return (
        min(1.0, max(0.0, rgb[0])),
        min(1.0, max(0.0, rgb[1])),
        min(1.0, max(0.0, rgb[2])),
        min(1.0, max(0.0, a[3] + (b[3] - a[3]) * r)),
    )


def lerp_shadows(a: tuple[Shadow, ...], b: tuple[Shadow, ...], r: float) -> tuple[Shadow, ...]:
    """The target list is the template: its numbers pair by position with the start's, so
    shadow k tweens from the start's shadow k (or a transparent zero shadow), surplus start
    shadows are dropped. ``a`` must have its colours resolved (no currentColor)."""
    if r == 0:
        return a
    if r == 1:
        return b
    out = []
    for k, target in enumerate(b):
        start = a[k] if k < len(a) else _NO_SHADOW
        assert start.color is not None and target.color is not None
        out.append(
            Shadow(
                start.dx + (target.dx - start.dx) * r,
                start.dy + (target.dy - start.dy) * r,
                max(0.0, start.blur + (target.blur - start.blur) * r),
                lerp_color(start.color, target.color, r),
            )
        )
    return tuple(out)


Filters = tuple[tuple[str, float], ...]


def lerp_filters(a: Filters, b: Filters, r: float) -> Filters:
    """Template = target functions; start values pair by position, missing ones count as 0
    (from ``none``: brightness(0), contrast(0)...). Negative values are invalid CSS: the
    browser keeps the last valid value, which is ~0, so they clamp to 0."""
    if r == 0:
        return a
    if r == 1:
        return b
    out = []
    for k, (name, target) in enumerate(b):
        start = a[k][1] if k < len(a) else 0.0
        out.append((name, max(0.0, start + (target - start) * r)))
    return tuple(out)


# -- property tracks ---------------------------------------------------------------------------
@dataclass(slots=True)
class Track:
    """One (unit, property) of a timeline: the value before any tween (the zero-time set, or
    the inherited value) and the tweens, kept in timeline order (start, then insertion)."""

    initial: Any
    lerp: Lerp | None = None
    tweens: list[Tween] = field(default_factory=list)

    def to(
        self,
        start: float,
        duration: float,
        value: Any,
        ease: Ease = linear,
        plays: int = 1,
        yoyo: bool = False,
        from_value: Any = None,
    ) -> Track:
        self.tweens.append(Tween(start, duration, value, ease, plays, yoyo, from_value))
        self.tweens.sort(key=lambda tw: tw.start)  # stable: ties keep insertion order
        return self

    def at(self, tau: float, jump: bool = False) -> Any:
        return value_at(self.tweens, tau, self.initial, self.lerp, jump)


def color_track(initial: Rgba) -> Track:
    return Track(initial, lerp_color)


def shadow_track(initial: tuple[Shadow, ...]) -> Track:
    return Track(initial, lerp_shadows)


def filter_track(initial: Filters) -> Track:
    return Track(initial, lerp_filters)


# -- what a unit inherits ----------------------------------------------------------------------
def _truthy(v: object) -> bool:
    """JavaScript truthiness of a JSON value."""
    return v not in (None, False, 0, "") and not (isinstance(v, float) and math.isnan(v))


def js_truthy(value: object, default: bool) -> bool:
    """A boolean parameter as the plugins read it: missing -> default, else JS truthiness."""
    return default if value is None else _truthy(value)


def inherited_color(ctx) -> Rgba:
    """The node's computed colour (track < parent < own style; the page default is black)."""
    style = ctx.node.style or {}
    return (parse_color(style.get("color")) if _truthy(style.get("color")) else None) or BLACK


def inherited_shadows(effects: Effects, ctx) -> tuple[Shadow, ...]:
    """The text-shadow a unit inherits, colours resolved: a base-wrapper shadow (glow) beats
    the node's own; a node without ``textShadow`` and ``stroke`` has the default outline."""
    shadows = effects.wrapper_shadows
    if shadows is None:
        style = ctx.node.style or {}
        stroke = style.get("stroke")
        has_stroke = isinstance(stroke, dict) and isinstance(stroke.get("widthRel"), (int, float))
        if _truthy(style.get("textShadow")):
            shadows = parse_text_shadow(style["textShadow"]) or ()
        elif not has_stroke:
            shadows = DEFAULT_OUTLINE
        else:
            shadows = ()
    color = inherited_color(ctx)
    return tuple(s if s.color is not None else Shadow(s.dx, s.dy, s.blur, color) for s in shadows)


# -- output normalisation ----------------------------------------------------------------------
def visible_shadows(shadows: tuple[Shadow, ...]) -> tuple[Shadow, ...]:
    """Drop fully transparent shadows (nothing to paint)."""
    return tuple(s for s in shadows if s.color is None or s.color[3] > 0)


_IDENTITY_FILTER = {"brightness": 1.0, "contrast": 1.0, "saturate": 1.0, "blur": 0.0}


def active_filters(filters: Filters) -> Filters:
    """Drop identity functions (brightness(1), blur(0)...) so no layer is needed for them."""
    return tuple(f for f in filters if _IDENTITY_FILTER.get(f[0]) != f[1])


def opacity(value: float) -> float:
    """CSS clamps opacity (elastic/back overshoot) to [0, 1]."""
    return min(1.0, max(0.0, value))


def unrendered(progress: float, ctx) -> bool:
    """A first-ever frame at exactly p = 0: the timeline was paused at 0 and never rendered,
    so its zero-time sets are not applied yet (spec 2.6 item 2); only the split and fromTo
    from-values show."""
    return progress <= 0 and ctx.init_time == ctx.t_seconds


def there_and_back_3d(progress: float) -> bool:
    """Whether a there-and-back timeline (two tweens meeting at p = 1/2, as the DOM parts of
    bobY and pulse) writes ``translate3d()`` when seeked to ``progress``: with force3D "auto"
    GSAP uses 3-D only while the tween it renders last has an eased ratio neither 0 nor 1
    (at p = 1/2 the second tween renders at ratio 0), which makes Chromium composite the
    element in its own layer."""
    return 0.0 < progress < 1.0 and progress != 0.5
