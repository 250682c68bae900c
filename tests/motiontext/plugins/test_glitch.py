"""glitch@2.0.0 (single initialisation, jump semantics) against the reference values of
plugins spec 4.9 (defaults, draws at 80 % of each range: original (3, 1.5), red and cyan
(1.5, 0.7), skew 3 deg; Dtl = 2). There are no goldens for glitch."""

from __future__ import annotations

import pytest

from motiontext.plugins.glitch import Glitch

from .gsap_ctx import rgb255, run

PLUGIN = Glitch(source=lambda key: 0.8)


def layers(p: float, params: dict | None = None, **kwargs):
    red, cyan, original = run(PLUGIN, "Hello", p, params, **kwargs).units
    return red, cyan, original


def test_layers() -> None:
    red, cyan, original = layers(0.0, first_frame=True)
    assert rgb255(original.style.color) == (255, 255, 255) and not original.absolute
    assert rgb255(red.style.color) == (255, 0, 64) and rgb255(cyan.style.color) == (0, 255, 255)
    for layer in (red, cyan):
        assert layer.absolute and layer.style.blend == "screen" and layer.style.opacity == 0.5


def test_jitter_at_p_0_025() -> None:
    red, _, original = layers(0.025)
    assert (original.transform.x, original.transform.y) == (pytest.approx(1.5), pytest.approx(0.75))
    assert red.transform.x == pytest.approx(1.5) and red.style.opacity == pytest.approx(0.7)


def test_noise_peak_at_p_0_2() -> None:
    assert layers(0.2)[2].style.filters == (
        ("blur", pytest.approx(1)),
        ("saturate", pytest.approx(2)),
        ("contrast", pytest.approx(1.2)),
    )


def test_flicker_and_skew() -> None:
    assert layers(0.275)[2].style.opacity == 0
    original = layers(0.625)[2]
    assert original.transform.scale_y == pytest.approx(0.8)
    assert original.transform.skew_x == pytest.approx(3)


def test_white_text_off_while_cyan_stays_offset() -> None:
    _, cyan, original = layers(0.7)
    assert original.style.opacity == 0
    assert cyan.transform.x == pytest.approx(1.5) and cyan.style.opacity == pytest.approx(0.7)


def test_reset() -> None:
    _, cyan, original = layers(0.95)
    assert original.style.opacity == pytest.approx(0.875)
    assert cyan.transform.x == pytest.approx(0.1875)
    red, cyan, original = layers(1.0)
    assert original.style.opacity == 1 and original.style.filters == ()
    assert (red.transform.x, cyan.transform.x) == (0, 0)
    assert red.style.opacity == cyan.style.opacity == 0.5


def test_short_duration_ends_invisible_only_in_legacy_mode() -> None:
    assert layers(1.0, {"animationDuration": 1})[2].style.opacity == 0
    assert layers(1.0, {"animationDuration": 1}, legacy=False)[2].style.opacity == 1


def test_without_colour_separation_only_the_white_layer() -> None:
    (original,) = run(PLUGIN, "Hello", 0.5, {"colorSeparation": False}).units
    assert rgb255(original.style.color) == (255, 255, 255)


def test_placeholder() -> None:
    assert layers(0.5, None)[2].text == "Hello"
    assert run(PLUGIN, "", 0.5).units[2].text == "글리치 효과"
