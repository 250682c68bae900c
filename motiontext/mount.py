"""What 1.5.0 writes as inline CSS when it mounts a node (spec 9.3-9.10, 10.1, 10.5, 14.1).

Everything here mirrors the renderer's code path, including its quirks; the browser part (what
the CSS means) lives in ``motiontext.layout``.
"""

from __future__ import annotations

import math
from typing import Any, Protocol

from .css import js_number_string as num
from .dom import Element
from .jsmath import js_max, js_min, js_round
from .model import Node, Scenario, Track

ANCHORS = {
    "tl": (0, 0),
    "tc": (0.5, 0),
    "tr": (1, 0),
    "cl": (0, 0.5),
    "cc": (0.5, 0.5),
    "cr": (1, 0.5),
    "bl": (0, 1),
    "bc": (0.5, 1),
    "br": (1, 1),
}

SUBTITLE_CONSTRAINTS: dict[str, Any] = {
    "mode": "flow",
    "direction": "vertical",
    "maxWidth": 0.8,
    "maxHeight": 0.4,
    "minWidth": 0.1,
    "minHeight": 0.05,
    "gap": 0.02,
    "padding": {"x": 0.02, "y": 0.015},
    "anchor": "bc",
    "constraintMode": "flexible",
    "breakoutEnabled": False,
    "safeArea": {"bottom": 0.075, "left": 0.05, "right": 0.05},
}
FREE_CONSTRAINTS: dict[str, Any] = {
    "mode": "absolute",
    "direction": "vertical",
    "maxWidth": 1.0,
    "maxHeight": 1.0,
    "minWidth": 0,
    "minHeight": 0,
    "gap": 0,
    "padding": {"x": 0, "y": 0},
    "anchor": "cc",
    "constraintMode": "breakout",
    "breakoutEnabled": True,
}


class Geometry(Protocol):
    """Live layout queries, answered for the DOM as it is at the instant of the call."""

    def client_size(self, el: Element) -> tuple[float, float]: ...

    def offset_size(self, el: Element) -> tuple[float, float]: ...


def is_number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def truthy(v: object) -> bool:
    """JavaScript truthiness for JSON values (NaN included)."""
    if isinstance(v, float) and math.isnan(v):
        return False
    return bool(v) if isinstance(v, (bool, int, float, str)) or v is None else True


def constraints_for(track: Track) -> dict[str, Any]:
    if truthy(track.default_constraints) and isinstance(track.default_constraints, dict):
        return track.default_constraints
    return SUBTITLE_CONSTRAINTS if track.type == "subtitle" else FREE_CONSTRAINTS


def anchor_fractions(anchor: object) -> tuple[float, float]:
    return ANCHORS.get(anchor, (0.5, 0.5)) if isinstance(anchor, str) else (0.5, 0.5)


class Mounter:
    """Applies 1.5.0's mount-time styling to freshly appended elements."""

    def __init__(
        self, scenario: Scenario, stage: Element, stage_height: int, geometry: Geometry
    ) -> None:
        self.scenario = scenario
        self.stage = stage
        self.H = stage_height or 720
        self.geometry = geometry

    # -- 14.1 -------------------------------------------------------------------------------
    def style_new_element(self, el: Element, track: Track) -> None:
        node = el.node
        assert node is not None
        C = constraints_for(track)
        self.apply_layout(el, node, C, track)
        self.apply_text_style(el, node, track)
        if el.kind == "group":
            self.apply_box_style(el, node, track)
        if el.kind == "text":
            self.apply_default_text_look(el, node, track)

    # -- 9.3 --------------------------------------------------------------------------------
    def apply_layout(self, el: Element, node: Node, C: dict[str, Any], track: Track) -> None:
        layout = node.layout if isinstance(node.layout, dict) else {}
        breakout = C.get("constraintMode") == "breakout" or (
            truthy(C.get("breakoutEnabled")) and truthy(node.effect_scope)
        )
        if breakout:
            self.apply_absolute(el, layout, track)
            return
        mode = (
            layout.get("mode")
            if truthy(layout.get("mode"))
            else (C.get("mode") if truthy(C.get("mode")) else "absolute")
        )
        if mode == "flow":
            self.apply_absolute(el, layout, track)
            self.apply_flow(el, layout, C)
        elif mode == "grid":
            self.apply_absolute(el, layout, track)
            self.apply_grid(el, layout, C)
        else:
            self.apply_absolute(el, layout, track)
        cl = layout.get("childrenLayout")
        if truthy(cl) and isinstance(cl, dict):
            self.apply_wrap_width(el, cl, C)
            self.apply_children_layout(el)

    # -- 9.4 / 9.6 --------------------------------------------------------------------------
    def apply_absolute(self, el: Element, layout: dict[str, Any], track: Track) -> None:
        pos = layout.get("position")
        if not (isinstance(pos, dict) and is_number(pos.get("x")) and is_number(pos.get("y"))):
            return
        x, y = float(pos["x"]), float(pos["y"])
        anchor = layout.get("anchor") if truthy(layout.get("anchor")) else "cc"
        ax, ay = anchor_fractions(anchor)
        size = layout.get("size") if isinstance(layout.get("size"), dict) else {}
        if truthy(layout.get("safeAreaClamp")):
            x, y = self.clamp_to_safe_area(el, x, y, ax, ay, size, track)
        el.set("position", "absolute")
        el.set("left", f"{num(js_round(x * 10000) / 100)}%")
        el.set("top", f"{num(js_round(y * 10000) / 100)}%")
        if size.get("width") is not None:
            w = size["width"]
            el.set("width", f"{num(w * 100)}%" if is_number(w) else "auto")
        if size.get("height") is not None:
            h = size["height"]
            el.set("height", f"{num(h * 100)}%" if is_number(h) else "auto")
        if truthy(layout.get("overflow")):
            el.set("overflow", layout["overflow"])
        if truthy(layout.get("transformOrigin")):
            el.set("transform-origin", layout["transformOrigin"])
        parts = [f"translate({num(-ax * 100)}%, {num(-ay * 100)}%)"]
        parts += transform_parts(layout.get("transform"))
        override = layout.get("override")
        if isinstance(override, dict) and override.get("mode") == "absolute":
            off = override.get("offset") if isinstance(override.get("offset"), dict) else {}
            ox, oy = off.get("x") or 0, off.get("y") or 0
            if is_number(ox) and is_number(oy) and (ox or oy):
                parts.append(f"translate({num(ox * 100)}%, {num(oy * 100)}%)")
            parts += transform_parts(override.get("transform"))
        el.set("transform", " ".join(parts))

    def clamp_to_safe_area(
        self,
        el: Element,
        x: float,
        y: float,
        ax: float,
        ay: float,
        size: dict[str, Any],
        track: Track,
    ) -> tuple[float, float]:
        stage_sa = self.scenario.safe_area if isinstance(self.scenario.safe_area, dict) else {}
        track_sa = track.safe_area if isinstance(track.safe_area, dict) else {}

        def side(name: str) -> float:
            vals = [v for v in (stage_sa.get(name), track_sa.get(name)) if is_number(v)]
            return max(vals) if vals else 0.0

        def clamp01(v: float) -> float:
            return min(1.0, max(0.0, v))

        xmin, xmax = clamp01(side("left")), 1 - clamp01(side("right"))
        ymin, ymax = clamp01(side("top")), 1 - clamp01(side("bottom"))
        wn = size.get("width") if is_number(size.get("width")) else None
        hn = size.get("height") if is_number(size.get("height")) else None
        if wn is None or hn is None:
            # 1.5.0 measures the element before any style is applied (spec 9.6)
            pw, ph = self.geometry.client_size(el.parent) if el.parent else (0, 0)
            if pw and ph:
                ow, oh = self.geometry.offset_size(el)
                wn = ow / pw if wn is None else wn
                hn = oh / ph if hn is None else hn
        wn = wn or 0.0
        hn = hn or 0.0
        if wn > 0:
            x = js_min(js_max(x, xmin + (1 - ax) * wn), xmax - ax * wn)
        else:
            x = js_min(js_max(x, xmin), xmax)
        if hn > 0:
            y = js_min(js_max(y, ymin + (1 - ay) * hn), ymax - ay * hn)
        else:
            y = js_min(js_max(y, ymin), ymax)
        return x, y

    # -- 9.7 / 9.8 --------------------------------------------------------------------------
    def _parent_client(self, el: Element) -> tuple[float, float]:
        return self.geometry.client_size(el.parent) if el.parent else (0.0, 0.0)

    def apply_flow(self, el: Element, layout: dict[str, Any], C: dict[str, Any]) -> None:
        vertical = (C.get("direction") or "vertical") == "vertical"
        el.set("display", "flex")
        el.set("flex-direction", "column" if vertical else "row")
        anchor = next((a for a in (layout.get("anchor"), C.get("anchor")) if truthy(a)), "cc")
        ax, ay = anchor_fractions(anchor)
        el.set("align-items", {0: "flex-start", 0.5: "center", 1: "flex-end"}[ax])
        el.set("justify-content", {0: "flex-start", 0.5: "center", 1: "flex-end"}[ay])
        gap = next((g for g in (C.get("gap"), layout.get("gapRel")) if truthy(g)), 0)
        if gap and el.parent is not None and is_number(gap):
            _, ph = self._parent_client(el)
            el.set("row-gap" if vertical else "column-gap", f"{num(js_round(ph * gap))}px")
        self.apply_constraint_sizing(el, C)

    def apply_grid(self, el: Element, layout: dict[str, Any], C: dict[str, Any]) -> None:
        el.set("display", "grid")
        el.set("grid-template-columns", "repeat(auto-fit, minmax(0, 1fr))")
        gap = next((g for g in (C.get("gap"), layout.get("gapRel")) if truthy(g)), 0)
        if gap and el.parent is not None and is_number(gap):
            _, ph = self._parent_client(el)
            el.set("row-gap", f"{num(js_round(ph * gap))}px")
            el.set("column-gap", f"{num(js_round(ph * gap))}px")
        anchor = next((a for a in (layout.get("anchor"), C.get("anchor")) if truthy(a)), "cc")
        ax, _ = anchor_fractions(anchor)
        el.set("justify-items", {0: "start", 0.5: "center", 1: "end"}[ax])
        self.apply_constraint_sizing(el, C)

    def apply_constraint_sizing(self, el: Element, C: dict[str, Any]) -> None:
        for key, prop in (
            ("maxWidth", "max-width"),
            ("maxHeight", "max-height"),
            ("minWidth", "min-width"),
            ("minHeight", "min-height"),
        ):
            v = C.get(key)
            if v is not None and is_number(v):
                el.set(prop, f"{num(v * 100)}%")
        pad = C.get("padding")
        if truthy(pad) and isinstance(pad, dict):
            pw, ph = self._parent_client(el)
            py = js_round(ph * (pad.get("y") or 0)) if is_number(pad.get("y") or 0) else 0
            px = js_round(pw * (pad.get("x") or 0)) if is_number(pad.get("x") or 0) else 0
            el.set("padding", f"{num(py)}px {num(px)}px")

    # -- 9.9 / 9.10 -------------------------------------------------------------------------
    def apply_wrap_width(self, el: Element, cl: dict[str, Any], C: dict[str, Any]) -> None:
        want = (
            cl.get("wrap") if cl.get("wrap") is not None else (cl.get("direction") == "horizontal")
        )
        if not truthy(want) or el.parent is None:
            return
        pw, _ = self._parent_client(el)
        sa = C.get("safeArea") if isinstance(C.get("safeArea"), dict) else {}
        left = js_max(0, sa.get("left") or 0) if is_number(sa.get("left") or 0) else 0
        right = js_max(0, sa.get("right") or 0) if is_number(sa.get("right") or 0) else 0
        ratios = [js_max(0.0, 1 - (left + right))]
        ratios.append(C["maxWidth"] if is_number(C.get("maxWidth")) else 1)
        mwr = cl.get("maxWidthRel")
        ratios.append(mwr if is_number(mwr) and mwr >= 0 else 1)
        mw = cl.get("maxWidth")
        if isinstance(mw, str) and mw.endswith("%"):
            try:
                ratios.append(js_min(1.0, js_max(0.0, float(mw[:-1]) / 100)))
            except ValueError:
                ratios.append(float("nan"))
        px = js_round(pw * js_min(*ratios))
        if is_number(mw) and math.isfinite(mw):
            px = js_min(px, js_round(mw))
        el.set("max-width", f"{num(px)}px")
        el.set("width", "auto")

    def apply_children_layout(self, el: Element) -> None:
        node = el.node
        layout = node.layout if node and isinstance(node.layout, dict) else {}
        cl = layout.get("childrenLayout")
        if not (truthy(cl) and isinstance(cl, dict)):
            return
        mode = cl.get("mode") or "flow"
        direction = cl.get("direction") or "horizontal"
        gap = cl.get("gap") or 0
        horizontal = direction == "horizontal"
        if mode == "flow":
            wrap = cl.get("wrap") if cl.get("wrap") is not None else horizontal
            el.set("display", "flex")
            el.set("flex-direction", "row" if horizontal else "column")
            el.set("flex-wrap", "wrap" if truthy(wrap) and horizontal else "nowrap")
            align = cl.get("align") if isinstance(cl.get("align"), str) else None
            el.set("align-items", {"start": "flex-start", "end": "flex-end"}.get(align, "center"))
            justify = cl.get("justify") if isinstance(cl.get("justify"), str) else None
            el.set(
                "justify-content",
                {"start": "flex-start", "end": "flex-end", "space-between": "space-between"}.get(
                    justify, "center"
                ),
            )
            if gap and is_number(gap):
                el.style.pop("column-gap" if horizontal else "row-gap", None)
                pw, ph = self._parent_client(el)
                gap_px = js_round((pw if horizontal else ph) * gap)
                self._apply_child_gaps(el, gap_px, horizontal)
        elif mode == "grid":
            el.set("display", "grid")
            el.set("grid-template-columns", "repeat(auto-fit, minmax(0, 1fr))")
            if gap and is_number(gap):
                _, ph = self._parent_client(el)
                el.set("row-gap", f"{num(js_round(ph * gap))}px")
                el.set("column-gap", f"{num(js_round(ph * gap))}px")

    @staticmethod
    def _apply_child_gaps(el: Element, gap_px: float, horizontal: bool) -> None:
        # the group's own (empty) base wrapper is element child 0 and gets the margins too
        targets: list[dict[str, str]] = [el.wrapper_margin] + [c.style for c in el.children]
        for i, style in enumerate(targets):
            style["padding"] = "0px"
            style["flex"] = "0 0 auto"
            if horizontal:
                style["margin-left"] = "0px"
                style["margin-right"] = f"{num(gap_px)}px"
            else:
                style["margin-top"] = "0px" if i == 0 else f"{num(gap_px)}px"

    # -- 10.1 -------------------------------------------------------------------------------
    def apply_text_style(self, el: Element, node: Node, track: Track) -> None:
        M = {**(track.default_style or {}), **(node.style or {})}
        if truthy(M.get("color")):
            el.set("color", M["color"])
        if truthy(M.get("textShadow")):
            el.set("text-shadow", M["textShadow"])
        if truthy(M.get("fontFamily")):
            el.set("font-family", _js_string(M["fontFamily"]))
        if truthy(M.get("fontWeight")):
            el.set("font-weight", _js_string(M["fontWeight"]))
        if M.get("lineHeight") is not None:
            el.set("line-height", _js_string(M["lineHeight"]))
        if truthy(M.get("fontSize")):
            el.set("font-size", _js_string(M["fontSize"]))
        elif is_number(M.get("fontSizeRel")):
            el.set("font-size", f"{num(js_max(1, js_round(self.H * M['fontSizeRel'])))}px")
        stroke = M.get("stroke")
        has_stroke = isinstance(stroke, dict) and is_number(stroke.get("widthRel"))
        if has_stroke:
            width = js_max(1, js_round(self.H * stroke["widthRel"]))
            el.set("-webkit-text-stroke-width", f"{num(width)}px")
            el.set("-webkit-text-stroke-color", stroke.get("color") or "#000")
            el.set("-webkit-text-fill-color", el.style.get("color") or "#fff")
        if not has_stroke and not truthy(M.get("textShadow")):
            el.set("text-shadow", "0 0 2px #000, 0 0 4px #000, 0 0 8px #000")
        if truthy(M.get("align")):
            el.set("text-align", M["align"])
        ws = M.get("whiteSpace")
        if ws is not None:
            el.set("white-space", "normal" if ws == "wrap" else _js_string(ws))

    def apply_default_text_look(self, el: Element, node: Node, track: Track) -> None:
        M = {**(track.default_style or {}), **(node.style or {})}
        if not truthy(M.get("fontSizeRel")) and not truthy(M.get("fontSize")):
            el.set("font-size", "2rem")
            el.set("color", el.style.get("color") or "#ffffff")
            el.set("font-weight", el.style.get("font-weight") or "bold")

    # -- 10.5 -------------------------------------------------------------------------------
    def apply_box_style(self, el: Element, node: Node, track: Track) -> None:
        B = {**(track.default_box_style or {}), **(node.box_style or {})}
        if truthy(B.get("backgroundColor")):
            el.set("background-color", B["backgroundColor"])
        elif truthy(B.get("boxBg")):
            el.set("background-color", B["boxBg"])
        border = B.get("border")
        if truthy(border) and isinstance(border, dict):
            wr = border.get("widthRel") or 0
            el.set("border-style", "solid")
            width = num(js_max(0, js_round(self.H * wr))) if is_number(wr) else "0"
            el.set("border-width", f"{width}px")
            el.set("border-color", border.get("color") or "#000")
            rr = border.get("radiusRel")
            if rr is not None and is_number(rr):
                el.set("border-radius", f"{num(js_max(0, js_round(self.H * rr)))}px")
        radius = B.get("borderRadius")
        if truthy(radius):
            if isinstance(radius, str):
                el.set("border-radius", radius)
            elif is_number(radius):
                el.set("border-radius", f"{num(js_max(0, js_round(self.H * radius)))}px")
        layout = node.layout if isinstance(node.layout, dict) else {}
        padding = B.get("padding")
        if truthy(padding):
            el.set("padding", padding if isinstance(padding, str) else self._xy_padding(padding))
        elif truthy(layout.get("padding")):
            el.set("padding", self._xy_padding(layout["padding"]))
        if B.get("opacity") is not None:
            el.set("opacity", _js_string(B["opacity"]))

    def _xy_padding(self, pad: Any) -> str:
        pad = pad if isinstance(pad, dict) else {}
        y = pad.get("y") if is_number(pad.get("y")) else 0
        x = pad.get("x") if is_number(pad.get("x")) else 0
        return f"{num(js_round(self.H * y))}px {num(js_round(self.H * x))}px"


def transform_parts(t: Any) -> list[str]:
    """layout.transform -> CSS functions, in 1.5.0's order (spec 9.4 step 5)."""
    if not isinstance(t, dict):
        return []
    parts = []
    tr = t.get("translate")
    if isinstance(tr, dict):
        x, y = tr.get("x") or 0, tr.get("y") or 0
        if is_number(x) and is_number(y) and (x or y):
            parts.append(f"translate({num(x * 100)}%, {num(y * 100)}%)")
    sc = t.get("scale")
    if isinstance(sc, dict):
        sx = sc.get("x") if sc.get("x") is not None else 1
        sy = sc.get("y") if sc.get("y") is not None else 1
        if is_number(sx) and is_number(sy) and (sx != 1 or sy != 1):
            parts.append(f"scale({num(sx)}, {num(sy)})")
    rot = t.get("rotate")
    if isinstance(rot, dict) and rot.get("deg") is not None and is_number(rot.get("deg")):
        parts.append(f"rotate({num(rot['deg'])}deg)")
    sk = t.get("skew")
    if isinstance(sk, dict):
        kx, ky = sk.get("xDeg") or 0, sk.get("yDeg") or 0
        if is_number(kx) and is_number(ky) and (kx or ky):
            parts.append(f"skew({num(kx)}deg, {num(ky)}deg)")
    return parts


def _js_string(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if is_number(v):
        return num(v)
    if isinstance(v, dict):
        return "[object Object]"
    if isinstance(v, list):
        return ",".join(_js_string(x) for x in v)
    return str(v)
