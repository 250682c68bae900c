"""Scenario loading: the parse pipeline of spec section 2, in 1.5.0's order.

    type check -> version check -> define resolution -> validation -> inheritance

Every rejection is a :class:`~motiontext.errors.ScenarioError` carrying 1.5.0's message and the
JSON path of the offending field. No other exception escapes for any JSON-like input.
"""

from __future__ import annotations

import json
import os
from typing import Any

from motiontext.define import collect_font_assets, resolve_defines
from motiontext.errors import InputError, ScenarioError
from motiontext.inherit import build_scenario
from motiontext.model import Scenario
from motiontext.validate import UNDEFINED, js_number, js_str, js_truthy, validate_scenario

# Chromium accepts far deeper documents, but real scenarios nest a dozen levels; the limit keeps
# the recursive stages well inside Python's recursion limit.
MAX_NESTING = 256
# Integers up to 2**53 are exact doubles; beyond it JSON.parse rounds them, and past the double
# range they become ±Infinity.
_EXACT_INT = 2**53

_SCALARS = (str, int, float, bool, type(None))


def load_scenario(doc: Any) -> Scenario:
    """Parse an already-decoded JSON document (dicts, lists, str, int, float, bool, None)."""
    try:
        return _load(doc)
    except RecursionError:
        # what V8 reports when define chains or nesting exhaust its stack
        raise ScenarioError("Maximum call stack size exceeded") from None


def load_scenario_text(text: str | bytes) -> Scenario:
    """Parse JSON text (bytes must be UTF-8). Syntax errors name the line and column; the
    non-standard constants NaN and Infinity are rejected as JSON.parse rejects them."""
    return load_scenario(decode_scenario_text(text))


def load_scenario_file(path: str | os.PathLike[str]) -> Scenario:
    """Parse a scenario file (UTF-8, an optional BOM is skipped as fetch().json() skips it).
    An unreadable file is an :class:`InputError`; its content errors are ScenarioErrors."""
    return load_scenario_text(read_scenario_bytes(path))


def decode_scenario_text(text: str | bytes) -> Any:
    """The JSON document in ``text``, decoded as :func:`load_scenario_text` decodes it (not
    parsed as a scenario). Raises ScenarioError."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ScenarioError(f"Scenario is not valid UTF-8: {exc.reason}") from None
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise ScenarioError(
            f"Invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except _ConstantError as exc:
        line, column = _position_of_constant(text, exc.token)
        raise ScenarioError(
            f"Invalid JSON: {exc.token} is not a JSON value at line {line} column {column}"
        ) from None
    except (ValueError, RecursionError) as exc:  # e.g. an integer literal of > 4300 digits
        raise ScenarioError(f"Invalid JSON: {exc}") from None


def read_scenario_bytes(path: str | os.PathLike[str]) -> bytes:
    """A scenario file's bytes without a UTF-8 BOM; InputError when it cannot be read."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise InputError(f"cannot read scenario file {os.fspath(path)!r}: {exc.strerror}") from None
    return data[3:] if data.startswith(b"\xef\xbb\xbf") else data


def _load(doc: Any) -> Scenario:
    # Arrays pass the type check (typeof [] === 'object') and fail on their missing version.
    if not isinstance(doc, (dict, list)):
        raise ScenarioError("Scenario must be a valid JSON object")
    version = doc.get("version", UNDEFINED) if isinstance(doc, dict) else UNDEFINED
    if not (isinstance(doc, dict) and isinstance(version, str) and version == "2.0"):
        shown = js_str(version) if js_truthy(version) else "unknown"
        raise ScenarioError(
            f'Only v2.0 scenarios are supported, got version "{shown}". '
            "Use migration tools to convert v1.3 scenarios to v2.0.",
            "version",
        )
    if _check_structure(doc):
        doc = _js_doubles(doc)
    resolved = resolve_defines(doc)
    warnings = validate_scenario(resolved)
    return build_scenario(resolved, warnings, collect_font_assets(resolved))


def _check_structure(doc: dict[str, Any]) -> bool:
    """Reject values JSON cannot hold and nesting beyond MAX_NESTING, without recursing.
    Returns whether an integer lies beyond 2**53 (see :func:`_js_doubles`)."""
    big_int = False
    stack: list[tuple[Any, int, str]] = [(doc, 1, "")]
    while stack:
        value, depth, path = stack.pop()
        if depth > MAX_NESTING:
            raise ScenarioError(f"Scenario nesting exceeds {MAX_NESTING} levels", path)
        if isinstance(value, dict):
            entries = list(value.items())
        else:
            entries = [(f"[{i}]", item) for i, item in enumerate(value)]
        for key, item in entries:
            if not isinstance(key, str):
                raise ScenarioError(f"Object keys must be strings, got {type(key).__name__}", path)
            if isinstance(value, dict):
                item_path = f"{path}.{key}" if path else key
            else:
                item_path = path + key
            if isinstance(item, (dict, list)):
                stack.append((item, depth + 1, item_path))
            elif not isinstance(item, _SCALARS):
                raise ScenarioError(f"Expected a JSON value, got {type(item).__name__}", item_path)
            elif isinstance(item, int) and not isinstance(item, bool) and abs(item) > _EXACT_INT:
                big_int = True
    return big_int


def _js_doubles(value: Any) -> Any:
    """A copy of ``value`` holding the doubles JSON.parse makes of its integers: rounded beyond
    2**53, ±Infinity beyond the double range (``1`` and 400 zeros is Infinity in 1.5.0). The
    renderer then computes with JS's numbers, never with Python's unbounded integers."""
    if isinstance(value, dict):
        return {key: _js_doubles(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_js_doubles(item) for item in value]
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > _EXACT_INT:
        return js_number(value)
    return value


class _ConstantError(ValueError):
    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.token = token


def _reject_constant(token: str) -> Any:
    raise _ConstantError(token)


def _position_of_constant(text: str, token: str) -> tuple[int, int]:
    """Line and column (1-based, like JSONDecodeError) of the first bare ``token``."""
    in_string = escaped = False
    for i, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif text.startswith(token, i):
            return text.count("\n", 0, i) + 1, i - text.rfind("\n", 0, i)
    return 1, 1
