"""elastic@2.0.0 against the reference values of plugins spec 4.3 (one word, defaults, tilt
r = 1.8 deg: the draw at 80 % of random(-3, 3))."""

from __future__ import annotations

import pytest

from motiontext.plugins._gsap import DEFAULT_OUTLINE
from motiontext.plugins.elastic import Elastic

from .gsap_ctx import ctx, rgb255, run

PLUGIN = Elastic(source=lambda key: 0.8)


@pytest.mark.parametrize(
    "p, scale, tilt, grey",
    [
        (0.05, 1.5361, 2.127, 102),
        (0.1, 1.3967, 1.934, 102),
        (0.25, 1.3055, None, 157),
        (0.5, 1.006, 0.036, 246),
        (0.75, 1.0, 0.0, 255),
    ],
)
def test_reference_values(p: float, scale: float, tilt: float | None, grey: int) -> None:
    (word,) = run(PLUGIN, "Hello", p).units
    assert word.transform.scale_x == pytest.approx(scale, abs=1e-4)
    assert word.transform.origin == (0.5, 1.0)  # anchored at the bottom edge
    if tilt is not None:
        assert word.transform.rotation == pytest.approx(tilt, abs=1e-3)
    assert word.style.opacity == 1.0  # elastic.out overshoot, clamped
    assert rgb255(word.style.color) == (grey,) * 3


def test_glow_starts_from_the_outline_then_freezes_then_vanishes() -> None:
    (shadow,) = run(PLUGIN, "Hello", 0.5).units[0].style.shadows
    assert (shadow.dy, shadow.blur) == (
        pytest.approx(0.79, abs=0.01),
        pytest.approx(4.37, abs=0.01),
    )
    assert rgb255(shadow.color) == (101, 101, 101)
    assert shadow.color[3] == pytest.approx(0.684, abs=1e-3)
    glow = run(PLUGIN, "Hello", 0.75).units[0].style.shadows
    frozen = run(PLUGIN, "Hello", 0.99).units[0].style.shadows  # inside the fade-out
    assert glow == frozen and glow[0].dy == 2 and glow[0].blur == 8
    assert run(PLUGIN, "Hello", 1.0).units[0].style.shadows == ()


def test_without_legacy_parity() -> None:
    fading = run(PLUGIN, "Hello", 0.9, legacy=False).units[0]
    assert fading.margin_em == 0 and fading.style.shadows[0].dy < 2
    assert run(PLUGIN, "Hello", 1.0, legacy=False).units[0].style.shadows == DEFAULT_OUTLINE


def test_words_get_margins_and_their_own_start() -> None:
    units = run(PLUGIN, "Hello world", 0.02).units
    assert [u.text for u in units] == ["Hello", "\u00a0", "world"]
    assert units[0].margin_em == 0.1 and units[1].margin_em == 0
    assert units[2].transform.scale_x == 0.0  # the second word starts 0.1 s later


def test_first_frame_shows_grey_words_at_full_size() -> None:
    (word,) = run(PLUGIN, "Hello", 0.0, first_frame=True).units
    assert rgb255(word.style.color) == (102, 102, 102)
    assert word.transform.scale_x == 1 and word.style.opacity == 1


def test_seeded_tilt_is_stable_and_in_range() -> None:
    seeded = Elastic()
    tilts = [seeded.tilt(ctx("Hello world", 0.5), i) for i in range(2)]
    assert tilts == [seeded.tilt(ctx("Hello world", 0.9), i) for i in range(2)]
    assert all(-3 <= t <= 3 for t in tilts) and tilts[0] != tilts[1]
