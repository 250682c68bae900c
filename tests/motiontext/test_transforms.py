"""CSS transform lists and the wrapper's channel transform (motiontext.layout.transforms) on
the values 1.5.0 writes for overflowing numbers."""

from __future__ import annotations

import math

import pytest

from motiontext.css import CSS_LENGTH_MAX
from motiontext.geometry import IDENTITY, scale, translate
from motiontext.layout.transforms import channel_matrix, css_transform


@pytest.mark.parametrize(
    "channels",
    [
        {"rot": math.inf},
        {"ty": math.nan},
        {"tx": -math.inf, "rot": 30.0},
        {"sx": math.inf},
        {"tx": "Infinity"},
    ],
)
def test_a_non_finite_channel_makes_the_transform_none(channels: dict) -> None:
    assert channel_matrix(channels) == IDENTITY


def test_channel_translations_are_clamped_lengths() -> None:
    assert channel_matrix({"tx": 1e308, "ty": 5.0}) == translate(CSS_LENGTH_MAX, 5.0)


@pytest.mark.parametrize(
    "text",
    [
        "rotate(Infinitydeg)",
        "translate(NaN%, 0%)",
        "scale(Infinity, 1)",
        "rotate(infdeg)",
        "translate(-50%, -100%) rotate(-Infinitydeg)",
    ],
)
def test_infinity_in_a_transform_list_invalidates_it(text: str) -> None:
    assert css_transform(text, 100.0, 20.0) == IDENTITY


def test_huge_finite_transforms_are_kept() -> None:
    assert css_transform("scale(1e+300, 2)", 100.0, 20.0) == scale(1e300, 2.0)
    assert css_transform("translate(1e308px, 1e300%)", 100.0, 20.0).m[2] == CSS_LENGTH_MAX
