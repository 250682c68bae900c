"""Paint of a DOM plugin's spans: each unit with its own transform (about its origin, under
the container's perspective), colour, shadows, opacity, filters and blend (plugins spec 2.11)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .css import Rgba, Shadow
from .display_list import BeginLayer, EndLayer, FontSpec, TextLine, TextPaint
from .effects import UnitTransform
from .geometry import Matrix, css3d, translate

if TYPE_CHECKING:
    from .layout.boxes import Box


def unit_matrix(
    t: UnitTransform, w: float, h: float, perspective_origin: tuple[float, float] = (0.0, 0.0)
) -> Matrix:
    """The transform of a box of size w x h, in the box's own coordinates."""
    if t.is_identity and not t.perspective:
        return Matrix()
    return css3d(
        t.x,
        t.y,
        t.rotation,
        t.rotation_y,
        t.rotation_x,
        t.skew_x,
        t.scale_x,
        t.scale_y,
        (t.origin[0] * w, t.origin[1] * h),
        t.perspective,
        perspective_origin,
    )


def paint_units(box: Box, matrix: Matrix, shadows: tuple[Shadow, ...], items: list) -> None:
    cs = box.cs
    effects = box.el.effects
    flow = [ub for ub in box.unit_boxes if not ub.unit.absolute] or box.unit_boxes
    x0 = min(ub.x for ub in flow)
    y0 = min(ub.top for ub in flow)
    x1 = max(ub.x + ub.w for ub in flow)
    y1 = max(ub.top + ub.h for ub in flow)
    if effects.group is not None:
        matrix = (
            matrix
            @ translate(x0, y0)
            @ unit_matrix(effects.group, x1 - x0, y1 - y0)
            @ translate(-x0, -y0)
        )
    isolate = any(ub.unit.style.blend != "normal" for ub in box.unit_boxes)
    if isolate:
        items.append(BeginLayer())
    stroke = cs.stroke if cs.stroke_width > 0 else None
    for ub in box.unit_boxes:
        unit = ub.unit
        if unit.hidden or not unit.text:
            continue
        style = unit.style
        center = ((x0 + x1) / 2 - ub.x, (y0 + y1) / 2 - ub.top)
        m = matrix @ translate(ub.x, ub.top) @ unit_matrix(unit.transform, ub.w, ub.h, center)
        color: Rgba = style.color or effects.group_color or cs.color
        fill = cs.fill_color or color  # -webkit-text-fill-color beats the span's colour
        unit_shadows = style.shadows if style.shadows is not None else shadows
        font = FontSpec(cs.families, cs.font_px, style.font_weight or cs.weight)
        layered = style.opacity < 1.0 or style.filters or style.blend != "normal" or unit.clip
        if style.opacity <= 0:
            continue
        if layered:
            items.append(
                BeginLayer(
                    opacity=max(0.0, min(1.0, style.opacity)),
                    clip_matrix=m if unit.clip else None,
                    clip_rect=(0.0, 0.0, ub.w, ub.h) if unit.clip else None,
                    filters=style.filters,
                    blend=style.blend,
                )
            )
        items.append(
            TextPaint(
                m,
                font,
                (TextLine(0.0, ub.baseline, unit.text, ub.w),),
                fill,
                cs.stroke_width,
                stroke,
                tuple(
                    s if s.color is not None else Shadow(s.dx, s.dy, s.blur, color)
                    for s in unit_shadows
                ),
            )
        )
        if layered:
            items.append(EndLayer())
    if isolate:
        items.append(EndLayer())
