"""A minimal model of the DOM that 1.5.0 builds (spec 9.1): one ``Element`` per mounted node
(the outer element) with its inline style, plus the implicit base wrapper and effects root.

The wrapper's channel variables live on the element (``channels``); layout treats the wrapper
as child 0 of the outer element, as the browser does.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from .effects import Effects
from .model import Node

# --mtx-* defaults written on every fresh wrapper (spec 9.1, 13.10)
DEFAULT_CHANNELS: dict[str, Any] = {
    "tx": 0.0,
    "ty": 0.0,
    "sx": 1.0,
    "sy": 1.0,
    "rot": 0.0,
    "opacity": 1.0,
}


@dataclass(eq=False)
class Element:
    kind: str  # "stage" | "text" | "group" | "image" | "video" | "unknown"
    node: Node | None = None
    style: dict[str, str] = field(default_factory=dict)  # inline CSS, later writes win
    children: list[Element] = field(default_factory=list)  # outer elements after the wrapper
    parent: Element | None = None
    channels: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_CHANNELS))
    wrapper_margin: dict[str, str] = field(default_factory=dict)  # childrenLayout writes here
    wrapper_style: dict[str, str] = field(default_factory=dict)
    effects: Effects = field(default_factory=Effects)  # what DOM plugins made of the text

    @property
    def node_id(self) -> str:
        return self.node.id if self.node else "<stage>"

    @property
    def text(self) -> str:
        if self.kind == "text" and self.node is not None and self.node.text is not None:
            return str(self.node.text)
        return ""

    def append(self, child: Element) -> None:
        child.parent = self
        self.children.append(child)

    def remove(self) -> None:
        if self.parent is not None:
            self.parent.children.remove(self)
            self.parent = None

    def set(self, prop: str, value: object) -> None:
        self.style[prop] = str(value)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()

    def snapshot(self) -> tuple[Element, dict[int, Element]]:
        """A detached copy of this subtree as it is now, and id(original) -> copy for each
        element in it. Dicts are copied (mounting writes into them); ``node`` and ``effects``
        are shared: they are replaced, never changed in place."""
        copies: dict[int, Element] = {}

        def copy(el: Element, parent: Element | None) -> Element:
            dup = replace(
                el,
                style=dict(el.style),
                children=[],
                parent=parent,
                channels=dict(el.channels),
                wrapper_margin=dict(el.wrapper_margin),
                wrapper_style=dict(el.wrapper_style),
            )
            copies[id(el)] = dup
            dup.children = [copy(child, dup) for child in el.children]
            return dup

        return copy(self, None), copies
