"""JavaScript's Math where it differs from Python's: on infinities and NaN.

1.5.0 and its plugins compute in IEEE doubles, where ``Math.sin(Infinity)`` is NaN and
``Math.round(Infinity)`` is Infinity; Python's ``math`` raises instead (ValueError,
OverflowError). A scenario may hold numbers large enough to overflow (``fontSizeRel: 1e308``
times the stage height), so the code paths that such numbers reach use these functions and
carry the non-finite result on, as JS does, to the place where the browser drops it (an
``Infinitypx`` declaration, a transform with a NaN in it).
"""

from __future__ import annotations

import math

from .validate import js_number


def js_round(value: float) -> float:
    """``Math.round``: half up, toward +infinity. An int for finite values; infinities and NaN
    come back as they are."""
    number = js_number(value)
    if not math.isfinite(number):
        return number
    return math.floor(number + 0.5)


def js_floor(value: float) -> float:
    """``Math.floor``: an int for finite values; infinities and NaN come back as they are."""
    number = js_number(value)
    return math.floor(number) if math.isfinite(number) else number


def js_sin(value: float) -> float:
    """``Math.sin``: NaN for ±Infinity."""
    return math.sin(value) if math.isfinite(value) else math.nan


def js_cos(value: float) -> float:
    """``Math.cos``: NaN for ±Infinity."""
    return math.cos(value) if math.isfinite(value) else math.nan


def js_max(*values: float) -> float:
    """``Math.max``: NaN when any argument is NaN (Python's max depends on the order)."""
    return math.nan if any(math.isnan(js_number(v)) for v in values) else max(values)


def js_min(*values: float) -> float:
    """``Math.min``: NaN when any argument is NaN."""
    return math.nan if any(math.isnan(js_number(v)) for v in values) else min(values)
