"""Where a display list can leave pixels, in device space, and the bbox scan limited to it.

The overlay scans only this region for its bbox and, before the next draw, clears only the
previous region (the rest of the buffer is zero by construction), instead of touching the
whole 1920x1080 frame after every change.

The region must hold every pixel the rasterizer may write, so each bound is conservative:
glyph runs use Skia's picture-recording bounds (font bounding boxes at the shaped glyph
positions, strokes included), blur reaches 3 sigma scaled by the larger axis scale, and 2 px
more everywhere for anti-aliasing. Whatever this does not model (CSS filters, composited
layers, matrices with rotation, skew or perspective, unknown items) widens it to the frame.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import skia

from motiontext.display_list import (
    BeginLayer,
    BoxPaint,
    EndLayer,
    FontSpec,
    GlowPaint,
    ImagePaint,
    TextPaint,
)
from motiontext.geometry import Matrix

from .text import SkiaShaper

Region = tuple[int, int, int, int]  # x0, y0, x1, y1, half-open
_AA_PX = 2.0  # anti-aliasing and rounding slack around every bound
_BLUR_REACH = 3.0  # a Gaussian's reach, in sigmas
_GLOW_SIGMA = 24.0  # engine.rasterize._GLOW_BLUR
_TEXT_LAYER_PAD = 4.0  # engine.rasterize pads the fill's text-gamma layer by this
_ALPHA_ONE = 0x01000000  # a little-endian RGBA pixel as uint32 is >= this iff alpha > 0


def alpha_bbox(pixels: np.ndarray, region: Region | None = None) -> Region | None:
    """Half-open (x0, y0, x1, y1) of the pixels with alpha > 0 in premultiplied RGBA
    ``pixels``, looking only inside ``region`` (None: the whole buffer); None if none."""
    h, w = pixels.shape[:2]
    x0, y0, x1, y1 = region if region is not None else (0, 0, w, h)
    if x1 <= x0 or y1 <= y0:
        return None
    # one uint32 per pixel: alpha is the top byte, and max() reduces in SIMD
    packed = pixels[y0:y1, x0:x1].view(np.uint32)[..., 0]
    rows = np.flatnonzero(packed.max(axis=1) >= _ALPHA_ONE)
    if rows.size == 0:
        return None
    cols = np.flatnonzero(packed[rows[0] : rows[-1] + 1].max(axis=0) >= _ALPHA_ONE)
    return (x0 + int(cols[0]), y0 + int(rows[0]), x0 + int(cols[-1]) + 1, y0 + int(rows[-1]) + 1)


class DrawnBounds:
    """Device-space bounds of what ``engine.rasterize.Rasterizer`` draws for a display list
    (it mirrors ``Rasterizer._text``'s placement of shadows, fill layer and stroke)."""

    def __init__(self, shaper: SkiaShaper, width: int, height: int) -> None:
        self.shaper = shaper
        self.frame: Region = (0, 0, width, height)
        self._ink = lru_cache(maxsize=4096)(self._measure_ink)

    def region(self, items: list) -> Region:
        """The part of the frame ``items`` may paint (empty when they paint nothing)."""
        x0 = y0 = math.inf
        x1 = y1 = -math.inf
        for item in items:
            if isinstance(item, EndLayer):
                continue
            if isinstance(item, BeginLayer):
                if item.filters or item.raster_space is not None:
                    return self.frame
                continue  # opacity, clip and blend never reach past the content
            rects = self._device_rects(item)
            if rects is None or not all(math.isfinite(v) for rect in rects for v in rect):
                return self.frame
            for rx0, ry0, rx1, ry1 in rects:
                x0, y0, x1, y1 = min(x0, rx0), min(y0, ry0), max(x1, rx1), max(y1, ry1)
        if x0 > x1:
            return (0, 0, 0, 0)
        w, h = self.frame[2], self.frame[3]
        return (
            max(0, math.floor(x0)),
            max(0, math.floor(y0)),
            min(w, math.ceil(x1)),
            min(h, math.ceil(y1)),
        )

    def _device_rects(self, item) -> list[tuple[float, float, float, float]] | None:
        matrix = getattr(item, "matrix", None)
        if not isinstance(matrix, Matrix) or not _is_scale_translate(matrix):
            return None
        reach = _AA_PX
        local: list[tuple[float, float, float, float, float]] = []  # rect + blur sigma
        if isinstance(item, (BoxPaint, ImagePaint)):
            x, y, w, h = item.rect
            local.append((x, y, x + w, y + h, 0.0))
        elif isinstance(item, GlowPaint):
            x, y, w, h = item.rect
            local.append((x, y, x + w, y + h, _GLOW_SIGMA))
        elif isinstance(item, TextPaint):
            local.extend(self._text_rects(item))
        else:
            return None
        sx, sy = abs(matrix.m[0]), abs(matrix.m[4])
        out = []
        for x0, y0, x1, y1, sigma in local:
            ax, ay = matrix.apply(x0, y0)
            bx, by = matrix.apply(x1, y1)
            pad = reach + _BLUR_REACH * sigma * max(sx, sy)
            out.append((min(ax, bx) - pad, min(ay, by) - pad, max(ax, bx) + pad, max(ay, by) + pad))
        return out

    def _text_rects(self, item: TextPaint) -> list[tuple[float, float, float, float, float]]:
        rects = []
        for line in item.lines:
            if not line.text:
                continue
            ink, longest, height, drop = self._ink(line.text, item.font, 0.0)
            for shadow in item.shadows:
                rects.append(
                    _moved(ink, line.x + shadow.dx, line.baseline + shadow.dy, shadow.blur / 2)
                )
            rects.append(_moved(ink, line.x, line.baseline, 0.0))
            top = line.baseline - drop  # the fill's text-gamma layer, which clips it
            rects.append(
                (
                    line.x - _TEXT_LAYER_PAD,
                    top - _TEXT_LAYER_PAD,
                    line.x + longest + _TEXT_LAYER_PAD,
                    top + height + _TEXT_LAYER_PAD,
                    0.0,
                )
            )
            if item.stroke_color is not None and item.stroke_width > 0:
                stroke_ink = self._ink(line.text, item.font, item.stroke_width)[0]
                rects.append(_moved(stroke_ink, line.x, line.baseline, 0.0))
        return rects

    def _measure_ink(self, text: str, font: FontSpec, stroke_width: float):
        """(ink rect relative to the baseline origin, LongestLine, Height, painted baseline)
        of ``text`` as the rasterizer paints it: the paragraph is painted at
        baseline - floor(AlphabeticBaseline + 0.5)."""
        paint = skia.Paint(AntiAlias=True)
        if stroke_width > 0:
            paint.setStyle(skia.Paint.kStroke_Style)
            paint.setStrokeWidth(stroke_width)
        para = self.shaper.paragraph(text, font, paint)
        recorder = skia.PictureRecorder()
        # with a bounding-box hierarchy the picture's cull rect shrinks to its ops' bounds
        canvas = recorder.beginRecording(
            skia.Rect.MakeLTRB(-1e7, -1e7, 1e7, 1e7), skia.RTreeFactory()()
        )
        drop = math.floor(para.AlphabeticBaseline + 0.5)
        para.paint(canvas, 0.0, -drop)
        cull = recorder.finishRecordingAsPicture().cullRect()
        ink = (cull.left(), cull.top(), cull.right(), cull.bottom())
        return ink, para.LongestLine, para.Height, drop


def _moved(
    ink: tuple[float, float, float, float], dx: float, dy: float, sigma: float
) -> tuple[float, float, float, float, float]:
    return (ink[0] + dx, ink[1] + dy, ink[2] + dx, ink[3] + dy, sigma)


def _is_scale_translate(m: Matrix) -> bool:
    a, b, _c, d, e, _f, g, h, i = m.m
    return (
        abs(b) < 1e-12
        and abs(d) < 1e-12
        and g == 0
        and h == 0
        and i == 1
        and all(math.isfinite(v) for v in m.m)
        and a != 0
        and e != 0
    )
