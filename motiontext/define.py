"""``define`` reference resolution over the whole document (spec section 4) and the font assets
declared in ``define`` (spec 4.1).

Every string value that starts with ``define.`` is replaced by the value it names, anywhere in
the document, the ``define`` section and unknown keys included. Errors carry 1.5.0's message
text; their ``path`` is the key path of the reference (``cues[0].root.children[1].style.color``,
or ``define.<key>…`` when the bad reference sits inside another define entry).
"""

from __future__ import annotations

from typing import Any

from motiontext.errors import ScenarioError
from motiontext.validate import UNDEFINED, array_index, js_keys, js_truthy

_PREFIX = "define."


def resolve_defines(doc: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of ``doc`` with every define reference replaced. The input is not changed.
    The result may share sub-objects between places that reference the same entry: treat it as
    read-only."""
    resolver = _Resolver(_spread(doc.get("define", UNDEFINED)))
    resolved: dict[str, Any] = resolver.value(doc, "")
    return resolved


def collect_font_assets(resolved_doc: dict[str, Any]) -> dict[str, str]:
    """Font assets of a resolved document: ``{define key: url}``. Like 1.5.0, only top-level
    entries with a string ``type`` among font/image/video/audio **and** a string ``url`` are
    assets; the documented ``src`` form is ignored. The key becomes the font-family name."""
    section = resolved_doc.get("define", UNDEFINED)
    if not js_truthy(section) or not isinstance(section, (dict, list)):
        return {}  # Object.entries of a string yields characters, never asset objects
    fonts: dict[str, str] = {}
    for key, entry in _spread(section).items():
        # image/video/audio assets are loaded by 1.5.0 too, but draw nothing (spec 4.1)
        if isinstance(entry, dict) and entry.get("type") == "font":
            url = entry.get("url")
            if isinstance(url, str):
                fonts[key] = url
    return fonts


def _spread(value: Any) -> dict[str, Any]:
    """``{...value}``: own enumerable properties; primitives other than strings spread to none."""
    if isinstance(value, dict):
        return {key: value[key] for key in js_keys(value)}
    if isinstance(value, (list, str)):
        return {str(i): item for i, item in enumerate(value)}
    return {}


class _Resolver:
    def __init__(self, defines: dict[str, Any]) -> None:
        self._defines = defines
        self._active: list[str] = []  # references being resolved, outermost first
        # A root that resolved once resolves the same way from anywhere: a reference that could
        # re-enter the current path would already have closed a cycle inside that root. Caching
        # it avoids 1.5.0's exponential re-walks without changing any result or error.
        self._roots: dict[str, Any] = {}

    def value(self, value: Any, key_path: str) -> Any:
        # Explicit loops rather than comprehensions: each comprehension is a stack frame, and
        # nesting depth is bounded by the recursion limit.
        if isinstance(value, str):
            return self._reference(value, key_path) if value.startswith(_PREFIX) else value
        if isinstance(value, list):
            items = []
            for i, item in enumerate(value):
                items.append(self.value(item, f"{key_path}[{i}]"))
            return items
        if isinstance(value, dict):
            fields = {}
            for key in js_keys(value):
                fields[key] = self.value(value[key], f"{key_path}.{key}" if key_path else key)
            return fields
        return value

    def _reference(self, reference: str, key_path: str) -> Any:
        root, *segments = reference[len(_PREFIX) :].split(".")
        if not root:
            raise ScenarioError(f'Invalid define reference: "{reference}" at {key_path}', key_path)
        # 1.5.0 tests `root in defines`, which would also find Object.prototype members such as
        # "toString"; only own keys are honoured here (spec 4: "an own key of define").
        if root not in self._defines:
            raise ScenarioError(
                f'Undefined define key: "{root}" referenced at {key_path}', key_path
            )
        if reference in self._active:
            chain = " -> ".join([*self._active, reference])
            raise ScenarioError(f"Circular reference detected in define: {chain}", key_path)
        self._active.append(reference)
        try:
            if root in self._roots:
                resolved = self._roots[root]
            else:
                resolved = self.value(self._defines[root], f"define.{root}")
                self._roots[root] = resolved
            for segment in segments:
                resolved = _step(resolved, segment, key_path)
            return resolved
        finally:
            self._active.pop()


def _step(value: Any, segment: str, key_path: str) -> Any:
    """``value[segment]`` with 1.5.0's checks: null, then non-object, then ``segment in value``."""
    if value is None:
        raise ScenarioError(f'Cannot access "{segment}" on object at {key_path}', key_path)
    if isinstance(value, dict):
        if segment in value:
            return value[segment]
    elif isinstance(value, list):
        if segment == "length":  # `"length" in array` holds in JS
            return len(value)
        index = array_index(segment)
        if index is not None and index < len(value):
            return value[index]
    else:
        raise ScenarioError(
            f'Cannot access property "{segment}" on non-object at {key_path}', key_path
        )
    raise ScenarioError(f'Property "{segment}" not found in define at {key_path}', key_path)
