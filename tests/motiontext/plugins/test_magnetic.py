"""magnetic@2.0.0 (jump semantics, seeded draws) against the reference values of plugins
spec 4.5 (one char, defaults, draws at 80 % of each range: rx 9, ry 4.5, rr 9, vx 1.2,
vy 0.6; Dtl = 1.24)."""

from __future__ import annotations

import pytest

from motiontext.plugins.magnetic import Magnetic

from .gsap_ctx import ctx, run

PLUGIN = Magnetic(source=lambda key: 0.8)


@pytest.mark.parametrize(
    "p, alpha, x, rotation",
    [
        (0.05, 0.5007, 3.056, 3.056),
        (0.3, 1.0, 8.898, 8.898),
        (0.5, 1.0, -2.323, -2.323),
        (0.75, 1.0, 1.074, None),
    ],
)
def test_reference_values(p: float, alpha: float, x: float, rotation: float | None) -> None:
    (char,) = run(PLUGIN, "H", p).units
    assert char.style.opacity == pytest.approx(alpha, abs=1e-4)
    assert char.transform.x == pytest.approx(x, abs=1e-3)
    assert char.transform.y == pytest.approx(x / 2, abs=1e-3)  # ry = rx / 2 at these draws
    if rotation is not None:
        assert char.transform.rotation == pytest.approx(rotation, abs=1e-3)


def test_ends_exactly_at_rest() -> None:
    for char in run(PLUGIN, "Hello", 1.0).units:
        assert (char.transform.x, char.transform.y, char.transform.rotation) == (0, 0, 0)
        assert char.style.opacity == 1.0


def test_seeded_targets_are_stable_per_char_and_within_their_ranges() -> None:
    seeded = Magnetic()
    first = seeded.targets(ctx("Hello", 0.2), 0, 15)
    assert first == seeded.targets(ctx("Hello", 0.7), 0, 15)
    assert first != seeded.targets(ctx("Hello", 0.2), 1, 15)
    limits = {"x": 15, "y": 7.5, "rotation": 15, "vx": 2, "vy": 1}
    assert all(abs(first[k]) <= limit for k, limit in limits.items())


def test_blank_text_shows_nothing() -> None:
    assert run(PLUGIN, " ", 0.5).units == []
