"""typewriter@2.0.0 against plugins spec 3.8 and the parity points of spec 5."""

from __future__ import annotations

import pytest

from motiontext.plugins.typewriter import (
    FLASH_SHADOW,
    PLACEHOLDER,
    PLUGIN,
    cursor_opacity,
    typed_count,
    utf16_prefix,
)

from .gsap_ctx import run


@pytest.mark.parametrize(
    "p, k",
    [(0.0, 0), (0.049, 0), (0.099, 1), (0.101, 2), (0.3, 5), (0.49, 9), (0.51, 10), (1.0, 11)],
)
def test_typed_prefix(p: float, k: int) -> None:
    text, cursor = run(PLUGIN, "Motion text", p).units
    assert text.text == "Motion text"[:k]
    assert cursor.text == "|"


def test_ieee_floor_at_0_3() -> None:
    assert typed_count(0.3, 0.05, 100) == 5  # 0.3 / 0.05 = 5.999…


def test_twenty_code_unit_cap() -> None:
    long = "abcdefghijklmnopqrstuvwxyz"
    assert run(PLUGIN, long, 1.0).units[0].text == long[:20]
    assert run(PLUGIN, long, 1.0, legacy=False).units[0].text == long


@pytest.mark.parametrize(
    "t, opacity", [(0.0, 1.0), (0.49, 1.0), (0.5, 0.0), (0.99, 0.0), (1.0, 1.0)]
)
def test_one_blink_per_window(t: float, opacity: float) -> None:
    assert cursor_opacity(t, True) == opacity
    assert cursor_opacity(t, False) == 1.0


def test_cursor_style_and_options() -> None:
    _, cursor = run(PLUGIN, "Hi", 0.6, {"cursorChar": "_"}).units
    assert (cursor.text, cursor.style.opacity, cursor.style.font_weight) == ("_", 0.0, 400)
    assert cursor.style.color == (1.0, 1.0, 1.0, 1.0)
    assert len(run(PLUGIN, "Hi", 0.6, {"showCursor": False}).units) == 1


def test_flash_leaves_its_glow_from_the_second_character() -> None:
    assert run(PLUGIN, "Motion", 0.05).units[0].style.shadows is None
    assert run(PLUGIN, "Motion", 0.1).units[0].style.shadows == (FLASH_SHADOW,)
    assert run(PLUGIN, "Motion", 0.1, legacy=False).units[0].style.shadows is None


def test_utf16_and_placeholder() -> None:
    assert utf16_prefix("a😀b", 2) == "a"  # the surrogate pair is cut in half
    assert utf16_prefix("a😀b", 3) == "a😀"
    assert run(PLUGIN, "  ", 1.0).units[0].text == PLACEHOLDER
