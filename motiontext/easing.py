"""GSAP easings in closed form (plugins spec 2.7), plus the cwi plugins' hand-written ones."""

from __future__ import annotations

import math
import re
from collections.abc import Callable

Ease = Callable[[float], float]


def linear(t: float) -> float:
    return t


def power_out(n: int) -> Ease:
    return lambda t: 1 - (1 - t) ** (n + 1)


def power_in(n: int) -> Ease:
    return lambda t: t ** (n + 1)


def power1_in_out(t: float) -> float:
    return 2 * t * t if t < 0.5 else 1 - 2 * (1 - t) ** 2


def power2_in_out(t: float) -> float:
    return 4 * t**3 if t < 0.5 else 1 - 4 * (1 - t) ** 3


def sine_in_out(t: float) -> float:
    return 1.0 if t >= 1 else (1 - math.cos(math.pi * t)) / 2


def back_out(s: float = 1.70158) -> Ease:
    def ease(t: float) -> float:
        if t <= 0:
            return 0.0
        u = t - 1
        return 1 + (s + 1) * u**3 + s * u**2

    return ease


def elastic_out(amplitude: float = 1.0, period: float = 0.3) -> Ease:
    a = max(amplitude, 1.0)
    q = period / min(amplitude, 1.0) if amplitude > 0 else period
    phase = (q / (2 * math.pi)) * math.asin(1 / a)

    def ease(t: float) -> float:
        if t >= 1:
            return 1.0
        if t <= 0:
            return 0.0
        return a * 2 ** (-10 * t) * math.sin((t - phase) * 2 * math.pi / q) + 1

    return ease


def bounce_out(t: float) -> float:
    n, c = 7.5625, 2.75
    if t < 1 / c:
        return n * t * t
    if t < 2 / c:
        t -= 1.5 / c
        return n * t * t + 0.75
    if t < 2.5 / c:
        t -= 2.25 / c
        return n * t * t + 0.9375
    t -= 2.625 / c
    return n * t * t + 0.984375


def ease_out_cubic(x: float) -> float:
    return 1 - (1 - x) ** 3


def ease_in_cubic(x: float) -> float:
    return x**3


def ease_in_out_cubic(x: float) -> float:
    return 4 * x**3 if x < 0.5 else 1 - (-2 * x + 2) ** 3 / 2


_NAMED: dict[str, Ease] = {
    "none": linear,
    "linear": linear,
    "power1.out": power_out(1),
    "power2.out": power_out(2),
    "power3.out": power_out(3),
    "power4.out": power_out(4),
    "power1.in": power_in(1),
    "power2.in": power_in(2),
    "power1.inout": power1_in_out,
    "power2.inout": power2_in_out,
    "sine.inout": sine_in_out,
    "back.out": back_out(),
    "elastic.out": elastic_out(),
    "bounce.out": bounce_out,
}


def parse_ease(name: object) -> Ease:
    """A GSAP ease string such as "back.out(1.7)"; unknown names fall back to power1.out."""
    if not isinstance(name, str):
        return _NAMED["power1.out"]
    text = name.strip().lower()
    m = re.fullmatch(r"([a-z0-9.]+)\((.*)\)", text)
    if m:
        args = []
        for a in m.group(2).split(","):
            try:
                args.append(float(a))
            except ValueError:
                return _NAMED["power1.out"]
        if m.group(1) == "back.out" and args:
            return back_out(args[0])
        if m.group(1) == "elastic.out" and args:
            return elastic_out(*args[:2])
        text = m.group(1)
    return _NAMED.get(text, _NAMED["power1.out"])
