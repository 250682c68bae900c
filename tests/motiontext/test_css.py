"""CSS values as Chromium stores them: numbers 1.5.0 prints into CSS text, and the ranges Blink
clamps lengths, percentages and font sizes to."""

from __future__ import annotations

import math
import sys

import pytest

from motiontext.css import (
    CSS_LENGTH_MAX,
    CSS_LENGTH_MIN,
    LAYOUT_UNIT_MAX,
    LAYOUT_UNIT_MIN,
    js_number_string,
    parse_length,
    parse_number,
    parse_text_shadow,
)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (3, "3"),
        (0.5, "0.5"),
        (1e21, "1e+21"),
        (3.6e301, "3.6e+301"),
        (1e-7, "1e-7"),
        (math.inf, "Infinity"),
        (-math.inf, "-Infinity"),
        (math.nan, "NaN"),
        (10**400, "Infinity"),
    ],
)
def test_numbers_print_as_javascript_prints_them(value: float, text: str) -> None:
    assert js_number_string(value) == text


@pytest.mark.parametrize("text", ["Infinitypx", "-Infinitypx", "NaNpx", "infpx", "1_000px"])
def test_non_numbers_are_invalid_lengths(text: str) -> None:
    """What 1.5.0 writes for an overflowing value: Chromium drops the declaration."""
    assert parse_length(text) is None


@pytest.mark.parametrize(
    ("text", "px"),
    [
        ("1e308px", CSS_LENGTH_MAX),
        ("1e400px", CSS_LENGTH_MAX),
        ("-1e308px", CSS_LENGTH_MIN),
        ("99999999999px", CSS_LENGTH_MAX),
        ("1e300em", CSS_LENGTH_MAX),
        ("12px", 12.0),
    ],
)
def test_lengths_are_clamped_to_the_css_length_range(text: str, px: float) -> None:
    length = parse_length(text)
    assert length is not None and length.resolve(None, 16.0) == px


def test_percentages_saturate_as_layout_units() -> None:
    length = parse_length("1e300%")
    assert length is not None and length.resolve(1280.0) == LAYOUT_UNIT_MAX
    negative = parse_length("-1e300%")
    assert negative is not None and negative.resolve(1280.0) == LAYOUT_UNIT_MIN
    half = parse_length("50%")
    assert half is not None and half.resolve(1280.0) == 640.0


def test_css_numbers_are_css_tokens_only() -> None:
    assert parse_number("Infinity") is None and parse_number("nan") is None
    assert parse_number(" 1.5 ") == 1.5 and parse_number("-2e3") == -2000.0
    huge = parse_number("1e400")
    assert huge is not None and huge == sys.float_info.max


def test_shadow_lengths_are_clamped() -> None:
    shadows = parse_text_shadow("2px 1e400px 1e308px #000")
    assert shadows is not None
    (shadow,) = shadows
    assert (shadow.dx, shadow.dy, shadow.blur) == (2.0, CSS_LENGTH_MAX, CSS_LENGTH_MAX)
