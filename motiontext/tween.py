"""A small GSAP-timeline evaluator (plugins spec 2.6) for numeric properties.

A plugin describes its timeline as ordered ``Tween`` lists, one list per (unit, property); the
host maps tau = p * Dtl. Continuous semantics: a tween without an explicit from-value starts
from the property's value at its start time, computed from the tweens before it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .easing import Ease, linear


@dataclass(frozen=True, slots=True)
class Tween:
    start: float  # timeline seconds
    duration: float  # one play
    to: float
    ease: Ease = linear
    plays: int = 1
    yoyo: bool = False
    from_value: float | None = None

    @property
    def end(self) -> float:
        return self.start + self.duration * self.plays

    def ratio(self, tau: float) -> float:
        if self.duration <= 0:
            return 1.0
        local = tau - self.start
        if local >= self.duration * self.plays:
            return 0.0 if (self.yoyo and self.plays % 2 == 0) else 1.0
        j = math.floor(local / self.duration)
        f = local / self.duration - j
        if self.yoyo and j % 2 == 1:
            return self.ease(1 - f)
        return self.ease(f)


def value_at(tweens: list[Tween], tau: float, initial: float) -> float:
    """The property's value at tau (GSAP ordering: the last active tween in insertion order
    wins; after all have ended, the one that ended last)."""
    froms: list[float] = []
    for i, tw in enumerate(tweens):
        froms.append(tw.from_value if tw.from_value is not None
                     else _settled(tweens[:i], froms, tw.start, initial))
    return _settled(tweens, froms, tau, initial)


def _settled(tweens: list[Tween], froms: list[float], tau: float, initial: float) -> float:
    best = None
    for i, tw in enumerate(tweens):
        if tw.start <= tau <= tw.end and tau >= 0:
            best = i  # later in order wins
    if best is None:
        ended = [(tw.end, i) for i, tw in enumerate(tweens) if tw.end < tau]
        if not ended:
            return initial
        best = max(ended)[1]
    tw = tweens[best]
    r = tw.ratio(tau)
    return froms[best] + (tw.to - froms[best]) * r


def timeline_duration(tweens: list[Tween]) -> float:
    return max((tw.end for tw in tweens), default=0.0)
