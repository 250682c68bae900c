"""The field pass of the original migrator (spec section 4: MIG-TOP, MIG-CUE, MIG-NODE,
MIG-PLUGIN, MIG-PCT): renames timing and type keys in place, on the migrator's own copy.

Everything it does not name passes through unchanged: ``definitions``, ``type``/``content``
nodes, styles, the singular ``plugin``, ``params.t0/t1``, plugin names, tracks. Renamed or new
keys are appended where they are set, an existing key keeps its place (Python dicts and JS
objects agree on both).

Where the original throws a TypeError (a cue, root or child that is null or a primitive, a
pluginChain entry that is not an object) this raises a ScenarioError naming the JSON path in
the input. Arithmetic on a non-number (``absStart: "2"`` would give ``"21"``, ``relStartPct:
"50"`` would give 0.5 by JS coercion) is refused the same way.
"""

from __future__ import annotations

from typing import Any

from motiontext.errors import ScenarioError
from motiontext.migrate.jsjson import child_path, describe, js_double
from motiontext.validate import js_is_number, js_truthy

HINT_WINDOW_SECONDS = 5  # a numeric hintTime h becomes domLifetime [h, h + 5]


def migrate_fields(doc: dict[str, Any]) -> None:
    """Apply the field pass to ``doc`` in place (the caller's deep copy)."""
    doc["version"] = "2.0"
    if not js_truthy(doc.get("define")):
        doc["define"] = {}
    cues = doc.get("cues")
    if not isinstance(cues, list):
        return  # reported by the warnings pass: "Missing or invalid field: cues"
    for i, cue in enumerate(cues):
        _migrate_cue(cue, child_path("cues", i))


def _migrate_cue(cue: Any, path: str) -> None:
    if not _is_object(cue, path, "a cue"):
        return
    if "hintTime" in cue:
        hint = cue.pop("hintTime")
        # Only a number becomes a lifetime; the v1.3 object form {start, end} is dropped.
        if js_is_number(hint):
            cue["domLifetime"] = [hint, js_double(hint + HINT_WINDOW_SECONDS)]
    root = cue.get("root")
    if js_truthy(root):
        _migrate_node(root, child_path(path, "root"))


def _migrate_node(node: Any, path: str) -> None:
    if not _is_object(node, path, "a node"):
        return
    _rename(node, "e_type", "eType")
    _rename(node, "base_time", "baseTime")
    if "absStart" in node or "absEnd" in node:
        start = node.pop("absStart", None)
        end = node.pop("absEnd", None)
        start = 0 if start is None else _seconds(start, child_path(path, "absStart"))
        end = js_double(start + 1) if end is None else _seconds(end, child_path(path, "absEnd"))
        node["displayTime"] = [start, end]  # no rounding, no order check
    chain = node.get("pluginChain")
    if isinstance(chain, list):
        for j, entry in enumerate(chain):
            _migrate_plugin_entry(entry, child_path(child_path(path, "pluginChain"), j))
    children = node.get("children")
    if isinstance(children, list):
        for j, child in enumerate(children):
            _migrate_node(child, child_path(child_path(path, "children"), j))


def _migrate_plugin_entry(entry: Any, path: str) -> None:
    """Steps P1-P5 in order; each later window overwrites ``timeOffset``, so the precedence is
    t0/t1 > relStartPct/relEndPct > relStart/relEnd > time_offset."""
    if not _is_object(entry, path, "a pluginChain entry"):
        return
    _rename(entry, "time_offset", "timeOffset")
    _rename(entry, "base_time", "baseTime")
    if "relStart" in entry or "relEnd" in entry:
        entry["timeOffset"] = [_pop_or(entry, "relStart", 0), _pop_or(entry, "relEnd", 1)]
    if "relStartPct" in entry or "relEndPct" in entry:
        # The original divides by 100 although v1.3 percentages are fractions 0..1, and the
        # results are plain numbers, which v2.0 reads as seconds (spec MIG-PCT).
        start = _seconds(_pop_or(entry, "relStartPct", 0), child_path(path, "relStartPct"))
        end = _seconds(_pop_or(entry, "relEndPct", 100), child_path(path, "relEndPct"))
        entry["timeOffset"] = [js_double(start / 100), js_double(end / 100)]
    if "t0" in entry or "t1" in entry:
        entry["timeOffset"] = [_pop_or(entry, "t0", 0), _pop_or(entry, "t1", 1)]


def _rename(obj: dict[str, Any], old: str, new: str) -> None:
    if old in obj:
        obj[new] = obj.pop(old)


def _pop_or(obj: dict[str, Any], key: str, default: Any) -> Any:
    """``obj[key] ?? default``, removing the key."""
    value = obj.pop(key, None)
    return default if value is None else value


def _seconds(value: Any, path: str) -> int | float:
    if not js_is_number(value):
        raise ScenarioError(
            f"cannot migrate this v1.3 scenario: expected a number, but got {describe(value)}",
            path,
        )
    return value


def _is_object(value: Any, path: str, what: str) -> bool:
    """True for an object to migrate; False for an array, which the original reads as an
    object without any of the keys it renames; a ScenarioError where it crashes (null, a
    primitive)."""
    if isinstance(value, dict):
        return True
    if isinstance(value, list):
        return False
    raise ScenarioError(
        f"cannot migrate this v1.3 scenario: expected {what} (an object), but got {describe(value)}",
        path,
    )
