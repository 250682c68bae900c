"""Golden parity of the plugin-free samples (issue 2): every listed frame must pass the
project's metric (parity.metric). Frames known not to reach the bound are listed in
KNOWN_GAPS with their measured cause; the bound itself is never loosened."""

from __future__ import annotations

import pytest

from tests.parity.goldens import PLUGIN_FREE_SAMPLES, assert_golden_parity

CORE_SAMPLES = PLUGIN_FREE_SAMPLES

# (sample, t) -> reason. Each entry is written up in the README's parity table.
KNOWN_GAPS: dict[tuple[str, float], str] = {}

# The goldens were rendered on a machine without an emoji font, where Chromium drew .notdef
# boxes for 🌊 and ✨. Set-up now installs Noto Color Emoji (issue 20) and Chromium draws them
# in colour, as ECG Render does; these frames are compared live instead (test_live_samples's
# "plugin", test_live_emoji).
_GOLDENS_WITHOUT_EMOJI_FONT = "goldens made without an emoji font (🌊, ✨): checked live"
KNOWN_GAPS.update(
    {("plugin", t): _GOLDENS_WITHOUT_EMOJI_FONT for t in [k / 2 for k in range(26, 37)]}
)  # 13-18 s
KNOWN_GAPS.update({("plugin", t): _GOLDENS_WITHOUT_EMOJI_FONT for t in (19.0, 19.5, 20.0)})


@pytest.mark.parametrize("name", CORE_SAMPLES)
def test_core_golden_parity(name: str) -> None:
    assert_golden_parity(name, KNOWN_GAPS)
