"""Playback of a resolved scenario, tick by tick, with 1.5.0's mount state (spec 7, 11.1,
13.10, 14). ``Timeline.frame(t)`` returns the display list at t. Calls must come in playback
order for the "sequential" semantics (the canonical meaning of frame n); ``fresh(t)`` renders
one seek after a fresh load.
"""

from __future__ import annotations

import math

from .cue_schedule import CueSchedule
from .display_list import DisplayList
from .dom import DEFAULT_CHANNELS, Element
from .layout.boxes import Box
from .layout.engine import LayoutEngine
from .layout.style import HostDefaults
from .layout.text import TextLayout, TextShaper
from .live_layout import LiveLayout
from .model import Cue, Node, Scenario
from .mount import Mounter
from .paint import paint
from .plugin_host import PluginRegistry, evaluate_chain, evaluate_dom

KINDS = {"group", "text", "image", "video"}


def is_active(node: Node, t: float) -> bool:
    s, e = node.display_time
    return math.isfinite(s) and math.isfinite(e) and s <= t <= e


class Timeline:
    def __init__(
        self,
        scenario: Scenario,
        width: int,
        height: int,
        shaper: TextShaper,
        host: HostDefaults | None = None,
        registry: PluginRegistry | None = None,
        fps: float = 30.0,
        legacy_parity: bool = True,
    ) -> None:
        self.scenario = scenario
        self.width, self.height = width, height
        self.fps = fps
        self.registry = registry or PluginRegistry()
        self.stage = Element("stage")
        self.engine = LayoutEngine(TextLayout(shaper), host or HostDefaults(), width, height)
        self.live = LiveLayout(self.engine, self.stage)
        self.mounter = Mounter(scenario, self.stage, height, self.live)
        self.legacy_parity = legacy_parity
        self.mounted: dict[str, Element] = {}
        self.dom_init: dict[str, dict[str, float]] = {}  # node id -> plugin name -> init time
        self.schedule = CueSchedule(scenario.cues)
        self._painted_root: Box | None = None
        self._painted = DisplayList(width, height)

    # -- ticking ----------------------------------------------------------------------------
    def reset(self) -> None:
        for node_id in list(self.mounted):
            self._unmount(node_id)
        self.stage.children.clear()
        self.live.invalidate()

    def fresh(self, t: float) -> DisplayList:
        self.reset()
        return self.frame(t)

    def frame(self, t: float) -> DisplayList:
        self.tick(t)
        root = self.live.paintable_root()
        if root is not self._painted_root:  # the same layout paints the same list
            self._painted_root, self._painted = root, paint(root, self.width, self.height)
        return DisplayList(self.width, self.height, list(self._painted.items))

    def tick(self, t: float) -> None:
        for index in self.schedule.due(t, self.mounted):
            cue = self.scenario.cues[index]
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
        self.live.invalidate()
        self.mounter.style_new_element(el, cue.track)
        self.live.invalidate()
        if parent_el is not None:
            self.mounter.apply_children_layout(parent_el)
        self.live.invalidate()  # geometry queries above may have fixed a half-styled snapshot

    def _unmount(self, node_id: str) -> None:
        el = self.mounted.pop(node_id, None)
        self.dom_init.pop(node_id, None)  # a remount starts from a fresh element
        if el is None:
            return
        parent = el.parent
        el.remove()
        self.live.invalidate()
        if parent is not None and parent.kind != "stage":
            self.mounter.apply_children_layout(parent)
            self.live.invalidate()

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
            self.live.invalidate()
        init_times = self.dom_init.setdefault(node.id, {})
        effects = evaluate_dom(node, t, self.registry, self.fps, init_times, self.legacy_parity)
        if effects != el.effects:
            el.effects = effects
            self.live.invalidate()


__all__ = ["DEFAULT_CHANNELS", "Timeline", "is_active"]
