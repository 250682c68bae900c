"""Playback of a resolved scenario, tick by tick, with 1.5.0's mount state (spec 7, 11.1,
13.10, 14). ``Timeline.frame(t)`` returns the display list at t. Calls must come in playback
order for the "sequential" semantics (the canonical meaning of frame n); ``fresh(t)`` renders
one seek after a fresh load.
"""

from __future__ import annotations

import math

from .display_list import DisplayList
from .dom import DEFAULT_CHANNELS, Element
from .layout.boxes import Box
from .layout.engine import LayoutEngine
from .layout.style import HostDefaults
from .layout.text import TextLayout, TextShaper
from .model import Cue, Node, Scenario
from .mount import Mounter
from .paint import paint
from .plugin_host import PluginRegistry, evaluate_chain, evaluate_dom

KINDS = {"group", "text", "image", "video"}


def is_active(node: Node, t: float) -> bool:
    s, e = node.display_time
    return math.isfinite(s) and math.isfinite(e) and s <= t <= e


class _LiveGeometry:
    """Answers layout queries during mounting by laying out the DOM as it is right now."""

    def __init__(self, timeline: Timeline) -> None:
        self.timeline = timeline

    def _box(self, el: Element) -> Box | None:
        return self.timeline.layout().get(id(el))

    def client_size(self, el: Element) -> tuple[float, float]:
        box = self._box(el)
        return box.client_size if box else (0.0, 0.0)

    def offset_size(self, el: Element) -> tuple[float, float]:
        box = self._box(el)
        return (round(box.w), round(box.h)) if box else (0.0, 0.0)


class Timeline:
    def __init__(self, scenario: Scenario, width: int, height: int, shaper: TextShaper,
                 host: HostDefaults | None = None, registry: PluginRegistry | None = None,
                 fps: float = 30.0, legacy_parity: bool = True) -> None:
        self.scenario = scenario
        self.width, self.height = width, height
        self.fps = fps
        self.registry = registry or PluginRegistry()
        self.stage = Element("stage")
        self.engine = LayoutEngine(TextLayout(shaper), host or HostDefaults(), width, height)
        self.mounter = Mounter(scenario, self.stage, height, _LiveGeometry(self))
        self.legacy_parity = legacy_parity
        self.mounted: dict[str, Element] = {}
        self.dom_init: dict[str, dict[str, float]] = {}  # node id -> plugin name -> init time
        self._root: Box | None = None
        self._dirty = True
        self._boxes: dict[int, Box] = {}

    # -- layout cache -----------------------------------------------------------------------
    def layout(self) -> dict[int, Box]:
        if self._dirty:
            self._root = self.engine.layout(self.stage)
            self._boxes = dict(self.engine.boxes)
            self._dirty = False
        return self._boxes

    # -- ticking ----------------------------------------------------------------------------
    def reset(self) -> None:
        for node_id in list(self.mounted):
            self._unmount(node_id)
        self.stage.children.clear()
        self._dirty = True

    def fresh(self, t: float) -> DisplayList:
        self.reset()
        return self.frame(t)

    def frame(self, t: float) -> DisplayList:
        self.tick(t)
        self.layout()
        assert self._root is not None
        return paint(self._root, self.width, self.height)

    def tick(self, t: float) -> None:
        for cue in self.scenario.cues:
            d0, d1 = cue.dom_lifetime
            if t < d0 or t > d1:
                self._unmount_tree(cue.root)
                continue
            self._walk(cue, cue.root, None, t)

    def _walk(self, cue: Cue, node: Node, parent: Node | None, t: float) -> None:
        if is_active(node, t):
            if node.id not in self.mounted:
                self._mount(cue, node, parent)
            self._run_plugins(node, t)
        elif node.id in self.mounted:
            self._unmount(node.id)
        for child in node.children:
            self._walk(cue, child, node, t)

    def _mount(self, cue: Cue, node: Node, parent: Node | None) -> None:
        kind = node.e_type if node.e_type in KINDS else "unknown"
        el = Element(kind, node)
        parent_el = self.mounted.get(parent.id) if parent is not None else None
        (parent_el if parent_el is not None else self.stage).append(el)
        self.mounted[node.id] = el
        self._dirty = True
        self.mounter.style_new_element(el, cue.track)
        self._dirty = True
        if parent_el is not None:
            self.mounter.apply_children_layout(parent_el)
        self._dirty = True  # geometry queries above may have cached a half-styled layout

    def _unmount(self, node_id: str) -> None:
        el = self.mounted.pop(node_id, None)
        self.dom_init.pop(node_id, None)  # a remount starts from a fresh element
        if el is None:
            return
        parent = el.parent
        el.remove()
        self._dirty = True
        if parent is not None and parent.kind != "stage":
            self.mounter.apply_children_layout(parent)
            self._dirty = True

    def _unmount_tree(self, node: Node) -> None:
        if node.id in self.mounted:
            self._unmount(node.id)
        for child in node.children:
            self._unmount_tree(child)

    def _run_plugins(self, node: Node, t: float) -> None:
        if not node.plugin_chain:
            return
        el = self.mounted[node.id]
        channels = evaluate_chain(node, t, self.registry, self.fps)
        if channels:
            el.channels.update(channels)  # persistence: unwritten keys keep their value
            self._dirty = True
        init_times = self.dom_init.setdefault(node.id, {})
        effects = evaluate_dom(node, t, self.registry, self.fps, init_times, self.legacy_parity)
        if effects != el.effects:
            el.effects = effects
            self._dirty = True


__all__ = ["DEFAULT_CHANNELS", "Timeline", "is_active"]
