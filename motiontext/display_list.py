"""The display list: what one frame draws, as plain data in stage pixels.

Items are painted in list order. ``matrix`` maps an item's local coordinates to stage pixels.
Colours are straight-alpha RGBA floats (0..1). ``BeginLayer``/``EndLayer`` bracket content
that is composited as one layer (CSS opacity, filters, clips).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .css import Rgba, Shadow
from .geometry import Matrix


@dataclass(frozen=True, slots=True)
class FontSpec:
    families: tuple[str, ...]  # CSS family list, generic names included
    size_px: float
    weight: int


@dataclass(frozen=True, slots=True)
class BeginLayer:
    opacity: float = 1.0
    clip_matrix: Matrix | None = None  # clip rectangle's transform
    clip_rect: tuple[float, float, float, float] | None = None  # x, y, w, h (local)
    filters: tuple[tuple[str, float], ...] = ()  # CSS filter functions, in order
    blend: str = "normal"  # how the layer composites onto what is below: "normal"|"screen"
    # A composited layer (Chromium gives an element its own layer, e.g. for a 3-D transform):
    # the content is rasterized axis-aligned in this space's pixel grid (its local integer
    # coordinates), and that raster is drawn onto the stage through this matrix with bilinear
    # filtering. None: the content is drawn straight onto the stage.
    raster_space: Matrix | None = None


@dataclass(frozen=True, slots=True)
class EndLayer:
    pass


@dataclass(frozen=True, slots=True)
class BoxPaint:
    matrix: Matrix
    rect: tuple[float, float, float, float]  # border box x, y, w, h (local)
    radius: float
    background: Rgba | None
    border_width: tuple[float, float, float, float]  # top, right, bottom, left
    border_color: Rgba | None


@dataclass(frozen=True, slots=True)
class TextLine:
    x: float  # left of the line's first glyph (local)
    baseline: float  # local y of the baseline
    text: str
    width: float


@dataclass(frozen=True, slots=True)
class TextPaint:
    matrix: Matrix
    font: FontSpec
    lines: tuple[TextLine, ...]
    fill: Rgba
    stroke_width: float
    stroke_color: Rgba | None
    shadows: tuple[Shadow, ...]  # CSS order: the first listed is painted on top
    color_overrides: tuple[tuple[int, int, Rgba], ...] = ()  # (start, end, colour) per line text


@dataclass(frozen=True, slots=True)
class GlowPaint:
    """glow's blurred radial gradient behind the text (plugins spec 4.7)."""

    matrix: Matrix
    rect: tuple[float, float, float, float]  # effects root box x, y, w, h (local)
    color: Rgba  # gradient colour, alpha = intensity
    opacity: float  # layer opacity k


@dataclass(frozen=True, slots=True)
class ImagePaint:
    """An animated image drawn with object-fit: cover over ``rect`` (flames)."""

    matrix: Matrix
    rect: tuple[float, float, float, float]
    image: str  # asset name, e.g. "flame"
    frame_index: int
    opacity: float


Item = BeginLayer | EndLayer | BoxPaint | TextPaint | GlowPaint | ImagePaint


@dataclass(slots=True)
class DisplayList:
    width: int
    height: int
    items: list[Item] = field(default_factory=list)

    def signature(self) -> int:
        """Equal lists hash equal: lets the rasterizer reuse the previous overlay."""
        return hash(tuple(self.items))
