"""Define extraction (spec MIG-DEFINE, section 6): a value that occurs at least five times under
object keys moves to ``define.<kind>_<n>`` and each occurrence becomes the string
``"define.<kind>_<n>"``; at most 20 extractions, rescanning after each.

Conservative strategy only (the original's default). Two bugs of the original are fixed
(spec 12, "may fix"): occurrences are rewritten through the objects that hold them, not
through a dotted path rebuilt from text, so keys holding ``.``, ``[`` or ``]`` (or empty or
number-like keys) are rewritten where they are instead of crashing or landing elsewhere; and
a generated key never overwrites an entry the document already has in ``define`` (the counter
moves on to the next free name).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from motiontext.errors import ScenarioError
from motiontext.migrate.jsjson import utf16_length
from motiontext.validate import js_is_number, js_number, js_number_str

MIN_DUPLICATES = 5
MAX_EXTRACTIONS = 20
_DEFINE_PREFIX = "define."

_HEX_COLOR = re.compile(r"#[0-9a-fA-F]{3,8}\Z")
_SERIF = re.compile("serif", re.IGNORECASE | re.ASCII)
_NEVER = frozenset(
    {"text", "group", "subtitle", "container", "image", "video"}
    | {"tl", "tc", "tr", "cl", "cc", "cr", "bl", "bc", "br"}
)


@dataclass(slots=True)
class _Group:
    """Occurrences of one value (by its JSON text): the first value seen, and where each
    occurrence sits (the object holding it and its key)."""

    value: Any
    places: list[tuple[dict[str, Any], str]] = field(default_factory=list)


def extract_defines(doc: dict[str, Any]) -> list[str]:
    """Extract repeated values of ``doc`` into its ``define`` in place; returns the notices
    ("Extracted 5 occurrences to define.color_1"), one per extraction, in order."""
    notices: list[str] = []
    counter = 1
    while len(notices) < MAX_EXTRACTIONS:
        group = next((g for g in _scan(doc) if len(g.places) >= MIN_DUPLICATES), None)
        if group is None:
            break
        define = doc["define"]
        if not isinstance(define, dict):
            raise ScenarioError(
                "cannot migrate this v1.3 scenario: repeated values are moved into define, "
                f"which must then be an object, but is {type(define).__name__}",
                "define",
            )
        key = f"{_kind(group.value)}_{counter}"
        counter += 1
        while key in define:  # the original overwrote it
            key = f"{_kind(group.value)}_{counter}"
            counter += 1
        define[key] = group.value
        for holder, name in group.places:
            holder[name] = _DEFINE_PREFIX + key
        notices.append(f"Extracted {len(group.places)} occurrences to define.{key}")
    return notices


def _scan(doc: dict[str, Any]) -> list[_Group]:
    """Every extractable value under an object key, grouped by JSON text, groups in the order
    of their first occurrence (depth-first, key order; array elements are never occurrences,
    but their contents are)."""
    scan = _Scan()
    scan.identity(doc, None)
    groups: dict[int, _Group] = {}
    for identity, value, place in scan.occurrences:
        group = groups.get(identity)
        if group is None:
            groups[identity] = _Group(value, [place])
        else:
            group.places.append(place)
    return list(groups.values())


class _Scan:
    """One walk of the document. Every distinct JSON text gets a small integer (interned
    shapes), so equal values are found without building their text: big scenarios are
    rescanned up to 20 times."""

    def __init__(self) -> None:
        self.interned: dict[tuple[Any, ...], int] = {}
        # [identity, value, (holder, key)] in walk order; identity filled in after the value's
        # contents were walked
        self.occurrences: list[list[Any]] = []

    def identity(self, value: Any, place: tuple[dict[str, Any], str] | None) -> int:
        slot = None
        if place is not None and _extractable(value):
            slot = [None, value, place]
            self.occurrences.append(slot)
        identity = self.interned.setdefault(self._shape(value), len(self.interned))
        if slot is not None:
            slot[0] = identity
        return identity

    def _shape(self, value: Any) -> tuple[Any, ...]:
        if isinstance(value, dict):
            fields = []
            for key, item in value.items():  # the copy is in JS key order
                # "define." strings are neither counted nor entered
                skip = isinstance(item, str) and item.startswith(_DEFINE_PREFIX)
                fields.append((key, self.identity(item, None if skip else (value, key))))
            return ("object", tuple(fields))
        if isinstance(value, list):
            return ("array", tuple(self.identity(item, None) for item in value))
        if isinstance(value, str):
            return ("string", value)
        if js_is_number(value):
            # numbers compare as JS prints them: 1 and 1.0 are one value
            return ("number", js_number_str(js_number(value)))
        return ("literal", value)


def _extractable(value: Any) -> bool:
    """The conservative rules (spec 6.2)."""
    if isinstance(value, str):
        if value.lower() in _NEVER:
            return False
        return bool(
            _HEX_COLOR.match(value)
            or ("," in value and ("serif" in value or "sans" in value))
            or value.startswith(("http", "file://"))
            or "/" in value
            or utf16_length(value) >= 20
        )
    if js_is_number(value):
        number = js_number(value)
        small_integer = number.is_integer() and 0 <= number <= 10
        return not small_integer and not 0 <= number <= 1
    if isinstance(value, dict):
        return len(value) >= 3
    return False  # booleans, null, arrays


def _kind(value: Any) -> str:
    """The define key's prefix (spec 6.4)."""
    if isinstance(value, str):
        if _HEX_COLOR.match(value):
            return "color"
        if "font" in value or _SERIF.search(value):
            return "font"
        return "text"
    if js_is_number(value):
        return "value"
    if any(key in value for key in ("color", "fontFamily", "fontSize")):
        return "style"
    if any(key in value for key in ("position", "anchor")):
        return "layout"
    return "config"
