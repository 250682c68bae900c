"""Inheritance (spec 6.1-6.6): turns a define-resolved, validated document into the immutable
:class:`~motiontext.model.Scenario`.

1.5.0 distinguishes a key that is absent (``undefined``) from one set to ``null``: "defined"
below means present, whatever the value. Only the shapes that validation let through reach
this module, but the two TypeErrors 1.5.0 throws here on odd ``children`` values are kept.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from motiontext.errors import ScenarioError
from motiontext.model import UNBOUNDED, Cue, Node, PluginSpec, Scenario, TimeRange, Track
from motiontext.validate import (
    UNDEFINED,
    js_get,
    js_is_number,
    js_keys,
    js_number,
    js_str,
    js_truthy,
)

# Legacy box keys moved out of a group's style (spec 6.4), in 1.5.0's order.
_BOX_KEYS = ("backgroundColor", "boxBg", "border", "padding", "borderRadius", "opacity")
_NEVER_ACTIVE: TimeRange = (math.nan, math.nan)


@dataclass(frozen=True, slots=True)
class _Inherited:
    """What a node passes down to its children: resolved raw values, UNDEFINED when absent."""

    display_time: Any
    style: Any
    effect_scope: Any


def build_scenario(
    doc: dict[str, Any], warnings: list[str], font_assets: dict[str, str]
) -> Scenario:
    """Apply inheritance to a document that :func:`~motiontext.validate.validate_scenario`
    accepted and build the model."""
    raw_tracks: dict[str, dict[str, Any]] = {}
    tracks: dict[str, Track] = {}
    for raw in doc["tracks"]:
        # Cues name tracks by non-empty string (validated), so other ids can never be used.
        if isinstance(raw, dict) and isinstance(raw.get("id"), str):
            raw_tracks[raw["id"]] = raw
            tracks[raw["id"]] = _track(raw)
    cues = []
    for index, raw_cue in enumerate(doc["cues"]):
        path = f"cues[{index}]"
        raw_track = raw_tracks[raw_cue["track"]]
        lifetime = raw_cue.get("domLifetime", UNDEFINED)
        if js_truthy(lifetime):  # validated: two finite numbers
            dom_lifetime = (js_number(lifetime[0]), js_number(lifetime[1]))
        else:
            dom_lifetime = default_dom_lifetime(raw_cue["root"], f"{path}.root")
        root = _inherit_node(
            raw_cue["root"],
            f"{path}.root",
            None,
            raw_track,
            raw_cue.get("displayTime", UNDEFINED),
        )
        cues.append(
            Cue(
                id=raw_cue["id"],
                track=tracks[raw_cue["track"]],
                dom_lifetime=dom_lifetime,
                root=root,
                index=index,
            )
        )
    stage = doc["stage"]
    return Scenario(
        base_aspect=stage["baseAspect"],
        safe_area=_object_or_none(stage.get("safeArea", UNDEFINED)),
        tracks=tracks,
        cues=tuple(cues),
        font_assets=font_assets,
        warnings=tuple(warnings),
    )


def default_dom_lifetime(root: Any, path: str) -> TimeRange:
    """Spec 6.6: from the explicit displayTimes only (before inheritance), widened by 0.5 s."""
    starts: list[float] = []
    ends: list[float] = []
    _collect_display_times(root, path, starts, ends)
    if not starts:
        return (-1.0, math.inf)
    return (min(starts) - 0.5, max(ends) + 0.5)


def _collect_display_times(node: Any, path: str, starts: list[float], ends: list[float]) -> None:
    display_time = js_get(node, "displayTime", path)
    if js_truthy(display_time):  # validated, so both bounds are finite numbers
        starts.append(js_number(display_time[0]))
        ends.append(js_number(display_time[1]))
    if js_get(node, "eType", path) != "group":
        return
    children = js_get(node, "children", path)
    if not js_truthy(children):
        return
    if isinstance(children, (list, str)):  # a string iterates its characters: no nodes
        for i, child in enumerate(children):
            _collect_display_times(child, f"{path}.children[{i}]", starts, ends)
    else:
        raise ScenarioError("node.children is not iterable", f"{path}.children")


def _inherit_node(
    node: dict[str, Any],
    path: str,
    parent: _Inherited | None,
    track: dict[str, Any],
    cue_display_time: Any,
) -> Node:
    is_group = node.get("eType") == "group"

    display_time = node.get("displayTime", UNDEFINED)
    if display_time is UNDEFINED:
        if parent is not None:
            display_time = parent.display_time
        elif js_truthy(cue_display_time):  # not validated (spec 6.1)
            display_time = cue_display_time
        else:
            display_time = [-math.inf, math.inf]

    style = _merge(
        track.get("defaultStyle", UNDEFINED),
        parent.style if parent is not None else UNDEFINED,
        node.get("style", UNDEFINED),
    )
    box_style = _merge(
        track.get("defaultBoxStyle", UNDEFINED) if is_group else UNDEFINED,
        node.get("boxStyle", UNDEFINED),
    )
    if is_group and style is not UNDEFINED and box_style is UNDEFINED:
        style, box_style = _split_legacy_style(style)

    effect_scope = node.get("effectScope", UNDEFINED)
    if effect_scope is UNDEFINED and parent is not None:
        effect_scope = parent.effect_scope

    children: tuple[Node, ...] = ()
    if is_group:
        passed_down = _Inherited(display_time, style, effect_scope)
        children = _inherit_children(node, path, passed_down, track)

    e_type = node.get("eType")
    text = node.get("text", UNDEFINED)
    return Node(
        id=node["id"],
        e_type=e_type if isinstance(e_type, str) else "",
        path=path,
        display_time=_time_range(display_time),
        base_time=_none_if_undefined(node.get("baseTime", UNDEFINED)),
        layout=_object_or_none(node.get("layout", UNDEFINED)),
        style=None if style is UNDEFINED else style,
        box_style=box_style if is_group and box_style is not UNDEFINED else None,
        plugin_chain=_plugin_chain(node.get("pluginChain", UNDEFINED)),
        effect_scope=_none_if_undefined(effect_scope),
        # the renderer writes `node.text || ''` into textContent
        text=(js_str(text) if js_truthy(text) else "") if e_type == "text" else None,
        children=children,
    )


def _inherit_children(
    node: dict[str, Any], path: str, passed_down: _Inherited, track: dict[str, Any]
) -> tuple[Node, ...]:
    raw_children = node.get("children", UNDEFINED)
    if raw_children is UNDEFINED or raw_children is None:
        return ()
    if not isinstance(raw_children, list):
        # 1.5.0 calls `children?.map(...)`: any other value, false and "" included, throws
        raise ScenarioError("_a.map is not a function", f"{path}.children")
    nodes = []
    for i, child in enumerate(raw_children):  # validated: each child is an object with an id
        nodes.append(_inherit_node(child, f"{path}.children[{i}]", passed_down, track, None))
    return tuple(nodes)


def _merge(*sources: Any) -> Any:
    """Shallow merge, lowest priority first. UNDEFINED when no source is defined; a defined
    source that is not an object (null, a string, a number) still makes the result exist."""
    defined = [s for s in sources if s is not UNDEFINED]
    if not defined:
        return UNDEFINED
    merged: dict[str, Any] = {}
    for source in defined:
        if isinstance(source, dict):
            merged.update(source)
        elif isinstance(source, list):  # Object.assign copies an array's indices
            merged.update((str(i), item) for i, item in enumerate(source))
    return {key: merged[key] for key in js_keys(merged)}


def _split_legacy_style(style: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """Spec 6.4. Keys absent from the style are left out of the box style rather than set to
    undefined: the renderer tests them with `!= null`, so both read the same."""
    has_box_keys = any(js_truthy(style.get(key, UNDEFINED)) for key in _BOX_KEYS[:5])
    if not has_box_keys and "opacity" not in style:
        return style, UNDEFINED
    text_style = {key: value for key, value in style.items() if key not in _BOX_KEYS}
    box_style = {key: style[key] for key in _BOX_KEYS if key in style}
    return text_style, box_style


def _time_range(value: Any) -> TimeRange:
    """The renderer reads `displayTime || [-Infinity, Infinity]` and destructures two bounds; a
    bound that is not a number can never be finite, so it becomes NaN (never active)."""
    if not js_truthy(value):
        return UNBOUNDED
    if not isinstance(value, list):
        return _NEVER_ACTIVE
    bounds = [js_number(v) if js_is_number(v) else math.nan for v in value[:2]]
    bounds += [math.nan] * (2 - len(bounds))
    return (bounds[0], bounds[1])


def _plugin_chain(value: Any) -> tuple[PluginSpec, ...]:
    if not isinstance(value, list):
        return ()
    # Entries that are not objects have no name, so no registered plugin can run for them.
    return tuple(_plugin_spec(entry) for entry in value if isinstance(entry, dict))


def _plugin_spec(entry: dict[str, Any]) -> PluginSpec:
    name = entry.get("name")
    params = entry.get("params")
    compose = entry.get("compose")
    kind = entry.get("type")
    return PluginSpec(
        name=name if isinstance(name, str) else "",
        params=params if isinstance(params, dict) else {},
        time_offset=entry.get("timeOffset"),
        base_time=entry.get("baseTime"),
        compose=compose if isinstance(compose, str) and compose else "replace",
        type=kind if isinstance(kind, str) else None,
    )


def _track(raw: dict[str, Any]) -> Track:
    kind = raw.get("type")
    return Track(
        id=raw["id"],
        type=kind if isinstance(kind, str) else "",
        default_style=_object_or_none(raw.get("defaultStyle", UNDEFINED)),
        default_box_style=_object_or_none(raw.get("defaultBoxStyle", UNDEFINED)),
        default_constraints=_object_or_none(raw.get("defaultConstraints", UNDEFINED)),
        safe_area=_object_or_none(raw.get("safeArea", UNDEFINED)),
    )


def _object_or_none(value: Any) -> dict[str, Any] | None:
    """The renderer tests these sub-objects for truthiness, then reads keys: a truthy
    non-object reads like an empty object, a falsy one like none at all."""
    if isinstance(value, dict):
        return value
    return {} if js_truthy(value) else None


def _none_if_undefined(value: Any) -> Any:
    return None if value is UNDEFINED else value
