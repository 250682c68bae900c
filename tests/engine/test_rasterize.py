"""Rasterizer behaviour that goes beyond drawing items one by one: composited layers."""

from __future__ import annotations

import numpy as np

from engine.overlay import shared_shaper
from engine.rasterize import Rasterizer
from motiontext.display_list import BeginLayer, DisplayList, EndLayer, FontSpec, TextLine, TextPaint
from motiontext.geometry import Matrix, rotate, translate

SPACE = translate(60.0, 20.0) @ rotate(30)
FONT = FontSpec(("Liberation Sans",), 24.0, 400)


def _text(matrix: Matrix) -> TextPaint:
    return TextPaint(
        matrix, FONT, (TextLine(0.0, 24.0, "Tilt", 48.0),), (1, 1, 1, 1), 0.0, None, ()
    )


def _draw(dy: float, composited: bool) -> np.ndarray:
    text = _text(SPACE @ translate(0.0, dy))
    items = [BeginLayer(raster_space=SPACE), text, EndLayer()] if composited else [text]
    return Rasterizer(160, 120, shared_shaper()).draw(DisplayList(160, 120, items)).copy()


def test_composited_text_snaps_to_whole_pixels_of_the_rotated_space() -> None:
    assert np.array_equal(_draw(0.0, True), _draw(0.3, True))
    assert not np.array_equal(_draw(0.0, True), _draw(0.7, True))
    assert not np.array_equal(_draw(0.0, False), _draw(0.3, False))


def test_axis_aligned_layer_draws_straight() -> None:
    text = _text(translate(10.3, 5.6))
    plain = DisplayList(160, 120, [text])
    layered = DisplayList(
        160, 120, [BeginLayer(raster_space=translate(10.0, 5.0)), text, EndLayer()]
    )
    raster = Rasterizer(160, 120, shared_shaper())
    assert np.array_equal(raster.draw(plain).copy(), raster.draw(layered).copy())
