"""JSON as the original migrator's JavaScript sees it: the deep copy it starts from
(``JSON.parse(JSON.stringify(doc))``), the compact text that identifies a value during define
extraction, and ``JSON.stringify(doc, null, 2)`` for writing a migrated document.

JS facts reproduced here (spec sections 6.1 and 10):

* objects list integer-like keys ("0", "12") first, ascending, then the rest in insertion order;
* a number is a double: integers beyond 2**53 are rounded, ``-0`` and ``1.0`` print as ``0``
  and ``1``, exponents print as ``1e-7`` / ``1e+21``; numbers a double cannot hold become
  ``null`` in a round trip;
* string length counts UTF-16 code units;
* lone surrogates are written as ``\\udxxx`` escapes (well-formed ``JSON.stringify``).

The copy also normalises integral doubles to Python ints, so that Python's own ``json`` writes
a migrated document with the numbers JS would print.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from motiontext.errors import ScenarioError
from motiontext.parse import MAX_NESTING
from motiontext.validate import js_keys, js_number, js_number_str

_EXACT_INT = 2**53
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def child_path(path: str, key: str | int) -> str:
    """The JSON path of ``key`` under ``path``: ``a.b``, ``a[3]``; top-level keys are bare."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def js_copy(value: Any) -> Any:
    """What a JSON round trip in JS makes of ``value`` (a decoded JSON document): a fresh tree
    in JS key order with JS numbers. Raises ScenarioError (with the JSON path) for values JSON
    cannot hold and for nesting beyond :data:`motiontext.parse.MAX_NESTING`."""
    return _copy(value, "", 1)


def _copy(value: Any, path: str, depth: int) -> Any:
    if depth > MAX_NESTING:
        raise ScenarioError(f"Scenario nesting exceeds {MAX_NESTING} levels", path)
    if isinstance(value, dict):
        copied = {}
        for key in _string_keys(value, path):
            copied[key] = _copy(value[key], child_path(path, key), depth + 1)
        return copied
    if isinstance(value, list):
        return [_copy(item, child_path(path, i), depth + 1) for i, item in enumerate(value)]
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, (int, float)):
        return js_double(value)
    raise ScenarioError(f"Expected a JSON value, got {type(value).__name__}", path)


def _string_keys(obj: dict[Any, Any], path: str) -> list[str]:
    for key in obj:
        if not isinstance(key, str):
            raise ScenarioError(f"Object keys must be strings, got {type(key).__name__}", path)
    return js_keys(obj)


def js_double(value: float) -> int | float | None:
    """The number JS holds for ``value`` after a JSON round trip: integral values as ints (exact
    up to 2**53), others as floats, and None (``null``) for what a double cannot hold."""
    number = js_number(value)
    if not math.isfinite(number):
        return None
    if number.is_integer() and abs(number) <= _EXACT_INT:
        return int(number)
    return number


def utf16_length(text: str) -> int:
    """``text.length`` in JS: astral characters count two."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def stringify(value: Any, indent: int | None = None) -> str:
    """``JSON.stringify(value, null, indent)``: compact without ``indent``."""
    out: list[str] = []
    _write(value, indent, 0, out)
    return "".join(out)


def document_text(document: dict[str, Any]) -> str:
    """A migrated document as the reference files were written: 2-space indent, non-ASCII
    characters literal, a final newline."""
    return stringify(document, 2) + "\n"


def _write(value: Any, indent: int | None, level: int, out: list[str]) -> None:
    if isinstance(value, dict):
        keys = js_keys(value)
        items = [(key, value[key]) for key in keys]
        _write_items(items, "{", "}", indent, level, out)
    elif isinstance(value, list):
        _write_items([(None, item) for item in value], "[", "]", indent, level, out)
    elif isinstance(value, str):
        out.append(_string(value))
    elif value is None or value is True or value is False:
        out.append(json.dumps(value))
    elif isinstance(value, (int, float)):
        number = js_number(value)
        out.append(js_number_str(number) if math.isfinite(number) else "null")
    else:
        raise TypeError(f"not a JSON value: {type(value).__name__}")


def _write_items(
    items: list[tuple[str | None, Any]],
    opening: str,
    closing: str,
    indent: int | None,
    level: int,
    out: list[str],
) -> None:
    if not items:
        out.append(opening + closing)
        return
    inner = "" if indent is None else "\n" + " " * (indent * (level + 1))
    colon = ":" if indent is None else ": "
    out.append(opening)
    for i, (key, item) in enumerate(items):
        out.append(("," if i else "") + inner)
        if key is not None:
            out.append(_string(key) + colon)
        _write(item, indent, level + 1, out)
    out.append("" if indent is None else "\n" + " " * (indent * level))
    out.append(closing)


def _string(text: str) -> str:
    encoded = json.dumps(text, ensure_ascii=False)
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", encoded)


def describe(value: Any) -> str:
    """A JSON value for an error message: ``null``, ``the string 'abc'``, ``an array``..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the string {shown!r}"
    if isinstance(value, (int, float)):
        return f"the number {js_number_str(js_number(value))}"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"
