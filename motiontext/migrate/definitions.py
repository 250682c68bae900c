"""The one divergence of the ``default`` mode from the original migrator (labelled as such in
the README): v1.3's ``definitions`` block becomes part of ``define``.

v1.3 scenarios kept shared values in ``definitions`` and referred to them with strings such as
``palette: "definitions.speakerPalette"``. The original migrator leaves both alone, and
1.5.0 only resolves ``"define."`` strings, so the references reach plugins as inert text (a
cwi plugin then falls back to its default colour). Here, applied to the faithful result:

1. every string ``"definitions.<path>"`` anywhere in the document (inside ``define`` and
   ``definitions`` too) becomes ``"define.<path>"``;
2. each entry of ``definitions`` moves into ``define``, unless ``define`` already has the key:
   the existing entry wins, with a warning;
3. the ``definitions`` key is removed (v2.0 does not know it).
"""

from __future__ import annotations

from typing import Any

from motiontext.errors import ScenarioError
from motiontext.migrate.jsjson import describe
from motiontext.validate import js_keys

OLD_PREFIX, NEW_PREFIX = "definitions.", "define."


def merge_definitions(doc: dict[str, Any]) -> list[str]:
    """Apply the divergence to a migrated ``doc`` in place; returns its warnings."""
    rewritten = rewrite_references(doc)
    if "definitions" not in doc:
        return [_summary(0, rewritten)] if rewritten else []
    block = doc.pop("definitions")
    if block is None:
        block = {}
    if not isinstance(block, dict):
        raise ScenarioError(
            f"cannot merge v1.3 definitions into define: expected an object, "
            f"but got {describe(block)}",
            "definitions",
        )
    define = doc["define"]
    if not isinstance(define, dict):
        raise ScenarioError(
            f"cannot merge v1.3 definitions into define: define must be an object, "
            f"but is {describe(define)}",
            "define",
        )
    warnings = []
    merged = 0
    for key in js_keys(block):
        if key in define:
            warnings.append(
                f"definitions.{key} was not merged: define.{key} exists already and is kept"
            )
        else:
            define[key] = block[key]
            merged += 1
    return [*warnings, _summary(merged, rewritten)]


def rewrite_references(doc: dict[str, Any]) -> int:
    """Rewrite every ``"definitions.<path>"`` string of ``doc`` in place; returns how many."""
    count = 0
    stack: list[Any] = [doc]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            places: Any = value.items()
        elif isinstance(value, list):
            places = enumerate(value)
        else:
            continue
        for where, item in list(places):
            if isinstance(item, str):
                if item.startswith(OLD_PREFIX):
                    value[where] = NEW_PREFIX + item[len(OLD_PREFIX) :]
                    count += 1
            else:
                stack.append(item)
    return count


def _summary(merged: int, rewritten: int) -> str:
    return (
        f"ECG Render divergence from the original migrator: {merged} definitions entries "
        f'merged into define, {rewritten} "definitions." references rewritten to "define."'
    )
