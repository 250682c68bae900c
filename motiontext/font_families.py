"""The font families a scenario names: every ``fontFamily`` of a track's ``defaultStyle`` or
a node's style, split as a CSS family list (spec 10.1 copies them verbatim to CSS). Used to
report families that are not installed and to load web fonts into the reference page."""

from __future__ import annotations

from collections.abc import Iterator

from .css import parse_font_families
from .model import Node, Scenario


def named_font_families(scenario: Scenario) -> tuple[str, ...]:
    """Each family once (first spelling, case-insensitive), in document order."""
    seen: dict[str, str] = {}
    for style in _styles(scenario):
        value = style.get("fontFamily")
        if not isinstance(value, str):
            continue  # JS String() of a non-string names no installable family
        for family in parse_font_families(value) or ():
            seen.setdefault(family.lower(), family)
    return tuple(seen.values())


def _styles(scenario: Scenario) -> Iterator[dict]:
    for track in scenario.tracks.values():
        if isinstance(track.default_style, dict):
            yield track.default_style
    stack: list[Node] = [cue.root for cue in scenario.cues]
    while stack:
        node = stack.pop(0)
        if isinstance(node.style, dict):
            yield node.style
        stack[0:0] = node.children
