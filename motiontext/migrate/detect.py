"""Which MotionText version a document is, decided as the original's CompatibilityLayer decides
(spec MIG-DETECT, section 2): the explicit ``version``, then v2.0 heuristics, else 1.3."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from motiontext.errors import ScenarioError
from motiontext.validate import UNDEFINED, js_str, js_truthy

V13, V20 = "1.3", "2.0"

# Keys whose two-element array marks a v2.0 document. `time_offset` is a v1.3 spelling but the
# original counts it; the camelCase `timeOffset` is not a signal.
_V2_TIME_KEYS = ("displayTime", "domLifetime", "time_offset")


def detect_version(doc: dict[str, Any]) -> str:
    """``"1.3"`` or ``"2.0"``. Raises ScenarioError at ``version`` for an explicit version that
    is neither (the number 2, "2", "1.2", "2.0.0"...)."""
    version = doc.get("version", UNDEFINED)
    if js_truthy(version):
        if version == V20 and isinstance(version, str):
            return V20
        if version == V13 and isinstance(version, str):
            return V13
        raise ScenarioError(f"Unsupported scenario version: {js_str(version)}", "version")
    define = doc.get("define", UNDEFINED)
    if js_truthy(define) and isinstance(define, (dict, list)):
        return V20
    if any(_has_time_pair(obj) for obj in _objects(doc)):
        return V20
    if _ids_look_v2(doc.get("cues", UNDEFINED)):
        return V20
    # The original also looks for v1.3 keys (hintTime, absStart...) here, but its fallback is
    # 1.3 as well, so that check cannot change the answer.
    return V13


def _has_time_pair(obj: dict[str, Any]) -> bool:
    return any(
        isinstance(obj.get(key), list) and len(obj[key]) == 2 for key in _V2_TIME_KEYS if key in obj
    )


def _ids_look_v2(cues: Any) -> bool:
    """At least half of the node-like objects inside ``cues`` (truthy ``eType`` or ``type``;
    ``e_type`` does not count) have a truthy ``id``."""
    if not isinstance(cues, list):
        return False
    nodes = with_id = 0
    for obj in _objects(cues):
        if js_truthy(obj.get("eType", UNDEFINED)) or js_truthy(obj.get("type", UNDEFINED)):
            nodes += 1
            with_id += js_truthy(obj.get("id", UNDEFINED))
    return nodes > 0 and with_id / nodes >= 0.5


def _objects(value: Any) -> Iterator[dict[str, Any]]:
    """Every object at any depth of ``value`` (itself included), without recursion."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield item
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
