"""Laid-out boxes -> display list, in CSS paint order (spec 11): inside each stacking
context, the backgrounds of non-positioned descendants first, then positioned descendants
(absolutely positioned outers, base wrappers, elements with opacity < 1) in tree order.
"""

from __future__ import annotations

import math
from typing import Any

from .css import Rgba, Shadow, parse_length
from .display_list import (
    BeginLayer,
    BoxPaint,
    DisplayList,
    EndLayer,
    GlowPaint,
    ImagePaint,
    TextLine,
    TextPaint,
)
from .geometry import Matrix, scale, translate
from .layout.boxes import Box
from .layout.inline import font_of
from .paint_units import paint_units, unit_matrix


def _is_context(box: Box) -> bool:
    return box.is_wrapper or box.is_abs or box.cs.opacity < 1.0


def _opacity(box: Box) -> float:
    if box.is_wrapper:
        return _channel_opacity(box.el.channels.get("opacity"))
    return box.cs.opacity


def _channel_opacity(value: Any) -> float:
    try:
        return min(1.0, max(0.0, float(value)))
    except (TypeError, ValueError):
        return 1.0


def paint(root: Box, width: int, height: int) -> DisplayList:
    dl = DisplayList(width, height)
    _context(root, dl.items, is_root=True)
    return dl


def _context(box: Box, items: list, is_root: bool = False) -> None:
    opacity = 1.0 if is_root else _opacity(box)
    if opacity <= 0.0:
        return
    layered = opacity < 1.0 or box.cs.overflow in ("hidden", "clip")
    if layered:
        clip = (0.0, 0.0, box.w, box.h) if box.cs.overflow in ("hidden", "clip") else None
        items.append(
            BeginLayer(opacity=opacity, clip_matrix=box.matrix if clip else None, clip_rect=clip)
        )
    _own_paint(box, items)
    _backgrounds(box, items)
    _positioned(box, items)
    if layered:
        items.append(EndLayer())


def _backgrounds(box: Box, items: list) -> None:
    for child in box.children:
        if _is_context(child):
            continue
        _own_paint(child, items)
        _backgrounds(child, items)


def _positioned(box: Box, items: list) -> None:
    for child in box.children:
        if _is_context(child):
            _context(child, items)
        else:
            _positioned(child, items)


def _own_paint(box: Box, items: list) -> None:
    if box.is_wrapper:
        _text(box, items)
        return
    cs = box.cs
    has_border = any(cs.border_width) and cs.border_color is not None
    if (cs.background is None or cs.background[3] == 0) and not has_border:
        return
    radius = 0.0
    if cs.radius is not None:
        radius = cs.radius.resolve(min(box.w, box.h), cs.font_px) or 0.0
    items.append(
        BoxPaint(
            box.matrix,
            _snapped_rect(box),
            radius,
            cs.background,
            cs.border_width,
            cs.border_color if has_border else None,
        )
    )


def _snapped_rect(box: Box) -> tuple[float, float, float, float]:
    """Blink pixel-snaps backgrounds and borders in the box's transform space: edges at
    round(offset) and round(offset + size), expressed back in local coordinates."""
    sx, sy = box.space_offset
    x0, y0 = math.floor(sx + 0.5) - sx, math.floor(sy + 0.5) - sy
    x1, y1 = math.floor(sx + box.w + 0.5) - sx, math.floor(sy + box.h + 0.5) - sy
    return (x0, y0, x1 - x0, y1 - y0)


def _text(box: Box, items: list) -> None:
    """The effects root's content; composited in its own layer while GSAP gives the effects
    root a 3-D transform (see ``raster_grid``)."""
    root = box.el.effects.root
    grid = None
    if root is not None and root.composited:
        grid = raster_grid(box.raster_space, box.matrix @ unit_matrix(root, box.w, box.h))
    if grid is None:
        _effects_root(box, items)
        return
    items.append(BeginLayer(raster_space=grid))
    _effects_root(box, items)
    items.append(EndLayer())


def raster_grid(space: Matrix, layer: Matrix) -> Matrix | None:
    """The pixel grid Chromium rasterizes a composited layer in (``layer``: the layer's local
    coords -> stage), as measured in Chromium 156: the axes of ``space`` (the nearest
    non-translation transform space around the layer) at its screen scale (a raster pixel is
    about a stage pixel), with its origin at the whole-unit (floored) part of the layer's
    offset in ``space``. Moving the layer by whole units moves its raster; the fraction is
    rasterized, where glyph baselines snap to whole raster pixels. So inside a 30° rotated
    element a bobbing text moves in whole pixels along the rotated axis, and reaches the
    stage bilinearly resampled.

    None when the layer is scaled or turned within ``space`` (pulse's effects root): there
    the raster's phase is not pinned down (measured errors up to 0.65 px either way), so such
    a layer is drawn straight onto the stage, as a non-composited one."""
    try:
        m = (space.inverse() @ layer).m
    except ZeroDivisionError:  # a singular space (scale 0): nothing to snap to
        return None
    offsets = (m[0] - 1, m[1], m[3], m[4] - 1, m[6], m[7], m[8] - 1)
    # Written so that NaN (extreme inputs) also falls back: max() would let it through.
    if not all(math.isfinite(v) for v in m) or not all(abs(v) <= 1e-9 for v in offsets):
        return None
    a, b, _, d, e = space.m[:5]
    return (
        space
        @ translate(math.floor(m[2]), math.floor(m[5]))
        @ scale(1 / math.hypot(a, d), 1 / math.hypot(b, e))
    )


def _effects_root(box: Box, items: list) -> None:
    effects = box.el.effects
    cs = box.cs
    matrix = box.matrix
    if effects.root is not None:
        matrix = matrix @ unit_matrix(effects.root, box.w, box.h)
    for deco in effects.decorations:
        if deco.kind == "glow":
            items.append(GlowPaint(matrix, (0.0, 0.0, box.w, box.h), deco.color, deco.opacity))
        elif deco.kind == "flames":
            items.append(
                ImagePaint(
                    matrix, (0.0, 0.0, box.w, box.h), "flame", deco.frame_index, deco.opacity
                )
            )
    shadows = effects.wrapper_shadows if effects.wrapper_shadows is not None else cs.shadows
    if box.unit_boxes:
        paint_units(box, matrix, shadows, items)
        return
    if not box.lines:
        return
    # Blink snaps each baseline to a whole pixel of its transform space (the wrapper's), where
    # the wrapper's origin sits at its carried subpixel offset; the space's own screen offset
    # may stay fractional (measured with line-height 1.6: top 200.25 puts the second of 86.39 px
    # lines one pixel lower than top 200, and a translate(-50%) of 129.59 px does not).
    fy = box.space_offset[1]
    lines = tuple(
        TextLine(x, math.floor(fy + top + line.extent.above + 0.5) - fy, line.text, line.width)
        for line, x, top in zip(box.lines, box.line_x, box.line_top)
    )
    items.append(
        TextPaint(
            matrix,
            font_of(cs),
            lines,
            cs.fill,
            cs.stroke_width,
            cs.stroke if cs.stroke_width > 0 else None,
            resolve_shadows(shadows, cs.color),
        )
    )


def resolve_shadows(shadows: tuple[Shadow, ...], color: Rgba) -> tuple[Shadow, ...]:
    """currentColor shadows take the element's colour."""
    return tuple(s if s.color is not None else Shadow(s.dx, s.dy, s.blur, color) for s in shadows)


__all__ = ["paint", "parse_length"]
