"""A small GSAP-timeline evaluator (plugins spec 2.6).

A plugin describes its timeline as ordered ``Tween`` lists, one list per (unit, property); the
host maps tau = p * Dtl. Continuous semantics: a tween without an explicit from-value starts
from the property's value at its start time, computed from the tweens before it. Jump
semantics (``jump=True``): the timeline is rendered from 0 to tau in one pass, so every
started tween renders in order and lazily-read from-values are those at tau.

Values are floats unless a ``lerp(a, b, ratio)`` is given (colours, shadow and filter lists).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .easing import Ease, linear
from .jsmath import js_floor


@dataclass(frozen=True, slots=True)
class Tween:
    start: float  # timeline seconds
    duration: float  # one play
    to: Any  # float, or whatever the property's lerp interpolates
    ease: Ease = linear
    plays: int = 1
    yoyo: bool = False
    from_value: Any = None

    @property
    def end(self) -> float:
        return self.start + self.duration * self.plays

    def ratio(self, tau: float) -> float:
        if self.duration <= 0:
            return 1.0
        local = tau - self.start
        if local >= self.duration * self.plays:
            return 0.0 if (self.yoyo and self.plays % 2 == 0) else 1.0
        j = js_floor(local / self.duration)
        f = local / self.duration - j
        if self.yoyo and j % 2 == 1:
            return self.ease(1 - f)
        return self.ease(f)


Lerp = Callable[[Any, Any, float], Any]


def _lerp_number(a: float, b: float, r: float) -> float:
    return a + (b - a) * r


def value_at(
    tweens: list[Tween], tau: float, initial: Any, lerp: Lerp | None = None, jump: bool = False
) -> Any:
    """The property's value at tau (GSAP ordering: the last active tween in insertion order
    wins; after all have ended, the one that ended last; with ``jump`` the last started one).
    ``tweens`` must be in timeline order (by start, ties by insertion)."""
    mix = lerp or _lerp_number
    froms: list[Any] = []
    for i, tw in enumerate(tweens):
        froms.append(
            tw.from_value
            if tw.from_value is not None
            else _settled(tweens[:i], froms, tau if jump else tw.start, initial, mix, jump)
        )
    return _settled(tweens, froms, tau, initial, mix, jump)


def _settled(
    tweens: list[Tween], froms: list[Any], tau: float, initial: Any, mix: Lerp, jump: bool = False
) -> Any:
    best = None
    for i, tw in enumerate(tweens):
        if jump and tw.start <= tau and tau >= 0:
            best = i  # a one-pass render writes every started tween, in order
        elif tw.start <= tau <= tw.end and tau >= 0:
            best = i  # later in order wins
    if best is None:
        ended = [(tw.end, i) for i, tw in enumerate(tweens) if tw.end < tau]
        if not ended:
            return initial
        best = max(ended)[1]
    tw = tweens[best]
    return mix(froms[best], tw.to, tw.ratio(tau))


def timeline_duration(tweens: list[Tween]) -> float:
    return max((tw.end for tw in tweens), default=0.0)
