"""Golden parity of the plugin scenarios (issue 4): every frame of the goldens that use
registered plugins must pass the project's metric. Frames the spec calls not reproducible
(random draws, wall-clock effects) are listed in EXCEPTIONS, each with its reason; keep the
list short."""

from __future__ import annotations

import pytest

from tests.parity.goldens import assert_golden_parity

PLUGIN_GOLDENS = [
    "plugin_spin",
    "plugin_bobY",
    "plugin_pulse",
    "plugin_fadein",
    "plugin_slideup",
    "plugin_elastic",
    "plugin_scalepop",
    "plugin_magnetic",
    "plugin_rotation",
    "plugin_typewriter",
    "plugin_fliptype",
    "plugin_glow",
    "plugin_flames",
    "plugin_cwi-color",
    "plugin_cwi-bouncing",
    "plugin_cwi-loud",
    "plugin_cwi-whisper",
    "animated_free_mixed",
    "animated_subtitle",
    "cwi_sentence_wave",
    "dual_channel_test",
    "plugin_local",
    "plugin_showcase",
    "plugin_test_combined",
    "tilted_box",
]

# (golden, t) -> why the original's frame cannot be reproduced deterministically.
EXCEPTIONS: dict[tuple[str, float], str] = {}

# elastic tilts each word by random(-3, 3) deg when its timeline is built; the goldens drew
# from a seeded Math.random whose seed is unknown. For every frame below some tilt in range
# passes (checked by sweeping the draw over its range); our seeded tilt differs in sign or size.
_ELASTIC_TILT = "elastic word tilt is a Math.random draw (unknown seed in the goldens)"
EXCEPTIONS.update(
    {
        ("plugin_elastic", t): _ELASTIC_TILT
        for t in (0.5, 0.667, 1.333, 2.5, 2.667, 2.833, 4.167, 4.333, 4.5, 4.667)
    }
)

# magnetic rebuilds its timeline on every frame in the original (host re-initialisation loop,
# plugins spec 2.1/4.5), drawing fresh random targets each time: the scatter jitters frame to
# frame, which the spec calls not reproducible. Our draws are seeded and stable per char, so
# every frame where the characters are still off their rest positions differs.
_MAGNETIC_JITTER = "magnetic re-draws its random targets every frame in the original"
EXCEPTIONS.update(
    {
        ("plugin_magnetic", t): _MAGNETIC_JITTER
        for t in (
            0.5,
            0.667,
            0.833,
            1.0,
            1.167,
            1.333,
            1.5,
            1.667,
            1.833,
            2.0,
            2.167,
            2.333,
            2.5,
            2.667,
            2.833,
            3.0,
            3.167,
            3.333,
            4.167,
            4.333,
            4.5,
            4.667,
            4.833,
            5.0,
            5.167,
            5.333,
            5.5,
            6.167,
            6.333,
            6.5,
            6.667,
            6.833,
            7.0,
        )
    }
)

# flames draws the plugin's flame.gif behind the word; that GIF is not part of the project,
# engine.animated_assets draws a procedural stand-in, so every frame where flames show (from
# each word's first active frame while its cue is mounted) differs inside the flame boxes.
# tests/motiontext/plugins/test_flames.py checks these frames with the flame boxes masked.
_FLAME_GIF = "flames' GIF asset is replaced by a procedural animation"
EXCEPTIONS.update(
    {("plugin_flames", round(k / 6, 3)): _FLAME_GIF for k in (*range(3, 22), *range(24, 43))}
)  # 0.5-3.5 s and 4.0-7.0 s
EXCEPTIONS.update({("plugin_showcase", k / 2): _FLAME_GIF for k in range(22, 29)})  # 11-14 s


# Open renderer gaps (not randomness): listed so the rest of the suite guards everything else,
# and written up with measured figures in the README's parity section. Remove when fixed.
OPEN_GAPS: dict[tuple[str, float], str] = {}


@pytest.mark.parametrize("name", PLUGIN_GOLDENS)
def test_plugin_golden_parity(name: str) -> None:
    assert_golden_parity(name, {**EXCEPTIONS, **OPEN_GAPS})
