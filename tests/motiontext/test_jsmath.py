"""JavaScript's Math on infinities and NaN, where Python's math raises."""

from __future__ import annotations

import math

import pytest

from motiontext.jsmath import js_cos, js_floor, js_max, js_min, js_round, js_sin


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        (2.5, 3),
        (-2.5, -2),
        (-0.4, 0),
        (1e300, int(1e300)),
        (10**400, math.inf),
        (math.inf, math.inf),
        (-math.inf, -math.inf),
    ],
)
def test_js_round_is_math_round(value: float, rounded: float) -> None:
    assert js_round(value) == rounded


def test_js_round_and_floor_carry_nan() -> None:
    assert math.isnan(js_round(math.nan))
    assert math.isnan(js_floor(math.nan))
    assert js_floor(-math.inf) == -math.inf
    assert js_floor(-1.5) == -2 and isinstance(js_floor(2.7), int)


def test_js_sin_and_cos_of_infinity_are_nan() -> None:
    assert math.isnan(js_sin(math.inf)) and math.isnan(js_cos(-math.inf))
    assert js_sin(math.pi / 2) == 1.0 and js_cos(0.0) == 1.0


def test_js_max_and_min_are_nan_when_any_argument_is() -> None:
    assert math.isnan(js_max(1, math.nan)) and math.isnan(js_max(math.nan, 1))
    assert math.isnan(js_min(0.5, math.nan, 2))
    assert js_max(1, -math.inf) == 1 and js_min(1, -math.inf) == -math.inf
