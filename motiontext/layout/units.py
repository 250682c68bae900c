"""Inline layout of a DOM plugin's spans: every unit is an inline-block measured on its own
(kerning across units is lost, as in the browser), lines break between units when they
overflow, and absolutely positioned units sit at the container origin."""

from __future__ import annotations

from ..display_list import FontSpec
from ..effects import Unit
from .boxes import Box, UnitBox
from .inline import align_offset, strut
from .text import LineExtent, TextLayout


def _font(box: Box, unit: Unit) -> FontSpec:
    cs = box.cs
    return FontSpec(cs.families, cs.font_px, unit.style.font_weight or cs.weight)


def unit_size(text: TextLayout, box: Box, unit: Unit) -> tuple[float, LineExtent]:
    font = _font(box, unit)
    width = text.advance(unit.text, font) + 2 * unit.margin_em * font.size_px
    return width, text.line_extent(unit.text, font, box.cs.line_height)


def unit_intrinsic(text: TextLayout, box: Box) -> tuple[float, float]:
    units = box.el.effects.units or []
    widest, line, longest = 0.0, 0.0, 0.0
    for unit in units:
        if unit.absolute:
            continue
        w, _ = unit_size(text, box, unit)
        if unit.line_break_before:
            longest, line = max(longest, line), 0.0
        line += w
        widest = max(widest, w)
    return widest, max(longest, line)


def _in_line(unit: Unit, ext: LineExtent) -> LineExtent:
    """How the unit sits on the line: an inline-block whose overflow is not visible (a
    clipping unit) has its baseline at its bottom margin edge (CSS 2.1 10.8.1)."""
    return LineExtent(ext.height, 0.0) if unit.clip else ext


def layout_units(text: TextLayout, box: Box, avail: float) -> None:
    cs = box.cs
    line_strut = strut(text, cs)
    lines: list[list[tuple[Unit, float, LineExtent]]] = [[]]
    used = 0.0
    absolute: list[tuple[Unit, float, LineExtent]] = []
    for unit in box.el.effects.units or []:
        w, ext = unit_size(text, box, unit)
        if unit.absolute:
            absolute.append((unit, w, ext))
            continue
        overflow = lines[-1] and used + w > avail + 1e-6 and cs.white_space != "nowrap"
        if (unit.line_break_before and lines[-1]) or overflow:
            lines.append([])
            used = 0.0
        lines[-1].append((unit, w, ext))
        used += w
    box.unit_boxes = []
    y = 0.0
    first_above, first_x = line_strut.above, 0.0
    for i, line in enumerate(lines):
        above = max([line_strut.above] + [_in_line(u, e).above for u, _, e in line])
        below = max([line_strut.below] + [_in_line(u, e).below for u, _, e in line])
        if i == 0:
            first_above = above
        total = sum(w for _, w, _ in line)
        x = align_offset(cs.text_align, avail, total)
        if i == 0:
            first_x = x
        for unit, w, ext in line:
            font_px = cs.font_px
            top = y + above - _in_line(unit, ext).above
            box.unit_boxes.append(
                UnitBox(
                    unit,
                    x + unit.margin_em * font_px,
                    top,
                    w - 2 * unit.margin_em * font_px,
                    ext.height,
                    ext.above,
                )
            )
            x += w
        y += above + below
        box.baseline = y - below
    for unit, w, ext in absolute:
        box.unit_boxes.append(
            UnitBox(unit, first_x, first_above - ext.above, w, ext.height, ext.above)
        )
    box.h = y
