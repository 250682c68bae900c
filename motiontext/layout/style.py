"""Inline CSS -> computed style, with CSS inheritance from the parent element."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache

from ..css import (
    MAX_FONT_PX,
    Length,
    Rgba,
    Shadow,
    parse_box_shorthand,
    parse_color,
    parse_font_families,
    parse_font_weight,
    parse_length,
    parse_number,
    parse_text_shadow,
    saturate_layout,
)


@dataclass(frozen=True, slots=True)
class HostDefaults:
    """The page's inherited values that leak into unspecified properties (spec 10.6): the
    computed style of the stage's container, as CSS text. ``lang`` is the page's language
    (no effect on layout here; the reference harness sets it). Named profiles:
    ``motiontext.host_styles``."""

    font_family: str = '"Liberation Serif"'
    font_size_px: float = 16.0
    line_height: str = "normal"
    color: str = "#000"
    font_weight: int = 400
    lang: str = ""

    def css(self) -> dict[str, str]:
        """The inherited properties as CSS declarations, for a page that hosts the stage."""
        return {
            "font-family": self.font_family,
            "font-size": f"{self.font_size_px:g}px",
            "line-height": self.line_height,
            "color": self.color,
            "font-weight": str(self.font_weight),
        }


@dataclass(frozen=True, slots=True)
class Computed:
    # inherited
    families: tuple[str, ...]
    font_px: float
    weight: int
    color: Rgba
    line_height: tuple[str, float]  # ("normal", 0) | ("number", k) | ("px", v)
    text_align: str
    white_space: str
    shadows: tuple[Shadow, ...]
    stroke_width: float
    stroke_color: Rgba | None  # None: currentColor
    fill_color: Rgba | None  # None: currentColor
    # not inherited
    display: str = "block"
    position: str = "static"
    left: Length | None = None
    top: Length | None = None
    width: Length | None = None
    height: Length | None = None
    min_width: Length | None = None
    max_width: Length | None = None
    min_height: Length | None = None
    max_height: Length | None = None
    padding: tuple[Length, Length, Length, Length] | None = None
    margin: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    border_width: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    border_color: Rgba | None = None
    background: Rgba | None = None
    radius: Length | None = None
    opacity: float = 1.0
    transform: str = ""
    transform_origin: str = ""
    flex_direction: str = "row"
    flex_wrap: str = "nowrap"
    align_items: str = "normal"
    justify_content: str = "normal"
    row_gap: float = 0.0
    column_gap: float = 0.0
    flex_grow: float = 0.0
    flex_shrink: float = 1.0
    overflow: str = "visible"
    extra: dict = field(default_factory=dict)

    @property
    def fill(self) -> Rgba:
        return self.fill_color or self.color

    @property
    def stroke(self) -> Rgba:
        return self.stroke_color or self.color


@lru_cache(maxsize=16)
def root_style(host: HostDefaults) -> Computed:
    """The page's root style; one object per host, so ``StyleCache`` keys stay stable."""
    return Computed(
        families=parse_font_families(host.font_family) or ("serif",),
        font_px=host.font_size_px,
        weight=host.font_weight,
        color=parse_color(host.color) or (0, 0, 0, 1),
        line_height=_line_height(host.line_height, host.font_size_px) or ("normal", 0.0),
        text_align="start",
        white_space="normal",
        shadows=(),
        stroke_width=0.0,
        stroke_color=None,
        fill_color=None,
    )


def _font_size(value: str, parent_px: float) -> float | None:
    """The computed font size, capped as Chromium caps it (kMaximumAllowedFontSize)."""
    length = parse_length(value)
    if length is None or length.value < 0:
        return None
    if length.unit == "%":
        return min(MAX_FONT_PX, parent_px * length.value / 100)
    px = length.resolve(None, parent_px)
    return min(MAX_FONT_PX, px) if px is not None else None


def _px(value: str | None, font_px: float) -> float | None:
    if value is None:
        return None
    length = parse_length(value)
    if length is None or length.unit == "%":
        return None
    return length.resolve(None, font_px)


def compute(inline: dict[str, str], parent: Computed) -> Computed:
    """Computed style of an element whose inline style is ``inline``."""
    s = inline
    font_px = parent.font_px
    if "font-size" in s:
        font_px = _font_size(s["font-size"], parent.font_px) or parent.font_px
    color = parse_color(s.get("color")) or parent.color
    families = parse_font_families(s.get("font-family")) or parent.families
    weight = parent.weight
    if "font-weight" in s:
        weight = parse_font_weight(s["font-weight"], parent.weight) or parent.weight
    line_height = parent.line_height
    if "line-height" in s:
        line_height = _line_height(s["line-height"], font_px) or parent.line_height
    shadows = parent.shadows
    if "text-shadow" in s:
        parsed = parse_text_shadow(s["text-shadow"])
        shadows = parsed if parsed is not None else parent.shadows
    stroke_width = parent.stroke_width
    if "-webkit-text-stroke-width" in s:
        w = _px(s["-webkit-text-stroke-width"], font_px)
        stroke_width = w if w is not None else stroke_width
    stroke_color = parent.stroke_color
    if "-webkit-text-stroke-color" in s:
        stroke_color = parse_color(s["-webkit-text-stroke-color"]) or stroke_color
    fill_color = parent.fill_color
    if "-webkit-text-fill-color" in s:
        fill_color = parse_color(s["-webkit-text-fill-color"]) or fill_color
    text_align = s.get("text-align", parent.text_align)
    white_space = s.get("white-space", parent.white_space)

    out = Computed(
        families=families,
        font_px=font_px,
        weight=weight,
        color=color,
        line_height=line_height,
        text_align=text_align,
        white_space=white_space,
        shadows=shadows,
        stroke_width=stroke_width,
        stroke_color=stroke_color,
        fill_color=fill_color,
    )
    return _non_inherited(out, s, font_px)


class StyleCache:
    """``compute`` memoised on (parent style, inline style). Mounting lays the same elements
    out many times and styles hardly change between layouts; ``Computed`` is frozen, so boxes
    may share one. The parent is keyed by identity (hashing every field costs more than the
    lookup saves) and kept in the entry, so its id cannot be reused while the entry lives."""

    def __init__(self, max_entries: int = 8192) -> None:
        self.max_entries = max_entries
        self._memo: dict[tuple, tuple[Computed, Computed]] = {}

    def compute(self, inline: dict[str, str], parent: Computed) -> Computed:
        key = (id(parent), tuple(inline.items()))
        hit = self._memo.get(key)
        if hit is not None and hit[0] is parent:
            return hit[1]
        if len(self._memo) >= self.max_entries:
            self._memo.clear()  # styles animated by plugins must not grow it without bound
        out = compute(inline, parent)
        self._memo[key] = (parent, out)
        return out


def _line_height(value: str, font_px: float) -> tuple[str, float] | None:
    v = value.strip().lower()
    if v == "normal":
        return ("normal", 0.0)
    number = parse_number(v)
    if number is not None:
        return ("number", number) if number >= 0 else None
    length = parse_length(v)
    if length is None or length.value < 0:
        return None
    # the used line height is a LayoutUnit: it saturates
    if length.unit == "%":
        return ("px", saturate_layout(font_px * length.value / 100))
    px = length.resolve(None, font_px)
    return ("px", px) if px is not None else None


def _side_px(value: str | None, font_px: float) -> tuple[float, float, float, float] | None:
    if value is None:
        return None
    box = parse_box_shorthand(value)
    if box is None:
        return None
    out = [b.resolve(None, font_px) for b in box]
    return None if any(v is None for v in out) else tuple(out)  # type: ignore[return-value]


def _len(value: str | None, allow_negative: bool = False) -> Length | None:
    if value is None or value.strip() in ("auto", "none"):
        return None
    length = parse_length(value)
    return length if length is None or allow_negative or length.value >= 0 else None


def _non_inherited(out: Computed, s: dict[str, str], font_px: float) -> Computed:
    changes: dict = {}
    for prop, key in (
        ("display", "display"),
        ("position", "position"),
        ("flex-direction", "flex_direction"),
        ("flex-wrap", "flex_wrap"),
        ("align-items", "align_items"),
        ("justify-content", "justify_content"),
        ("transform", "transform"),
        ("transform-origin", "transform_origin"),
        ("overflow", "overflow"),
    ):
        if prop in s:
            changes[key] = s[prop].strip()
    for prop, key in (
        ("left", "left"),
        ("top", "top"),
        ("width", "width"),
        ("height", "height"),
        ("min-width", "min_width"),
        ("max-width", "max_width"),
        ("min-height", "min_height"),
        ("max-height", "max_height"),
        ("border-radius", "radius"),
    ):
        if prop in s:
            changes[key] = _len(s[prop], allow_negative=prop in ("left", "top"))
    if "padding" in s:
        changes["padding"] = parse_box_shorthand(s["padding"])
    margin = list(out.margin)
    if "margin" in s:
        margin = list(_side_px(s["margin"], font_px) or margin)
    for i, side in enumerate(("top", "right", "bottom", "left")):
        v = _px(s.get(f"margin-{side}"), font_px)
        if v is not None:
            margin[i] = v
    changes["margin"] = tuple(margin)
    if s.get("border-style", "none") not in ("none", "hidden"):
        bw = _px(s.get("border-width"), font_px)
        bw = 3.0 if bw is None else bw  # CSS "medium"
        changes["border_width"] = (bw, bw, bw, bw)
        changes["border_color"] = parse_color(s.get("border-color"))
    if "background-color" in s:
        changes["background"] = parse_color(s["background-color"])
    if "opacity" in s:
        try:
            changes["opacity"] = min(1.0, max(0.0, float(s["opacity"])))
        except ValueError:
            pass
    for prop, key in (("row-gap", "row_gap"), ("column-gap", "column_gap")):
        v = _px(s.get(prop), font_px)
        if v is not None:
            changes[key] = v
    if "flex" in s:
        parts = s["flex"].split()
        try:
            changes["flex_grow"] = float(parts[0])
            changes["flex_shrink"] = float(parts[1]) if len(parts) > 1 else 1.0
        except (ValueError, IndexError):
            pass
    return replace(out, **changes)
