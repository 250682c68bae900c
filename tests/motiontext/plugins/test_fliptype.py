"""fliptype@2.0.0 against plugins spec 3.9 and the parity points of spec 5."""

from __future__ import annotations

import pytest

from motiontext.layout.transforms import channel_matrix
from motiontext.plugins.fliptype import PLUGIN, char_windows

from .gsap_ctx import ctx, run


def test_default_windows_for_five_chars() -> None:
    spans, total = char_windows(5, {})
    assert total == pytest.approx(2 / 3)
    for i, (s, e) in enumerate(spans):
        # in window progress: char i pops in over [0.45 + 0.1 i, 0.60 + 0.1 i]
        assert (s / total, e / total) == pytest.approx((0.45 + 0.1 * i, 0.6 + 0.1 * i))


def test_twenty_chars_fill_the_window() -> None:
    spans, total = char_windows(20, {})
    assert total == 1.0 and spans[1][0] - spans[0][0] == pytest.approx(0.035)


def test_blank_but_laid_out_then_pop_in_with_overshoot() -> None:
    units = run(PLUGIN, "Hello", 0.0).units
    assert [u.text for u in units] == list("Hello")
    assert all(u.style.opacity == 0 and u.transform.scale_x == 0.8 for u in units)
    first = run(PLUGIN, "Hello", 0.55).units[0]
    assert first.style.opacity == 1.0 and first.transform.scale_x > 1.0  # back.out(1.7)
    assert all(
        u.style.opacity == 1 and u.transform.scale_x == 1 for u in run(PLUGIN, "Hello", 1.0).units
    )


def test_flip_channel_has_no_visible_effect() -> None:
    ch = PLUGIN.channels({}, 0.3, ctx("Hello", 0.3))
    assert set(ch) == {"rotateY"} and ch["rotateY"] == pytest.approx(90.0)
    assert set(PLUGIN.channels({"flipDirection": "vertical"}, 1, ctx("x", 1))) == {"rotateX"}
    assert channel_matrix({"rotateY": 90.0}).is_identity


def test_placeholder_and_spaces() -> None:
    assert "".join(u.text for u in run(PLUGIN, " ", 1.0).units) == "Flip\xa0Type\xa0Effect"
