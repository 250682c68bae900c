"""slideup@2.0.0 against the reference values of plugins spec 4.2 (one word, defaults,
Dtl = 1.2)."""

from __future__ import annotations

import pytest

from motiontext.plugins.slideup import PLUGIN

from .gsap_ctx import rgb255, run


@pytest.mark.parametrize(
    "p, alpha, y, blur, grey",
    [
        (0.1, 0.3185, 20.444, 2.044, 136),
        (0.5, 0.936, 1.92, 0.192, 242),
        (0.75, 0.999, -1.44, 0.003, 255),
    ],
)
def test_reference_values(p: float, alpha: float, y: float, blur: float, grey: int) -> None:
    (word,) = run(PLUGIN, "Hello", p).units
    assert word.style.opacity == pytest.approx(alpha, abs=1e-3)
    assert word.transform.y == pytest.approx(y, abs=1e-3)
    assert word.style.filters == (("blur", pytest.approx(blur, abs=1e-3)),)
    assert rgb255(word.style.color) == (grey,) * 3
    assert word.clip


def test_overshoot_then_rest() -> None:
    assert run(PLUGIN, "Hello", 0.9).units[0].transform.y == pytest.approx(-1.36, abs=1e-3)
    (word,) = run(PLUGIN, "Hello", 1.0).units
    assert (word.transform.y, word.style.opacity, word.style.filters) == (0.0, 1.0, ())


def test_words_and_spaces() -> None:
    units = run(PLUGIN, "Hello  big", 0.5).units
    assert [u.text for u in units] == ["Hello", "\u00a0", "", "\u00a0", "big"]
    assert not units[1].clip and units[2].clip
    assert run(PLUGIN, " ", 0.5).units == []


def test_back_out_has_no_overshoot_tweens_and_clamps_blur_and_opacity() -> None:
    (word,) = run(PLUGIN, "Hello", 0.5, {"easeType": "back.out"}).units
    assert word.transform.y < 0  # back.out itself overshoots
    assert word.style.filters == () and word.style.opacity == 1.0
    assert run(PLUGIN, "Hello", 1.0, {"easeType": "back.out"}).units[0].transform.y == 0


def test_no_blur_effect() -> None:
    assert run(PLUGIN, "Hello", 0.1, {"blurEffect": False}).units[0].style.filters == ()


def test_first_frame_shows_the_grey_from_value_only() -> None:
    (word,) = run(PLUGIN, "Hello", 0.0, first_frame=True).units
    assert rgb255(word.style.color) == (136, 136, 136)
    assert word.style.opacity == 1.0 and word.transform.y == 0
