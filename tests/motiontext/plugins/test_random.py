"""The seeded stand-in for Math.random."""

from __future__ import annotations

from motiontext.plugins._random import seeded_uniform


def test_keys_with_half_a_surrogate_pair_draw() -> None:
    """JSON may escape half a UTF-16 pair in a node id ("\\ud800"); the draw must not raise
    (found by benchmarks/fuzz_long.py --render), and stays a function of the key."""
    u = seeded_uniform("\ud800/glitch/0/x")
    assert 0.0 <= u < 1.0 and u == seeded_uniform("\ud800/glitch/0/x")
    assert u != seeded_uniform("\udfff/glitch/0/x")
