"""cwi-whisper@2.0.0 against the reference values of plugins spec 3.7 (defaults)."""

from __future__ import annotations

import pytest

from motiontext.effects import Effects
from motiontext.plugins.cwi_whisper import PLUGIN, whisper_params, whisper_transform

from .gsap_ctx import ctx


@pytest.mark.parametrize(
    "q, expected",
    [
        (0.06, (5.25, 0.6407)),
        (0.12, (6.0, 0.6159)),
        (0.5, (6.0, 0.6)),
        (0.94, (5.25, 0.6486)),
        (1.0, (0.0, 1.0)),
    ],
)
def test_reference_values(q: float, expected: tuple[float, float]) -> None:
    assert whisper_transform(q, *whisper_params({})) == pytest.approx(expected, abs=1e-4)


def test_zero_means_default() -> None:
    params = {"shrink": {"scale": 0, "drop": 0}, "flutter": {"amp": 0, "freq": 0}}
    assert whisper_params(params) == (0.6, 6.0, 0.02, 1.0)
    assert whisper_params({"shrink": {"scale": 0.05}})[0] == 0.1


def test_word_group_transform() -> None:
    effects = Effects()
    PLUGIN.apply(effects, {}, 0.5, ctx("Hello", 0.5))
    assert (effects.group.x, effects.group.y, effects.group.scale_x) == pytest.approx(
        (0.0, 6.0, 0.6)
    )
