"""Shared helpers for the plugin modules: parameter coercion as the original JS does it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


def number(params: dict[str, Any], key: str, default: float) -> float:
    """``Number(params[key] ?? default)`` with NaN falling back to the default."""
    value = params.get(key)
    if value is None:
        return float(default)
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    try:
        out = float(value)
    except (TypeError, ValueError):
        return float(default)
    return out if math.isfinite(out) else float(default)


def string(params: dict[str, Any], key: str, default: str) -> str:
    """``params[key] || default`` for a string parameter: anything but a non-empty string
    (absent, "", a number) takes the default."""
    value = params.get(key)
    return value if isinstance(value, str) and value else default


def clamp(v: float, lo: float, hi: float) -> float:
    return lo if v < lo else min(v, hi)


@dataclass(frozen=True)
class PluginInfo:
    name: str
    version: str
    kind: str
