"""Validation of a define-resolved scenario (spec section 5) and the JS value semantics that
1.5.0's parser applies while it walks the document.

The checks run in 1.5.0's order and raise the first failure as a ``ScenarioError`` whose message
is 1.5.0's text and whose ``path`` is the JSON path of the offending field. The time-logic
checks only warn: :func:`validate_scenario` returns their messages.

1.5.0 reads the document with plain property accesses, so a value of the wrong shape either
reads as ``undefined`` or makes V8 throw a ``TypeError``; :func:`js_get` reproduces both, with
V8's message text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from motiontext.errors import ScenarioError

# ---------------------------------------------------------------------------------------------
# JS value semantics


class _Undefined:
    """JS ``undefined``: a key that is absent, as opposed to JSON ``null`` (Python None).
    Compare with ``is UNDEFINED``; the module creates the only instance."""

    __slots__ = ()

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "undefined"


UNDEFINED: Any = _Undefined()

_ARRAY_INDEX_LIMIT = 2**32 - 1


def js_is_number(value: Any) -> bool:
    """``typeof value === 'number'``; Python's bool is an int but JS's boolean is not a number."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def js_number(value: float) -> float:
    """The double JS holds for a JSON number; integers beyond the double range become ±Infinity."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def js_is_finite(value: Any) -> bool:
    """``Number.isFinite(value)``: numbers only, no coercion."""
    return js_is_number(value) and math.isfinite(js_number(value))


def js_truthy(value: Any) -> bool:
    if value is UNDEFINED or value is None or value is False:
        return False
    if js_is_number(value):
        number = js_number(value)
        return number != 0 and not math.isnan(number)
    if isinstance(value, str):
        return value != ""
    return True  # objects and arrays, even empty ones


def array_index(key: str) -> int | None:
    """The integer a key stands for when JS treats it as an array index, else None."""
    if not key.isascii() or not key.isdigit() or (len(key) > 1 and key[0] == "0"):
        return None
    index = int(key)
    return index if index < _ARRAY_INDEX_LIMIT else None


def js_keys(obj: dict[str, Any]) -> list[str]:
    """Own keys in JS order: array-index keys ascending first, then the rest in insertion order.
    The order decides which of several bad fields 1.5.0 reports first."""
    indexed = sorted((i, k) for k in obj if (i := array_index(k)) is not None)
    if not indexed:
        return list(obj)
    index_keys = [k for _, k in indexed]
    taken = set(index_keys)
    return index_keys + [k for k in obj if k not in taken]


def js_get(obj: Any, key: str, path: str) -> Any:
    """``obj[key]`` as V8 evaluates it on a JSON value; ``path`` is where ``obj`` sits."""
    if obj is None or obj is UNDEFINED:
        kind = "null" if obj is None else "undefined"
        raise ScenarioError(f"Cannot read properties of {kind} (reading '{key}')", path)
    if isinstance(obj, dict):
        return obj.get(key, UNDEFINED)
    if isinstance(obj, (list, str)):
        if key == "length":
            return len(obj)
        index = array_index(key)
        if index is not None and index < len(obj):
            return obj[index]
    return UNDEFINED


def js_number_str(value: float) -> str:
    """``String(number)``: the shortest round-trip digits laid out by ECMAScript's rules."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    _, digit_tuple, exponent = Decimal(repr(abs(value))).as_tuple()
    significant = "".join(map(str, digit_tuple)).lstrip("0")
    n = len(significant) + int(exponent)  # abs(value) == 0.<significant> * 10**n
    digits = significant.rstrip("0")
    k = len(digits)
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = f"{digits[:n]}.{digits[n:]}"
    elif -6 < n <= 0:
        text = "0." + "0" * -n + digits
    else:
        mantissa = digits[0] + (f".{digits[1:]}" if k > 1 else "")
        text = f"{mantissa}e{'+' if n > 0 else '-'}{abs(n - 1)}"
    return ("-" if value < 0 else "") + text


def js_str(value: Any) -> str:
    """``String(value)`` / template-literal interpolation of a JSON value."""
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if value is UNDEFINED:
        return "undefined"
    if isinstance(value, bool):
        return "true" if value else "false"
    if js_is_number(value):
        return js_number_str(js_number(value))
    if isinstance(value, list):
        return ",".join("" if v is None or v is UNDEFINED else js_str(v) for v in value)
    return "[object Object]"


# JS's WhiteSpace and LineTerminator code points (what \s and String.prototype.trim use)
_JS_SPACE = (
    "\t\n\v\f\r \u00a0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + ("\u2028\u2029\u202f\u205f\u3000\ufeff")
)
_JS_NUMERIC = re.compile(r"[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|Infinity)")


def js_to_number(value: Any) -> float:
    """``ToNumber(value)``, needed where 1.5.0 compares a loop index with ``x.length``."""
    if js_is_number(value):
        return js_number(value)
    if isinstance(value, bool):
        return float(value)
    if value is None:
        return 0.0
    if isinstance(value, list):
        return js_to_number(js_str(value))
    if not isinstance(value, str):
        return math.nan
    text = value.strip(_JS_SPACE)
    if text == "":
        return 0.0
    if re.fullmatch(r"0[xX][0-9a-fA-F]+", text):
        return float(int(text, 16))
    if re.fullmatch(r"0[oO][0-7]+", text):
        return float(int(text, 8))
    if re.fullmatch(r"0[bB][01]+", text):
        return float(int(text, 2))
    if re.fullmatch(_JS_NUMERIC, text) and text.isascii():
        return float(text.replace("Infinity", "inf"))
    return math.nan


def js_indexed(value: Any, path: str) -> Iterator[tuple[int, Any]]:
    """``for (let i = 0; i < value.length; i++) value[i]`` over an array-like JSON value. A
    missing element reads as undefined; the caller's next property read on it then throws, which
    keeps the loop finite even for ``{"length": 1e9}``."""
    bound = js_to_number(js_get(value, "length", path))
    i = 0
    while i < bound:
        yield i, js_get(value, str(i), path)
        i += 1


# ---------------------------------------------------------------------------------------------
# Validation (spec section 5.4)

_ASPECTS = ("16:9", "9:16", "auto")
_SPACE_CLASS = "[" + re.escape(_JS_SPACE) + "]"
_OFFSET_STRING = re.compile(rf"{_SPACE_CLASS}*-?[0-9]+(?:\.[0-9]+)?%?{_SPACE_CLASS}*")


def validate_scenario(doc: dict[str, Any]) -> list[str]:
    """Raise the first validation error of a define-resolved document, in 1.5.0's order, or
    return the time-logic warnings (possibly none)."""
    _check_required(doc)
    cues = doc["cues"]
    _check_time_arrays(cues)
    _check_ids(cues)
    _check_tracks(doc["tracks"], cues)
    return _time_logic_warnings(cues)


def _check_required(doc: dict[str, Any]) -> None:
    timebase = doc.get("timebase", UNDEFINED)
    if not js_truthy(timebase):
        raise ScenarioError("Missing required field: timebase", "timebase")
    stage = doc.get("stage", UNDEFINED)
    if not js_truthy(stage):
        raise ScenarioError("Missing required field: stage", "stage")
    if not isinstance(doc.get("tracks"), list):
        raise ScenarioError("tracks must be an array", "tracks")
    if not isinstance(doc.get("cues"), list):
        raise ScenarioError("cues must be an array", "cues")
    unit = js_get(timebase, "unit", "timebase")
    if unit != "seconds" or not isinstance(unit, str):
        raise ScenarioError(
            f'timebase.unit must be "seconds", got "{js_str(unit)}"', "timebase.unit"
        )
    fps = js_get(timebase, "fps", "timebase")
    # NaN passes: `NaN <= 0` is false in JS as in Python
    if fps is not UNDEFINED and (not js_is_number(fps) or js_number(fps) <= 0):
        raise ScenarioError("timebase.fps must be a positive number", "timebase.fps")
    aspect = js_get(stage, "baseAspect", "stage")
    if not isinstance(aspect, str) or aspect not in _ASPECTS:
        raise ScenarioError(
            f"stage.baseAspect must be one of: {', '.join(_ASPECTS)}", "stage.baseAspect"
        )


def check_time_range(value: Any, path: str) -> None:
    """1.5.0's ``validateTimeRange``, its message prefixed with ``path``."""
    problem = None
    if not isinstance(value, list):
        problem = "timeRange must be an array"
    elif len(value) != 2:
        problem = "timeRange must have exactly 2 elements [start, end]"
    elif not js_is_finite(value[0]):
        problem = "timeRange start must be a finite number"
    elif not js_is_finite(value[1]):
        problem = "timeRange end must be a finite number"
    elif js_number(value[0]) > js_number(value[1]):
        start, end = (js_number_str(js_number(v)) for v in value)
        problem = f"timeRange start ({start}) must not be greater than end ({end})"
    if problem is not None:
        raise ScenarioError(f"{path}: {problem}", path)


def group_children(node: Any, path: str) -> Iterator[tuple[str, Any]]:
    """The children 1.5.0's validation visits: only under ``eType === 'group'``."""
    if js_get(node, "eType", path) != "group":
        return
    children = js_get(node, "children", path)
    if js_truthy(children):
        for i, child in js_indexed(children, f"{path}.children"):
            yield f"{path}.children[{i}]", child


def _check_time_arrays(cues: list[Any]) -> None:
    for i, cue in enumerate(cues):
        path = f"cues[{i}]"
        lifetime = js_get(cue, "domLifetime", path)
        if js_truthy(lifetime):
            check_time_range(lifetime, f"{path}.domLifetime")
        _check_node_times(js_get(cue, "root", path), f"{path}.root")


def _check_node_times(node: Any, path: str) -> None:
    display_time = js_get(node, "displayTime", path)
    if js_truthy(display_time):
        check_time_range(display_time, f"{path}.displayTime")
    chain = js_get(node, "pluginChain", path)
    if js_truthy(chain):
        for i, plugin in js_indexed(chain, f"{path}.pluginChain"):
            plugin_path = f"{path}.pluginChain[{i}]"
            if not isinstance(plugin, str):
                _check_snake_time_offset(js_get(plugin, "time_offset", plugin_path), plugin_path)
    for child_path, child in group_children(node, path):
        _check_node_times(child, child_path)


def _check_snake_time_offset(offset: Any, plugin_path: str) -> None:
    # Only the legacy snake_case key is validated; the camelCase timeOffset that the renderer
    # actually reads is not (spec 5.4.2).
    if not js_truthy(offset):
        return
    path = f"{plugin_path}.time_offset"
    if not isinstance(offset, list) or len(offset) != 2:
        raise ScenarioError(f"{path} must be [start, end] array", path)
    for k, bound in enumerate(offset):
        ok = js_is_finite(bound) or (
            isinstance(bound, str) and _OFFSET_STRING.fullmatch(bound) is not None
        )
        if not ok:
            raise ScenarioError(
                f"{path}[{k}] must be a number (seconds) or percentage string like '50%'",
                f"{path}[{k}]",
            )


def _check_ids(cues: list[Any]) -> None:
    seen: dict[str, str] = {}  # id -> path of its owner; cue and node ids share it
    for i, cue in enumerate(cues):
        path = f"cues[{i}]"
        cue_id = js_get(cue, "id", path)
        if not isinstance(cue_id, str) or not cue_id:
            raise ScenarioError(
                f"{path}.id: Cue ID is required and must be a non-empty string", f"{path}.id"
            )
        if cue_id in seen:
            raise ScenarioError(
                f'Duplicate cue ID: "{cue_id}" (conflicts with {seen[cue_id]})', f"{path}.id"
            )
        seen[cue_id] = path
        _check_node_ids(js_get(cue, "root", path), f"{path}.root", seen)


def _check_node_ids(node: Any, path: str, seen: dict[str, str]) -> None:
    node_id = js_get(node, "id", path)
    if not isinstance(node_id, str) or not node_id:
        raise ScenarioError(
            f"{path}.id: Node ID is required and must be a non-empty string", f"{path}.id"
        )
    if node_id in seen:
        raise ScenarioError(
            f'Duplicate node ID: "{node_id}" (conflicts with {seen[node_id]})', f"{path}.id"
        )
    seen[node_id] = path
    for child_path, child in group_children(node, path):
        _check_node_ids(child, child_path, seen)


def _same_value_zero_key(value: Any, position: int) -> tuple[Any, ...]:
    """A dict key that equals another exactly when JS's Map would treat the ids as one."""
    if isinstance(value, bool):
        return ("boolean", value)
    if js_is_number(value):
        number = js_number(value)
        return ("number", "NaN" if math.isnan(number) else number + 0.0)
    if isinstance(value, str):
        return ("string", value)
    if value is None or value is UNDEFINED:
        return (repr(value),)
    return ("object", position)  # every parsed object is a distinct identity


def _check_tracks(tracks: list[Any], cues: list[Any]) -> None:
    ids = [js_get(track, "id", f"tracks[{j}]") for j, track in enumerate(tracks)]
    first_duplicate: dict[tuple[Any, ...], int | None] = {}
    for j, track_id in enumerate(ids):
        key = _same_value_zero_key(track_id, j)
        if key in first_duplicate:
            if first_duplicate[key] is None:
                first_duplicate[key] = j
        else:
            first_duplicate[key] = None
    # 1.5.0 counts into a Map and reports the first id, in first-seen order, seen twice
    for key, duplicate_at in first_duplicate.items():
        if duplicate_at is not None:
            raise ScenarioError(
                f'Duplicate track ID: "{js_str(ids[duplicate_at])}"', f"tracks[{duplicate_at}].id"
            )
    known = {track_id for track_id in ids if isinstance(track_id, str)}
    for i, cue in enumerate(cues):
        path = f"cues[{i}].track"
        track = js_get(cue, "track", f"cues[{i}]")
        if not isinstance(track, str) or not track:
            raise ScenarioError(f"{path}: Track reference is required and must be a string", path)
        if track not in known:
            raise ScenarioError(f'{path}: Unknown track ID "{track}"', path)


def _time_logic_warnings(cues: list[Any]) -> list[str]:
    warnings: list[str] = []
    for i, cue in enumerate(cues):
        lifetime = cue.get("domLifetime", UNDEFINED)
        if js_truthy(lifetime):
            start, end = (js_number(v) for v in lifetime)
            _warn_outside(cue["root"], f"cues[{i}].root", start, end, warnings)
    return warnings


def _warn_outside(node: Any, path: str, start: float, end: float, out: list[str]) -> None:
    display_time = js_get(node, "displayTime", path)
    if js_truthy(display_time):
        node_start, node_end = (js_number(v) for v in display_time)
        if node_start < start:
            out.append(
                f"Warning: {path}.displayTime starts ({js_number_str(node_start)}) before "
                f"domLifetime ({js_number_str(start)}). This may cause late DOM mounting."
            )
        if node_end > end:
            out.append(
                f"Warning: {path}.displayTime ends ({js_number_str(node_end)}) after "
                f"domLifetime ({js_number_str(end)}). This may cause early DOM unmounting."
            )
    for child_path, child in group_children(node, path):
        _warn_outside(child, child_path, start, end, out)
