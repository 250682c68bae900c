"""Golden parity of the plugin-free samples (issue 2): every listed frame must pass the
project's metric (parity.metric). Frames known not to reach the bound are listed in
KNOWN_GAPS with their measured cause; the bound itself is never loosened."""

from __future__ import annotations

import pytest

from tests.parity.goldens import PLUGIN_FREE_SAMPLES, assert_golden_parity

CORE_SAMPLES = PLUGIN_FREE_SAMPLES

# (sample, t) -> reason. Each entry is written up in the README's parity table.
KNOWN_GAPS: dict[tuple[str, float], str] = {}


@pytest.mark.parametrize("name", CORE_SAMPLES)
def test_core_golden_parity(name: str) -> None:
    assert_golden_parity(name, KNOWN_GAPS)
