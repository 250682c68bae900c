"""The original's warning texts: after a migration (spec MIG-WARN, section 8) and for a
document that is already v2.0 (spec MIG-FRONT, section 3 step 3).

One bug is fixed (spec 12, "may fix"): the original compares a time array's bounds with JS
``>``, so strings compare as text and ``["50%", "100%"]`` got a spurious "start > end". Here a
range is only checked when both bounds are numbers.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from motiontext.migrate.jsjson import child_path
from motiontext.validate import js_is_number, js_keys, js_number, js_str, js_truthy

DEPRECATED_KEYS = ("hintTime", "absStart", "absEnd", "relStart", "relEnd")
_MIGRATED_TIME_KEYS = ("displayTime", "domLifetime", "timeOffset")
_V20_TIME_KEYS = ("displayTime", "domLifetime", "time_offset")


def migration_warnings(doc: dict[str, Any]) -> list[str]:
    """Leftover deprecated keys, missing cue ids, malformed time arrays, in that order."""
    warnings = [
        f"Deprecated field '{key}' found at {path}"
        for path, key, _ in _keys(doc)
        if key in DEPRECATED_KEYS
    ]
    cues = doc.get("cues")
    if not isinstance(cues, list):
        warnings.append("Missing or invalid field: cues")
    else:
        warnings.extend(
            f"Cue {i} missing required field: id"
            for i, cue in enumerate(cues)
            if not (isinstance(cue, dict) and js_truthy(cue.get("id")))
        )
    for path, key, value in _keys(doc):
        if key not in _MIGRATED_TIME_KEYS:
            continue
        if not (isinstance(value, list) and len(value) == 2):
            warnings.append(f"Invalid time array at {path}: expected [start, end]")
        elif _numbers(value) and js_number(value[0]) > js_number(value[1]):
            warnings.append(f"Invalid time range at {path}: start > end")
    return warnings


def v20_warnings(doc: dict[str, Any]) -> list[str]:
    """What the original's front door says about a document it takes for v2.0."""
    warnings = []
    if not js_truthy(doc.get("version")):
        warnings.append("Missing version field")
    if not js_truthy(doc.get("define")):
        warnings.append("Missing define section (recommended for v2.0)")
    for path, key, value in _keys(doc):
        if key not in _V20_TIME_KEYS:
            continue
        if not (isinstance(value, list) and len(value) == 2):
            warnings.append(f"Invalid time array at {path}: expected [start, end]")
        elif not _numbers(value):
            warnings.append(f"Invalid time array at {path}: values must be numbers")
        elif js_number(value[0]) > js_number(value[1]):
            start, end = (js_str(v) for v in value)
            warnings.append(f"Invalid time range at {path}: start ({start}) > end ({end})")
    return warnings


def _numbers(pair: list[Any]) -> bool:
    return all(js_is_number(v) for v in pair)


def _keys(value: Any) -> Iterator[tuple[str, str, Any]]:
    """(path, key, value) of every object key at any depth, depth-first in JS key order; a key
    comes before the keys inside its value."""
    stack = [_entries("", value)]
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            continue
        path, key, item = entry
        if key is not None:
            yield path, key, item
        if isinstance(item, (dict, list)):
            stack.append(_entries(path, item))


def _entries(path: str, value: Any) -> Iterator[tuple[str, str | None, Any]]:
    if isinstance(value, dict):
        return iter([(child_path(path, key), key, value[key]) for key in js_keys(value)])
    return iter([(child_path(path, i), None, item) for i, item in enumerate(value)])
