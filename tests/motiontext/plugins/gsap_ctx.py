"""Test helpers for the GSAP plugins: a production-like text node and its plugin context."""

from __future__ import annotations

from motiontext.effects import Effects
from motiontext.model import Node
from motiontext.plugin_host import PluginContext

WINDOW = (1.0, 3.0)


def node(text: str, style: dict | None = None, node_id: str = "w0") -> Node:
    """A caption word: white Arial without stroke or textShadow (so it has the outline)."""
    return Node(
        node_id,
        "text",
        "cues[0].root",
        (0.0, 10.0),
        None,
        None,
        style if style is not None else {"color": "#ffffff"},
        None,
        (),
        None,
        text,
    )


def ctx(
    text: str, p: float, legacy: bool = True, style: dict | None = None, first_frame: bool = False
) -> PluginContext:
    """The context at window progress p; ``first_frame``: the plugin's first-ever frame."""
    t = WINDOW[0] + p * (WINDOW[1] - WINDOW[0])
    return PluginContext(t, node(text, style), WINDOW, 30.0, t if first_frame else 0.0, legacy)


def run(plugin, text: str, p: float, params: dict | None = None, **kwargs) -> Effects:
    effects = Effects()
    plugin.apply(effects, dict(params or {}), p, ctx(text, p, **kwargs))
    return effects


def rgb255(color) -> tuple[int, ...]:
    return tuple(round(c * 255) for c in color[:3])
