"""Line-box helpers shared by block flow (``engine``) and DOM-plugin unit layout (``units``):
the font a computed style selects, the strut every line box starts from, and where
``text-align`` puts a line inside its box."""

from __future__ import annotations

from ..display_list import FontSpec
from .style import Computed
from .text import LineExtent, TextLayout


def font_of(cs: Computed) -> FontSpec:
    return FontSpec(cs.families, cs.font_px, cs.weight)


def strut(text: TextLayout, cs: Computed) -> LineExtent:
    """The line box's minimum extent: an empty run in the box's own font and line height."""
    return text.line_extent("", font_of(cs), cs.line_height)


def align_offset(text_align: str, avail: float, width: float) -> float:
    """Offset of a line of ``width`` inside ``avail``; an overflowing line starts at 0."""
    free = avail - width
    if free <= 0:
        return 0.0
    if text_align == "center":
        return free / 2
    if text_align in ("right", "end"):
        return free
    return 0.0
