"""Paint-stage rules measured in Chromium: the raster grid of a composited layer."""

from __future__ import annotations

import math

import pytest

from motiontext.geometry import rotate, scale, translate
from motiontext.paint import raster_grid

TILTED = translate(1143.94, 507.36) @ rotate(30)  # a 30° rotated element's space


def test_translated_layer_rasterizes_in_the_rotated_space_from_its_whole_offset() -> None:
    grid = raster_grid(TILTED, TILTED @ translate(0.4, 7.6))
    assert grid is not None
    assert grid.m == pytest.approx((TILTED @ translate(0, 7)).m)


def test_negative_offsets_floor() -> None:
    grid = raster_grid(TILTED, TILTED @ translate(-0.25, -2.5))
    assert grid is not None
    assert grid.m == pytest.approx((TILTED @ translate(-1, -3)).m)


def test_raster_pixels_are_stage_pixels_in_a_scaled_space() -> None:
    space = TILTED @ scale(1.25, 1.25)
    grid = raster_grid(space, space @ translate(1.5, 0.0))
    assert grid is not None
    assert grid.m == pytest.approx((TILTED @ translate(1.25, 0.0)).m)
    assert math.hypot(grid.m[0], grid.m[3]) == pytest.approx(1.0)


def test_scaled_layer_has_no_measured_grid() -> None:
    assert raster_grid(TILTED, TILTED @ scale(1.05, 1.05)) is None


def test_degenerate_spaces_have_no_grid() -> None:
    """A singular space (scale 0) or non-finite layer (extreme inputs) falls back to drawing
    the layer directly instead of raising."""
    flat = TILTED @ scale(0.0, 1.0)
    assert raster_grid(flat, flat @ translate(0.5, 0.5)) is None
    assert raster_grid(TILTED, TILTED @ translate(math.nan, 0.0)) is None
    assert raster_grid(TILTED, TILTED @ translate(math.inf, 0.0)) is None
