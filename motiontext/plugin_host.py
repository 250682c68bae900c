"""The plugin host of 1.5.0 (spec 13): registry by ``name`` and ``name@version``, time
windows, channel composition and persistence. Plugins themselves live in
``motiontext.plugins``; names not registered are ignored, as 1.5.0 ignores them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from typing import Any, Protocol

from .css import Shadow, clamp_css_length
from .effects import Effects, UnitTransform
from .errors import ScenarioError
from .model import Node, PluginSpec


class Plugin(Protocol):
    """A native plugin. ``kind`` is the manifest type: "channel", "dom" or "hybrid".

    ``params`` arrive as the scenario wrote them: like the original modules, each plugin
    applies its own code defaults (the renderer never merges manifest defaults)."""

    name: str
    version: str
    kind: str

    def channels(self, params: dict[str, Any], progress: float, ctx: PluginContext) -> dict:
        """Channel part (channel/hybrid): {"tx", "ty", "sx", "sy", "rot", ...}."""

    def apply(
        self, effects: Effects, params: dict[str, Any], progress: float, ctx: PluginContext
    ) -> None:
        """DOM part (dom/hybrid): edit ``effects`` to the state at ``progress``."""


@dataclass(frozen=True, slots=True)
class PluginContext:
    t_seconds: float
    node: Node
    window: tuple[float, float]
    fps: float
    init_time: float = 0.0  # when this DOM plugin was first activated on the mounted node
    legacy_parity: bool = True  # replicate the original's "replicate" quirks

    @property
    def text(self) -> str:
        return self.node.text or ""

    def seed(self, *parts: object) -> str:
        """Key for seeded randomness: stable per node, never wall-clock."""
        return "/".join(str(p) for p in (self.node.id, *parts))


class PluginRegistry:
    def __init__(self) -> None:
        self._by_key: dict[str, Plugin] = {}

    def register(self, plugin: Plugin) -> None:
        self._by_key[plugin.name] = plugin  # a later registration replaces the bare name
        self._by_key[f"{plugin.name}@{plugin.version}"] = plugin

    def lookup(self, name: str) -> Plugin | None:
        return self._by_key.get(name) if isinstance(name, str) else None

    def names(self) -> list[str]:
        return sorted(self._by_key)


def _finite_pair(value: Any, what: str, path: str) -> tuple[float, float]:
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise ScenarioError(f"{what} must be [start, end] array", path)
    out = []
    for v in value:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise ScenarioError(f"{what} values must be finite numbers", path)
        out.append(float(v))
    return out[0], out[1]


def _offset(value: Any, anchor: float, duration: float) -> float:
    if isinstance(value, str):
        s = value.strip()
        try:
            if s.endswith("%"):
                return anchor + duration * float(s[:-1]) / 100
            return anchor + float(s)
        except ValueError:
            return anchor
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return anchor + float(value)
    return anchor


def plugin_window(spec: PluginSpec, node: Node) -> tuple[float, float]:
    """Spec 7.3: start relative to b0, end relative to **b1**; percentages of (b1 - b0)."""
    base = (
        spec.base_time
        if spec.base_time is not None
        else (node.base_time if node.base_time is not None else list(node.display_time))
    )
    b0, b1 = _finite_pair(base, "baseTime", f"{node.path}.baseTime")
    off = spec.time_offset if spec.time_offset is not None else ["0%", "100%"]
    o0 = off[0] if isinstance(off, (list, tuple)) and len(off) > 0 else None
    o1 = off[1] if isinstance(off, (list, tuple)) and len(off) > 1 else None
    d = b1 - b0
    return _offset(o0, b0, d), _offset(o1, b1, d)


def progress(t: float, window: tuple[float, float]) -> float:
    w0, w1 = window
    if w1 <= w0:
        return 0.0
    return min(1.0, max(0.0, (t - w0) / (w1 - w0)))


def compose(channels: dict[str, Any], result: dict[str, Any], mode: str) -> None:
    for key, value in result.items():
        if value is None:
            continue
        prev = channels.get(key)
        numeric = (
            isinstance(value, (int, float))
            and not isinstance(value, bool)
            and isinstance(prev, (int, float))
            and not isinstance(prev, bool)
        )
        if mode == "add" and numeric:
            channels[key] = prev + value
        elif mode == "multiply" and numeric:
            channels[key] = prev * value
        else:
            channels[key] = value


def evaluate_chain(node: Node, t: float, registry: PluginRegistry, fps: float) -> dict[str, Any]:
    """Channels written this tick by the node's chain (empty: nothing is written, and the
    wrapper keeps its previous values)."""
    channels: dict[str, Any] = {}
    for spec in node.plugin_chain:
        plugin = registry.lookup(spec.name)
        if plugin is None:
            continue
        window = plugin_window(spec, node)
        if not (math.isfinite(window[0]) and math.isfinite(window[1])):
            continue
        if not window[0] <= t <= window[1]:
            continue
        kind = spec.type or plugin.kind
        if kind in ("channel", "hybrid"):
            ctx = PluginContext(t, node, window, fps)
            result = plugin.channels(dict(spec.params or {}), progress(t, window), ctx) or {}
            compose(channels, result, spec.compose)
    return channels


def evaluate_dom(
    node: Node,
    t: float,
    registry: PluginRegistry,
    fps: float,
    init_times: dict[str, float],
    legacy_parity: bool = True,
) -> Effects:
    """The effects root at t (spec 13.7): DOM plugins initialise lazily on their first active
    tick (``init_times`` records it, keyed by the spec's name); an initialised plugin outside
    its window is held at p = 0 before and p = 1 after. Plugins apply in chain order."""
    effects = Effects()
    for spec in node.plugin_chain:
        plugin = registry.lookup(spec.name)
        if plugin is None or (spec.type or plugin.kind) not in ("dom", "hybrid"):
            continue
        window = plugin_window(spec, node)
        if not (math.isfinite(window[0]) and math.isfinite(window[1])):
            continue
        if window[0] <= t <= window[1]:
            init_times.setdefault(spec.name, t)
            p = progress(t, window)
        elif spec.name in init_times:
            p = 0.0 if t < window[0] else 1.0
        else:
            continue
        ctx = PluginContext(t, node, window, fps, init_times[spec.name], legacy_parity)
        plugin.apply(effects, dict(spec.params or {}), p, ctx)
    return _as_chromium_applies(effects)


# -- non-finite plugin output ----------------------------------------------------------------
# Huge parameters (``cycles: 1e308``) make the plugins' arithmetic overflow, as it does in JS:
# the values reach the DOM as "Infinity"/"NaN" inside CSS text, where Chromium drops the whole
# declaration, and shadow lengths are clamped to the CSS length range. The original writes
# those declarations every tick on elements it rebuilds, so a dropped one leaves the property
# at its initial value: no transform, full opacity, no filter.

_TRANSFORM_NUMBERS = tuple(f.name for f in fields(UnitTransform) if isinstance(f.default, float))


def _finite(*values: float) -> bool:
    return all(math.isfinite(v) for v in values)


def _transform(t: UnitTransform | None) -> UnitTransform | None:
    if t is None:
        return None
    if not _finite(*(getattr(t, name) for name in _TRANSFORM_NUMBERS)):
        t = UnitTransform(origin=t.origin, perspective=t.perspective)
    if not _finite(*t.origin):
        t = replace(t, origin=(0.5, 0.5))
    if t.perspective is not None and not _finite(t.perspective):
        t = replace(t, perspective=None)
    return t


def _shadows(shadows: tuple[Shadow, ...] | None) -> tuple[Shadow, ...] | None:
    if shadows is None:
        return None
    if not all(_finite(s.dx, s.dy, s.blur) for s in shadows):
        return None  # the text-shadow declaration is dropped: the inherited one shows
    return tuple(
        Shadow(clamp_css_length(s.dx), clamp_css_length(s.dy), clamp_css_length(s.blur), s.color)
        for s in shadows
    )


def _as_chromium_applies(effects: Effects) -> Effects:
    """``effects`` with non-finite values replaced by what Chromium makes of them."""
    effects.root = _transform(effects.root)
    effects.group = _transform(effects.group)
    effects.wrapper_shadows = _shadows(effects.wrapper_shadows)
    for unit in effects.units or ():
        unit.transform = _transform(unit.transform) or UnitTransform()
        style = unit.style
        style.shadows = _shadows(style.shadows)
        if not _finite(style.opacity):
            style.opacity = 1.0
        if not _finite(unit.margin_em):
            unit.margin_em = 0.0
        if not _finite(*(value for _, value in style.filters)):
            style.filters = ()
    for decoration in effects.decorations:
        if not _finite(decoration.opacity):
            decoration.opacity = 1.0
    return effects
