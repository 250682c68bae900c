"""Seeded stand-in for the plugins' ``Math.random`` (plugins spec 2.6 item 8, 2.12).

A draw is keyed by (node id, plugin name, unit index, property) through ``ctx.seed``, so a
frame is a pure function of the scenario: the same node draws the same values on every frame
and in every process. Plugins take a ``Source`` so tests can inject fixed draws.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from ..jsmath import js_floor

Source = Callable[[str], float]  # key -> U in [0, 1)


def seeded_uniform(key: str) -> float:
    # surrogatepass: a node id may hold half a UTF-16 pair (JSON text may escape "\ud800")
    digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2.0**64


def gsap_random(lo: float, hi: float, u: float, step: float = 1e-5) -> float:
    """``gsap.utils.random(lo, hi)``: lo..hi snapped to ``step`` (GSAP's default 1e-5)."""
    value = lo - step / 2 + u * (hi - lo + step * 0.99)
    return js_floor(value / step + 0.5) * step


def draw(source: Source, key: str, lo: float, hi: float) -> float:
    return gsap_random(lo, hi, source(key))
