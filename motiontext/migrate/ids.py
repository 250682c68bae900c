"""Node id generation (spec MIG-IDS, section 7): a node without an id gets ``cue-<i>-<n>``
(root) or ``<parentId>-child-<j>-<n>`` (child), ``n`` the first number giving an unused id.
Cue ids are never generated; a truthy non-string id is kept as it is."""

from __future__ import annotations

from typing import Any

from motiontext.validate import js_str, js_truthy


def generate_node_ids(doc: dict[str, Any]) -> int:
    """Give every id-less node of ``doc`` an id, in place; returns how many were generated."""
    used = _string_ids(doc)
    cues = doc.get("cues")
    if not isinstance(cues, list):
        return 0
    generated = 0
    for i, cue in enumerate(cues):
        if isinstance(cue, dict):
            generated += _visit(cue.get("root"), f"cue-{i}", used)
    return generated


def _visit(node: Any, prefix: str, used: set[str]) -> int:
    """Pre-order: the node's own id first, then its children under that id."""
    if not isinstance(node, dict):
        return 0  # e.g. a root replaced by a "define." string during extraction
    generated = 0
    if not js_truthy(node.get("id")):
        n = 1
        while f"{prefix}-{n}" in used:
            n += 1
        node["id"] = f"{prefix}-{n}"  # appended last, or in place of a falsy id
        used.add(node["id"])
        generated = 1
    children = node.get("children")
    if isinstance(children, list):
        parent = js_str(node["id"])
        for j, child in enumerate(children):
            generated += _visit(child, f"{parent}-child-{j}", used)
    return generated


def _string_ids(doc: dict[str, Any]) -> set[str]:
    """Every truthy string under a key ``id``, anywhere: tracks, cues, nodes, define, params."""
    used: set[str] = set()
    stack: list[Any] = [doc]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            found = value.get("id")
            if isinstance(found, str) and found:
                used.add(found)
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return used
