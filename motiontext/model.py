"""The resolved scenario: what parsing (define resolution, validation, inheritance) hands to
evaluation. Plain, immutable data; style/layout sub-objects stay as the JSON dicts the author
wrote (after define resolution) because 1.5.0 reads them key by key with JS truthiness.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

TimeRange = tuple[float, float]
UNBOUNDED: TimeRange = (-math.inf, math.inf)


@dataclass(frozen=True, slots=True)
class PluginSpec:
    name: str
    params: dict[str, Any]
    time_offset: Any  # raw JSON value; None means the default ["0%", "100%"]
    base_time: Any  # raw JSON value or None
    compose: str  # "replace" | "add" | "multiply" (anything else acts as replace)
    type: str | None  # "channel" | "dom" | "hybrid" | None


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    e_type: str  # "group" | "text" | "image" | "video" | anything else -> unknown
    path: str  # JSON path, e.g. "cues[0].root.children[1]"
    display_time: TimeRange  # resolved (own -> ancestor -> cue -> unbounded)
    base_time: Any  # own only, raw JSON value or None
    layout: dict[str, Any] | None  # own only
    style: dict[str, Any] | None  # resolved text style (track < parent < own), after split
    box_style: dict[str, Any] | None  # groups only: track defaultBoxStyle < own (or split)
    plugin_chain: tuple[PluginSpec, ...]
    effect_scope: Any  # own, else the parent's
    text: str | None  # text nodes
    children: tuple[Node, ...] = ()  # group nodes only; unknown eTypes keep none


@dataclass(frozen=True, slots=True)
class Track:
    id: str
    type: str
    default_style: dict[str, Any] | None
    default_box_style: dict[str, Any] | None
    default_constraints: dict[str, Any] | None
    safe_area: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class Cue:
    id: str
    track: Track
    dom_lifetime: TimeRange  # explicit, or computed from explicit displayTimes (spec 6.6)
    root: Node
    index: int


@dataclass(frozen=True, slots=True)
class Scenario:
    base_aspect: str  # "16:9" | "9:16" | "auto"
    safe_area: dict[str, Any] | None  # stage.safeArea
    tracks: dict[str, Track]
    cues: tuple[Cue, ...]
    font_assets: dict[str, str] = field(default_factory=dict)  # define key -> url
    warnings: tuple[str, ...] = ()

    def aspect_ratio(self) -> float:
        """Width / height of the stage when no media is attached (spec 8.1)."""
        try:
            w, h = self.base_aspect.split(":")
            ratio = float(w) / float(h)
            if math.isfinite(ratio) and ratio > 0:
                return ratio
        except (ValueError, AttributeError, ZeroDivisionError):
            pass
        return 16 / 9
