"""Skia draws a display list into an RGBA buffer backed by numpy (premultiplied RGBA8888,
owned by the ``Rasterizer``; no per-frame copies)."""

from __future__ import annotations

import dataclasses
import math
from functools import lru_cache

import numpy as np
import skia

from motiontext.css import Rgba
from motiontext.display_list import (
    BeginLayer,
    BoxPaint,
    DisplayList,
    EndLayer,
    FontSpec,
    GlowPaint,
    ImagePaint,
    TextPaint,
)
from motiontext.geometry import Matrix, translate

from .text import SkiaShaper

# Measured against Chromium 156 (white glyph edges): its coverage is about c^(1/1.2) where
# skia-python's default is about c^(1/2.3), so a^(2.3/1.2) maps ours onto Chromium's.
TEXT_GAMMA_EXPONENT = 2.3 / 1.2
_GLOW_BLUR = 24.0  # sigma of glow's gradient blur, px
_TEXT_GAMMA_SKSL = """
uniform half opacity;
half4 main(half4 c) {
  if (c.a <= 0.0) { return half4(0); }
  half a = pow(c.a, EXPONENT) * opacity;
  return half4(c.rgb / c.a * a, a);
}
"""
_TEXT_GAMMA_EFFECT = skia.RuntimeEffect.MakeForColorFilter(
    _TEXT_GAMMA_SKSL.replace("EXPONENT", f"{TEXT_GAMMA_EXPONENT:.6f}")
)


@lru_cache(maxsize=256)
def text_gamma_paint(opacity: float) -> skia.Paint:
    """Layer paint remapping glyph coverage (drawn opaque) and then applying the colour's
    alpha, so the gamma acts on coverage alone, as in Skia's glyph masks."""
    data = skia.Data.MakeWithCopy(np.array([opacity], dtype=np.float32).tobytes())
    return skia.Paint(ColorFilter=_TEXT_GAMMA_EFFECT.makeColorFilter(data))


def to_skia_matrix(m: Matrix) -> skia.Matrix:
    return skia.Matrix.MakeAll(*m.m)


def to_color4f(c: Rgba, alpha_scale: float = 1.0) -> skia.Color4f:
    return skia.Color4f(c[0], c[1], c[2], c[3] * alpha_scale)


class Rasterizer:
    def __init__(self, width: int, height: int, shaper: SkiaShaper) -> None:
        self.width, self.height = width, height
        self.shaper = shaper
        self.pixels = np.zeros((height, width, 4), dtype=np.uint8)
        self.surface = skia.Surface(self.pixels, alphaType=skia.kPremul_AlphaType)
        self.canvas = self.surface.getCanvas()
        self._paragraph = lru_cache(maxsize=2048)(self._build_paragraph)

    def draw(self, dl: DisplayList, clear: bool = True) -> np.ndarray:
        """Draw ``dl`` over a cleared buffer; returns the (H, W, 4) premultiplied pixels.
        ``clear=False``: the caller has zeroed ``pixels`` (all that may be non-zero)."""
        if clear:
            self.canvas.clear(skia.Color4f(0, 0, 0, 0))
        self._draw_items(dl.items)
        self.surface.flushAndSubmit()
        return self.pixels

    def _draw_items(self, items: list) -> None:
        canvas = self.canvas
        depth = 0
        index = 0
        while index < len(items):
            item = items[index]
            index += 1
            if isinstance(item, BeginLayer) and item.raster_space is not None:
                end = _matching_end(items, index)
                self._composited(items[index:end], item.raster_space)
                index = end + 1
            elif isinstance(item, BeginLayer):
                canvas.save()
                depth += 1
                if item.clip_rect is not None and item.clip_matrix is not None:
                    canvas.setMatrix(to_skia_matrix(item.clip_matrix))
                    canvas.clipRect(skia.Rect.MakeXYWH(*item.clip_rect), doAntiAlias=True)
                    canvas.resetMatrix()
                paint = skia.Paint(Alphaf=item.opacity)
                image_filter = css_filters(item.filters)
                if image_filter is not None:
                    paint.setImageFilter(image_filter)
                if item.blend == "screen":
                    paint.setBlendMode(skia.BlendMode.kScreen)
                if (
                    item.clip_rect is not None
                    and item.opacity >= 1.0
                    and image_filter is None
                    and item.blend == "normal"
                ):
                    canvas.save()  # a pure clip (the stage's overflow) needs no offscreen layer
                else:
                    canvas.saveLayer(None, paint)
            elif isinstance(item, EndLayer):
                canvas.restore()
                canvas.restore()
                depth -= 1
            elif isinstance(item, BoxPaint):
                self._box(item)
            elif isinstance(item, TextPaint):
                self._text(item)
            elif isinstance(item, GlowPaint):
                self._glow(item)
            elif isinstance(item, ImagePaint):
                self._image(item)
        while depth:
            canvas.restore()
            canvas.restore()
            depth -= 1

    def _composited(self, items: list, space: Matrix) -> None:
        """Chromium's composited layer: ``items`` rasterized axis-aligned in the pixel grid of
        ``space`` (its local integer coordinates; glyphs snap there), then drawn through
        ``space`` with bilinear filtering. An axis-aligned grid gives the same pixels as
        drawing straight onto the stage (the compositor rasterizes at the layer's scale and
        fractional offset), so that is what it does."""
        b, d, g, h = space.m[1], space.m[3], space.m[6], space.m[7]
        if abs(b) < 1e-9 and abs(d) < 1e-9 and abs(g) < 1e-9 and abs(h) < 1e-9:
            self._draw_items(items)
            return
        to_space = space.inverse()
        box = _layer_bounds(items, to_space)
        if box is None:
            return
        x0, y0, x1, y1 = box
        if x1 <= x0 or y1 <= y0:
            return
        if (x1 - x0) * (y1 - y0) > _MAX_LAYER_PIXELS:
            self._draw_items(items)  # a degenerate projection: no sane raster grid
            return
        surface = skia.Surface.MakeRaster(
            skia.ImageInfo.Make(x1 - x0, y1 - y0, skia.kRGBA_8888_ColorType, skia.kPremul_AlphaType)
        )
        to_raster = translate(-x0, -y0) @ to_space
        stage_canvas = self.canvas
        self.canvas = surface.getCanvas()
        try:
            self.canvas.clear(skia.Color4f(0, 0, 0, 0))
            self._draw_items([_reframe(item, to_raster) for item in items])
        finally:
            self.canvas = stage_canvas
        stage_canvas.setMatrix(to_skia_matrix(space @ translate(x0, y0)))
        stage_canvas.drawImage(
            surface.makeImageSnapshot(),
            0,
            0,
            skia.SamplingOptions(skia.FilterMode.kLinear),
            skia.Paint(),
        )
        stage_canvas.resetMatrix()

    def _box(self, item: BoxPaint) -> None:
        canvas = self.canvas
        canvas.setMatrix(to_skia_matrix(item.matrix))
        x, y, w, h = item.rect
        outer = skia.RRect.MakeRectXY(skia.Rect.MakeXYWH(x, y, w, h), item.radius, item.radius)
        if item.background is not None and item.background[3] > 0:
            canvas.drawRRect(outer, skia.Paint(Color4f=to_color4f(item.background), AntiAlias=True))
        if item.border_color is not None:
            t, r, b, left = item.border_width
            inner_rect = skia.Rect.MakeLTRB(x + left, y + t, x + w - r, y + h - b)
            inner_r = max(0.0, item.radius - max(item.border_width))
            inner = skia.RRect.MakeRectXY(inner_rect, inner_r, inner_r)
            canvas.drawDRRect(
                outer, inner, skia.Paint(Color4f=to_color4f(item.border_color), AntiAlias=True)
            )
        canvas.resetMatrix()

    def _glow(self, item: GlowPaint) -> None:
        canvas = self.canvas
        x, y, w, h = item.rect
        cx, cy = x + w / 2, y + h / 2
        rho = 0.5 * (w * w + h * h) ** 0.5
        if rho <= 0 or item.opacity <= 0:
            return
        solid = to_color4f(item.color).toColor()
        clear = skia.Color4f(item.color[0], item.color[1], item.color[2], 0.0).toColor()
        shader = skia.GradientShader.MakeRadial(
            skia.Point(cx, cy),
            0.8 * rho,
            [solid, solid, clear],
            [0.0, 0.3 / 0.8, 1.0],
            skia.TileMode.kClamp,
            skia.GradientShader.Flags.kInterpolateColorsInPremul_Flag,
        )
        layer = skia.Paint(
            Alphaf=min(1.0, max(0.0, item.opacity)),
            ImageFilter=skia.ImageFilters.Blur(_GLOW_BLUR, _GLOW_BLUR),
        )
        canvas.setMatrix(to_skia_matrix(item.matrix))
        canvas.saveLayer(None, layer)
        canvas.drawRect(skia.Rect.MakeXYWH(x, y, w, h), skia.Paint(Shader=shader, AntiAlias=True))
        canvas.restore()
        canvas.resetMatrix()

    def _image(self, item: ImagePaint) -> None:
        from .animated_assets import draw_asset_frame

        self.canvas.setMatrix(to_skia_matrix(item.matrix))
        draw_asset_frame(self.canvas, item.image, item.frame_index, item.rect, item.opacity)
        self.canvas.resetMatrix()

    def _build_paragraph(
        self, text: str, font: FontSpec, kind: str, color: Rgba, width: float, sigma: float
    ):
        """``kind``: "fill" (text glyphs in ``color``, colour glyphs hidden: they are painted
        apart, outside the text-gamma layer), "colour" (colour glyphs alone, faded by the
        alpha of ``color``), "shadow" (every glyph as a silhouette in ``color``, as Chromium
        shades colour emoji), "stroke"."""
        paint = skia.Paint(AntiAlias=True, Color4f=to_color4f(color))
        colour_paint = None
        if kind == "stroke":
            paint.setStyle(skia.Paint.kStroke_Style)
            paint.setStrokeWidth(width)
        elif kind == "shadow":
            # opaque paint: the filter's colour carries the alpha, applied once
            paint.setColor4f(to_color4f(color[:3] + (1.0,)))
            paint.setColorFilter(_silhouette(color))
        elif kind == "fill":
            colour_paint = skia.Paint(Color4f=skia.Color4f(0, 0, 0, 0))
        elif kind == "colour":
            colour_paint = paint
            paint = skia.Paint(Color4f=skia.Color4f(0, 0, 0, 0))
        if sigma > 0:
            paint.setMaskFilter(skia.MaskFilter.MakeBlur(skia.kNormal_BlurStyle, sigma))
        return self.shaper.paragraph(text, font, paint, colour_paint)

    def _text(self, item: TextPaint) -> None:
        canvas = self.canvas
        canvas.setMatrix(to_skia_matrix(item.matrix))
        for line in item.lines:
            if not line.text:
                continue
            # shadows: the first listed is on top, so paint them in reverse
            for shadow in reversed(item.shadows):
                assert shadow.color is not None
                para = self._paragraph(
                    line.text, item.font, "shadow", shadow.color, 0.0, shadow.blur / 2
                )
                para.paint(
                    canvas,
                    line.x + shadow.dx,
                    line.baseline - _painted_baseline(para) + shadow.dy,
                )
            opaque = (item.fill[0], item.fill[1], item.fill[2], 1.0)
            fill = self._paragraph(line.text, item.font, "fill", opaque, 0.0, 0.0)
            top = line.baseline - _painted_baseline(fill)
            # Chromium's glyph masks go through Skia's text gamma, which skia-python does
            # not expose: remap the coverage of the fill glyphs instead.
            canvas.saveLayer(
                skia.Rect.MakeXYWH(line.x - 4, top - 4, fill.LongestLine + 8, fill.Height + 8),
                text_gamma_paint(round(item.fill[3], 4)),
            )
            fill.paint(canvas, line.x, top)
            canvas.restore()
            if self.shaper.has_colour_glyphs(line.text, item.font):
                # colour glyphs are images: no gamma, faded by the text colour's alpha
                colour = self._paragraph(line.text, item.font, "colour", item.fill, 0.0, 0.0)
                colour.paint(canvas, line.x, top)
            if item.stroke_color is not None and item.stroke_width > 0:
                stroke = self._paragraph(
                    line.text, item.font, "stroke", item.stroke_color, item.stroke_width, 0.0
                )
                stroke.paint(canvas, line.x, line.baseline - _painted_baseline(stroke))
        canvas.resetMatrix()


@lru_cache(maxsize=256)
def _silhouette(color: Rgba) -> skia.ColorFilter:
    """Paints ``color`` wherever a glyph has coverage: text glyphs are unchanged, colour
    glyphs (emoji images) become their alpha silhouette, as Chromium's text-shadow draws."""
    return skia.ColorFilters.Blend(to_color4f(color).toColor(), skia.BlendMode.kSrcIn)


_MAX_LAYER_PIXELS = 4096 * 4096


def _matching_end(items: list, start: int) -> int:
    """Index of the EndLayer closing the layer whose content starts at ``start``."""
    depth = 1
    for index in range(start, len(items)):
        if isinstance(items[index], BeginLayer):
            depth += 1
        elif isinstance(items[index], EndLayer):
            depth -= 1
            if depth == 0:
                return index
    return len(items)


def _reframe(item, m: Matrix):
    """``item`` with its matrices premultiplied by ``m`` (drawn in another space)."""
    if isinstance(item, BeginLayer):
        return dataclasses.replace(
            item,
            clip_matrix=None if item.clip_matrix is None else m @ item.clip_matrix,
            raster_space=None if item.raster_space is None else m @ item.raster_space,
        )
    if isinstance(item, EndLayer):
        return item
    return dataclasses.replace(item, matrix=m @ item.matrix)


def _item_rects(item) -> list[tuple[float, float, float, float]]:
    """Generous local (x0, y0, x1, y1) rects that hold everything ``item`` may paint."""
    if isinstance(item, TextPaint):
        size = item.font.size_px
        reach = (
            item.stroke_width
            + 2
            + max((max(abs(s.dx), abs(s.dy)) + 2 * s.blur for s in item.shadows), default=0.0)
        )
        return [
            (
                line.x - 0.5 * size - reach,
                line.baseline - 1.5 * size - reach,
                line.x + line.width + 0.5 * size + reach,
                line.baseline + size + reach,
            )
            for line in item.lines
        ]
    if isinstance(item, (BoxPaint, GlowPaint, ImagePaint)):
        x, y, w, h = item.rect
        reach = 3 * _GLOW_BLUR + 2 if isinstance(item, GlowPaint) else 2
        return [(x - reach, y - reach, x + w + reach, y + h + reach)]
    return []


def _layer_bounds(items: list, to_space: Matrix) -> tuple[int, int, int, int] | None:
    """Whole-pixel bounds, in the layer space, of what ``items`` paint; None when nothing."""
    xs: list[float] = []
    ys: list[float] = []
    for item in items:
        for x0, y0, x1, y1 in _item_rects(item):
            m = to_space @ item.matrix
            for x, y in ((x0, y0), (x1, y0), (x0, y1), (x1, y1)):
                px, py = m.apply(x, y)
                xs.append(px)
                ys.append(py)
    if not xs or not all(math.isfinite(v) for v in xs + ys):
        return None
    return (math.floor(min(xs)), math.floor(min(ys)), math.ceil(max(xs)), math.ceil(max(ys)))


def _painted_baseline(para) -> float:
    """Where SkParagraph really puts the glyph baseline below its paint origin: it rounds the
    line's baseline to a whole pixel. Compensating keeps our baseline exact, so that Skia's
    glyph snapping (round the device y) matches Blink's, which rounds the exact baseline."""
    return math.floor(para.AlphabeticBaseline + 0.5)


def css_filters(filters: tuple[tuple[str, float], ...]) -> skia.ImageFilter | None:
    """CSS filter functions as a Skia image-filter chain (sRGB, clamped per channel)."""
    result = None
    for name, v in filters:
        if name == "blur":
            if v > 0:
                result = skia.ImageFilters.Blur(v, v, input=result)
            continue
        if name == "brightness":
            m = [v, 0, 0, 0, 0, 0, v, 0, 0, 0, 0, 0, v, 0, 0, 0, 0, 0, 1, 0]
        elif name == "contrast":
            off = 0.5 - 0.5 * v
            m = [v, 0, 0, 0, off, 0, v, 0, 0, off, 0, 0, v, 0, off, 0, 0, 0, 1, 0]
        elif name == "saturate":
            m = [
                0.213 + 0.787 * v,
                0.715 - 0.715 * v,
                0.072 - 0.072 * v,
                0,
                0,
                0.213 - 0.213 * v,
                0.715 + 0.285 * v,
                0.072 - 0.072 * v,
                0,
                0,
                0.213 - 0.213 * v,
                0.715 - 0.715 * v,
                0.072 + 0.928 * v,
                0,
                0,
                0,
                0,
                0,
                1,
                0,
            ]
        else:
            continue
        cf = skia.ColorFilters.Matrix(m)
        result = skia.ImageFilters.ColorFilter(cf, input=result)
    return result
