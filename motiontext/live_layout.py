"""The timeline's layout of its DOM: the geometry queries of 1.5.0's mount code (``Mounter``'s
``Geometry``) and the layout each frame paints, with as few layouts as give the same values.

What a query sees (unchanged from laying the DOM out on every dirty query): the DOM as it was
at the first query after the last ``invalidate``; later queries reuse that snapshot even when
the mount code has written styles since. The savings keep those answers exactly:

- the stage's client box is the frame, whatever the DOM holds, so stage queries (most of the
  queries while a cue mounts) need no layout, only the snapshot they would have fixed;
- a snapshot is a copy of the DOM's data, laid out when a query asks about another element;
- query layouts skip the transform pass (``LayoutEngine.measure``): sizes ignore transforms.
"""

from __future__ import annotations

from .dom import Element
from .layout.boxes import Box
from .layout.engine import LayoutEngine


class LiveLayout:
    def __init__(self, engine: LayoutEngine, stage: Element) -> None:
        self.engine = engine
        self.stage = stage
        self.stage_client_size = engine.measure(Element("stage")).client_size
        self.layouts = 0  # layouts run so far (query and paint), for tests and profiling
        self._changed = True  # the DOM changed since the last snapshot
        self._pending: tuple[Element, dict[int, Element]] | None = None  # snapshot, not laid out
        self._boxes: dict[int, Box] = {}  # id(live element) -> its box in the snapshot
        self._paintable: Box | None = None  # the live DOM laid out with transforms, if current

    def invalidate(self) -> None:
        """The DOM changed (an element, a style, channels or effects)."""
        self._changed = True
        self._paintable = None

    def paintable_root(self) -> Box:
        """The live DOM laid out for painting; it also serves as the next queries' snapshot."""
        if self._paintable is None:
            self._paintable = self.engine.layout(self.stage)
            self.layouts += 1
            if self._changed:
                self._changed, self._pending = False, None
                self._boxes = dict(self.engine.boxes)
        return self._paintable

    # -- Geometry -------------------------------------------------------------------------
    def client_size(self, el: Element) -> tuple[float, float]:
        if el is self.stage:
            self._take_snapshot()  # a later query about another element answers from it
            return self.stage_client_size
        box = self._box(el)
        return box.client_size if box else (0.0, 0.0)

    def offset_size(self, el: Element) -> tuple[float, float]:
        box = self._box(el)
        return (round(box.w), round(box.h)) if box else (0.0, 0.0)

    def _take_snapshot(self) -> None:
        if self._changed:
            self._changed = False
            self._pending = self.stage.snapshot()

    def _box(self, el: Element) -> Box | None:
        self._take_snapshot()
        if self._pending is not None:
            copy, copies = self._pending
            self._pending = None
            self.engine.measure(copy)
            self.layouts += 1
            boxes = self.engine.boxes
            self._boxes = {live: boxes[id(dup)] for live, dup in copies.items()}
        return self._boxes.get(id(el))
