"""Box layout of the mounted DOM, the way Chromium lays out 1.5.0's elements: block flow
with inline-block line boxes, flexbox (row/column, wrap, gaps, min/max constraints),
shrink-to-fit absolute positioning against the containing block, then CSS transforms.
"""

from __future__ import annotations

import math

from ..dom import Element
from ..geometry import IDENTITY, Matrix, about, translate
from .boxes import WRAPPER_STYLE, Box
from .inline import align_offset, font_of, strut
from .style import Computed, HostDefaults, StyleCache, root_style
from .text import TextLayout, collapse_spaces
from .transforms import channel_matrix, css_transform, transform_origin
from .units import layout_units, unit_intrinsic

INLINE_KINDS = ("wrapper", "image", "video")


def _round_px(v: float) -> float:
    """Blink's LayoutUnit::Round for a paint offset (halves round up)."""
    return float(math.floor(v + 0.5))


def _is_translation(m: Matrix) -> bool:
    a, b, _c, d, e, _f, g, h, i = m.m
    return (
        abs(a - 1) < 1e-9
        and abs(b) < 1e-9
        and abs(d) < 1e-9
        and abs(e - 1) < 1e-9
        and abs(g) < 1e-9
        and abs(h) < 1e-9
        and abs(i - 1) < 1e-9
    )


class LayoutEngine:
    def __init__(self, text: TextLayout, host: HostDefaults, width: int, height: int) -> None:
        self.text = text
        self.host = host
        self.width = width
        self.height = height
        self.boxes: dict[int, Box] = {}  # id(element) -> outer box
        self.styles = StyleCache()
        self._intrinsic: dict[int, tuple[float, float]] = {}  # id(box) -> widths, this layout

    # -- box tree ---------------------------------------------------------------------------
    def build(self, stage: Element) -> Box:
        self.boxes = {}
        self._intrinsic = {}
        base = root_style(self.host)
        cs = self.styles.compute({"position": "relative", "overflow": "hidden"}, base)
        root = Box(stage, cs)
        root.w, root.h = float(self.width), float(self.height)
        self.boxes[id(stage)] = root
        for child in stage.children:
            root.children.append(self._build(child, root))
        return root

    def _build(self, el: Element, parent: Box) -> Box:
        # <img>/<video> are inline replaced elements unless 1.5.0's CSS says otherwise
        style = {"display": "inline", **el.style} if el.kind in ("image", "video") else el.style
        box = Box(el, self.styles.compute(style, parent.cs), parent=parent)
        self.boxes[id(el)] = box
        if el.kind not in ("image", "video"):  # replaced elements render no children
            wstyle = {**WRAPPER_STYLE, **el.wrapper_margin, **el.wrapper_style}
            box.children.append(
                Box(el, self.styles.compute(wstyle, box.cs), is_wrapper=True, parent=box)
            )
            for child in el.children:
                box.children.append(self._build(child, box))
        return box

    def layout(self, stage: Element) -> Box:
        root = self.measure(stage)
        self._matrices(root, IDENTITY)
        return root

    def measure(self, stage: Element) -> Box:
        """Sizes and positions without the transform pass: enough for the DOM's size queries
        (clientWidth, offsetWidth ignore transforms), not for painting."""
        root = self.build(stage)
        deferred: list[Box] = []
        self._flow(root, root.w, deferred)
        self._place_abs(root, deferred)
        return root

    # -- intrinsic widths -------------------------------------------------------------------
    def intrinsic(self, box: Box) -> tuple[float, float]:
        """(min-content, max-content) border-box widths, px constraints applied."""
        # flex and shrink-to-fit ask for the same box's widths several times per layout, and
        # nested boxes multiply that; the widths depend only on styles and text
        widths = self._intrinsic.get(id(box))
        if widths is None:
            widths = self._intrinsic[id(box)] = self._measure_intrinsic(box)
        return widths

    def _measure_intrinsic(self, box: Box) -> tuple[float, float]:
        cs = box.cs
        if box.is_wrapper and box.el.effects.units is not None:
            return unit_intrinsic(self.text, box)
        if box.is_wrapper:
            text = collapse_spaces(box.el.text, cs.white_space)
            if not text:
                return (0.0, 0.0)
            font = font_of(cs)
            mx = self.text.max_content(text, font, cs.white_space)
            mn = mx if cs.white_space in ("nowrap", "pre") else self.text.min_content(text, font)
            return (mn, mx)
        if box.kind == "image":
            return (0.0, 0.0)
        if box.kind == "video":
            return (300.0, 300.0)
        frame = sum(self._px_pad(box)[i] for i in (1, 3)) + cs.border_width[1] + cs.border_width[3]
        if cs.width is not None and cs.width.unit != "%":
            w = cs.width.resolve(None, cs.font_px) or 0.0
            return (w + frame, w + frame)
        items = [c for c in box.children if not c.is_abs]
        contrib = [(*self.intrinsic(c), c.cs.margin[1] + c.cs.margin[3]) for c in items]
        if cs.display == "flex" and cs.flex_direction.startswith("row"):
            gaps = cs.column_gap * max(0, len(items) - 1)
            mx = sum(c[1] + c[2] for c in contrib) + gaps
            if cs.flex_wrap == "wrap":
                mn = max((c[0] + c[2] for c in contrib), default=0.0)
            else:
                mn = sum(c[0] + c[2] for c in contrib) + gaps
        else:
            mx = max((c[1] + c[2] for c in contrib), default=0.0)
            mn = max((c[0] + c[2] for c in contrib), default=0.0)
        mn, mx = (self._clamp_px_width(cs, v) for v in (mn, mx))
        return (mn + frame, mx + frame)

    @staticmethod
    def _clamp_px_width(cs: Computed, content: float) -> float:
        if cs.max_width is not None and cs.max_width.unit != "%":
            content = min(content, cs.max_width.resolve(None, cs.font_px) or 0.0)
        if cs.min_width is not None and cs.min_width.unit != "%":
            content = max(content, cs.min_width.resolve(None, cs.font_px) or 0.0)
        return content

    def _px_pad(self, box: Box, basis: float | None = None) -> tuple[float, ...]:
        if box.cs.padding is None:
            return (0.0, 0.0, 0.0, 0.0)
        return tuple(p.resolve(basis, box.cs.font_px) or 0.0 for p in box.cs.padding)

    def clamp_width(self, box: Box, border_w: float, basis: float | None) -> float:
        cs = box.cs
        frame = box.frame_lr
        content = border_w - frame
        if cs.max_width is not None:
            mx = cs.max_width.resolve(basis, cs.font_px)
            if mx is not None:
                content = min(content, mx)
        if cs.min_width is not None:
            mn = cs.min_width.resolve(basis, cs.font_px)
            if mn is not None:
                content = max(content, mn)
        return max(0.0, content) + frame

    def clamp_height(self, box: Box, content_h: float, basis: float | None) -> float:
        cs = box.cs
        if cs.height is not None:
            h = cs.height.resolve(basis, cs.font_px)
            if h is not None:
                content_h = h
        if cs.max_height is not None:
            mx = cs.max_height.resolve(basis, cs.font_px)
            if mx is not None:
                content_h = min(content_h, mx)
        if cs.min_height is not None:
            mn = cs.min_height.resolve(basis, cs.font_px)
            if mn is not None:
                content_h = max(content_h, mn)
        return max(0.0, content_h)

    # -- laying out one box at a given border-box width --------------------------------------
    def _flow(
        self,
        box: Box,
        border_w: float,
        deferred: list[Box],
        cb_h: float | None = None,
        forced_h: float | None = None,
    ) -> None:
        """Lay out ``box``'s content at ``border_w``; sets h. ``deferred`` collects absolutely
        positioned descendants whose containing block is laid out by the caller."""
        box.w = border_w
        if box.is_wrapper:
            self._wrapper(box, border_w)
            if forced_h is not None:
                box.h = forced_h
            return
        if box.kind in ("image", "video"):
            box.h = 150.0 if box.kind == "video" else 0.0
            box.baseline = box.h
            return
        own_abs = box.is_abs or box.parent is None
        abs_list: list[Box] = [] if own_abs else deferred
        cw = box.content_w
        if box.cs.display in ("flex", "inline-flex"):
            self._flex(box, cw, abs_list, cb_h, forced_h)
        else:
            content_h = self._block(box, cw, abs_list)
            if box.parent is None:
                box.h = self.height
            else:
                box.h = (
                    forced_h
                    if forced_h is not None
                    else self.clamp_height(box, content_h, cb_h) + box.frame_tb
                )
        if own_abs:
            self._place_abs(box, abs_list)

    def _wrapper(self, box: Box, border_w: float) -> None:
        cs = box.cs
        if box.el.effects.units is not None:
            box.lines, box.line_x, box.line_top = [], [], []
            layout_units(self.text, box, border_w)
            return
        text = collapse_spaces(box.el.text, cs.white_space)
        box.lines, box.line_x, box.line_top = [], [], []
        if not text:
            box.h, box.baseline = 0.0, 0.0
            return
        lines = self.text.break_lines(text, font_of(cs), border_w, cs.white_space, cs.line_height)
        y = 0.0
        for line in lines:
            box.lines.append(line)
            box.line_x.append(align_offset(cs.text_align, border_w, line.width))
            box.line_top.append(y)
            y += line.extent.height
        box.h = y
        box.baseline = box.line_top[-1] + lines[-1].extent.above

    def _definite_h(self, box: Box) -> float | None:
        """The content height percentages of children resolve against, if definite."""
        if box.parent is None:
            return float(self.height)
        if box.cs.height is not None and box.cs.height.unit != "%":
            return box.cs.height.resolve(None, box.cs.font_px)
        return None

    def _block(self, box: Box, cw: float, abs_list: list[Box]) -> float:
        ox, oy = box.content_origin
        cursor = 0.0
        run: list[Box] = []

        def flush() -> None:
            nonlocal cursor
            if not run:
                return
            line_strut = strut(self.text, box.cs)
            for item in run:
                if item.is_wrapper:
                    mn, mx = self.intrinsic(item)
                    self._flow(item, min(max(mn, cw), mx), abs_list)
                else:
                    self._flow(item, self.intrinsic(item)[1], abs_list)
            above = max([line_strut.above] + [(i.baseline or 0.0) + i.cs.margin[0] for i in run])
            below = max(
                [line_strut.below] + [i.h - (i.baseline or 0.0) + i.cs.margin[2] for i in run]
            )
            total = sum(i.w + i.cs.margin[1] + i.cs.margin[3] for i in run)
            x = ox + align_offset(box.cs.text_align, cw, total)
            for item in run:
                item.x = x + item.cs.margin[3]
                item.y = oy + cursor + above - (item.baseline or 0.0)
                x += item.w + item.cs.margin[1] + item.cs.margin[3]
            cursor += above + below
            run.clear()

        for child in box.children:
            if child.is_abs:
                abs_list.append(child)
                continue
            if child.kind in INLINE_KINDS and child.cs.display not in ("flex", "block", "grid"):
                run.append(child)
                continue
            flush()
            m = child.cs.margin
            child.pad = self._px_pad(child, cw)
            avail = cw - m[1] - m[3]
            if child.cs.width is not None and child.cs.width.resolve(cw) is not None:
                bw = (child.cs.width.resolve(cw, child.cs.font_px) or 0.0) + child.frame_lr
            else:
                bw = avail
            bw = self.clamp_width(child, bw, cw)
            self._flow(child, bw, abs_list, self._definite_h(box))
            child.x = ox + m[3]
            child.y = oy + cursor + m[0]
            cursor += m[0] + child.h + m[2]
        flush()
        return cursor

    # -- flexbox ----------------------------------------------------------------------------
    def _flex(
        self, box: Box, cw: float, abs_list: list[Box], cb_h: float | None, forced_h: float | None
    ) -> None:
        cs = box.cs
        items = [c for c in box.children if not c.is_abs]
        abs_list.extend(c for c in box.children if c.is_abs)
        for item in items:
            if not item.is_wrapper:
                item.pad = self._px_pad(item, cw)
        row = cs.flex_direction.startswith("row")
        if row:
            self._flex_row(box, items, cw, abs_list, cb_h, forced_h)
        else:
            self._flex_column(box, items, cw, abs_list, cb_h, forced_h)

    def _item_min_w(self, item: Box, cw: float) -> float:
        if item.cs.min_width is not None:
            v = item.cs.min_width.resolve(cw, item.cs.font_px)
            if v is not None:
                return v + item.frame_lr
        return self.intrinsic(item)[0]  # min-width:auto on a flex item = min-content

    def _flex_row(
        self,
        box: Box,
        items: list[Box],
        cw: float,
        abs_list: list[Box],
        cb_h: float | None,
        forced_h: float | None,
    ) -> None:
        cs = box.cs
        gap = cs.column_gap
        base, hypo, mins = [], [], []
        for item in items:
            if item.cs.width is not None and item.cs.width.resolve(cw) is not None:
                b = (item.cs.width.resolve(cw, item.cs.font_px) or 0.0) + item.frame_lr
            else:
                b = self.intrinsic(item)[1]
            base.append(b)
            mins.append(self._item_min_w(item, cw))
            hypo.append(max(self.clamp_width(item, b, cw), mins[-1]))
        margins = [i.cs.margin[1] + i.cs.margin[3] for i in items]
        lines: list[list[int]] = []
        cur: list[int] = []
        used = 0.0
        for idx in range(len(items)):
            outer = hypo[idx] + margins[idx]
            if cur and cs.flex_wrap == "wrap" and used + gap + outer > cw + 1e-6:
                lines.append(cur)
                cur, used = [], 0.0
            used += (gap if cur else 0.0) + outer
            cur.append(idx)
        if cur:
            lines.append(cur)
        sizes = list(hypo)
        for line in lines:
            free = cw - sum(hypo[i] + margins[i] for i in line) - gap * (len(line) - 1)
            if free < 0:
                self._shrink(line, items, base, mins, sizes, free)
        # cross sizes
        line_cross = []
        for line in lines:
            for i in line:
                self._flow(items[i], sizes[i], abs_list, None)
            line_cross.append(
                max(items[i].h + items[i].cs.margin[0] + items[i].cs.margin[2] for i in line)
            )
        auto_h = sum(line_cross) + cs.row_gap * max(0, len(lines) - 1)
        content_h = (
            forced_h - box.frame_tb
            if forced_h is not None
            else self.clamp_height(box, auto_h, cb_h)
        )
        box.h = content_h + box.frame_tb
        extra = content_h - auto_h
        if extra > 0 and lines and (cs.flex_wrap == "wrap" or len(lines) == 1):
            line_cross = [c + extra / len(lines) for c in line_cross]
        ox, oy = box.content_origin
        y = oy
        for line, cross in zip(lines, line_cross):
            used = sum(sizes[i] + margins[i] for i in line) + gap * (len(line) - 1)
            x, spacing = self._justify(cs.justify_content, cw - used, len(line))
            x += ox
            for i in line:
                item = items[i]
                m = item.cs.margin
                item.x = x + m[3]
                item.y = y + self._cross_offset(cs.align_items, cross, item.h, m[0], m[2])
                if cs.align_items in ("normal", "stretch") and item.cs.height is None:
                    self._flow(item, sizes[i], abs_list, None, max(0.0, cross - m[0] - m[2]))
                    item.x, item.y = x + m[3], y + m[0]
                x += sizes[i] + m[1] + m[3] + gap + spacing
            y += cross + cs.row_gap

    @staticmethod
    def _shrink(
        line: list[int],
        items: list[Box],
        base: list[float],
        mins: list[float],
        sizes: list[float],
        free: float,
    ) -> None:
        frozen = {i for i in line if items[i].cs.flex_shrink == 0}
        for _ in range(len(line) + 1):
            active = [i for i in line if i not in frozen]
            weights = {i: items[i].cs.flex_shrink * base[i] for i in active}
            total = sum(weights.values())
            if not active or total <= 0:
                return
            overflow = -free
            violated = False
            for i in active:
                target = sizes[i] - overflow * weights[i] / total
                if target < mins[i]:
                    free += sizes[i] - mins[i]
                    sizes[i] = mins[i]
                    frozen.add(i)
                    violated = True
            if not violated:
                for i in active:
                    sizes[i] -= overflow * weights[i] / total
                return

    @staticmethod
    def _justify(mode: str, free: float, count: int) -> tuple[float, float]:
        if mode in ("center",):
            return free / 2, 0.0
        if mode in ("flex-end", "end"):
            return free, 0.0
        if mode == "space-between" and count > 1 and free > 0:
            return 0.0, free / (count - 1)
        return 0.0, 0.0

    @staticmethod
    def _cross_offset(align: str, cross: float, size: float, m_start: float, m_end: float) -> float:
        free = cross - size - m_start - m_end
        if align == "center":
            return m_start + free / 2
        if align in ("flex-end", "end"):
            return m_start + free
        return m_start

    def _flex_column(
        self,
        box: Box,
        items: list[Box],
        cw: float,
        abs_list: list[Box],
        cb_h: float | None,
        forced_h: float | None,
    ) -> None:
        cs = box.cs
        gap = cs.row_gap
        for item in items:
            m = item.cs.margin
            avail = cw - m[1] - m[3]
            if item.cs.width is not None and item.cs.width.resolve(cw) is not None:
                w = (item.cs.width.resolve(cw, item.cs.font_px) or 0.0) + item.frame_lr
            elif cs.align_items in ("normal", "stretch"):
                w = avail
            else:
                mn, mx = self.intrinsic(item)
                w = min(max(mn, avail), mx)
            w = max(self.clamp_width(item, w, cw), 0.0)
            self._flow(item, w, abs_list, None)
        outer = [i.h + i.cs.margin[0] + i.cs.margin[2] for i in items]
        auto_h = sum(outer) + gap * max(0, len(items) - 1)
        content_h = (
            forced_h - box.frame_tb
            if forced_h is not None
            else self.clamp_height(box, auto_h, cb_h)
        )
        box.h = content_h + box.frame_tb
        y, spacing = self._justify(cs.justify_content, content_h - auto_h, len(items))
        ox, oy = box.content_origin
        y += oy
        for item, size in zip(items, outer):
            m = item.cs.margin
            item.y = y + m[0]
            item.x = ox + self._cross_offset(cs.align_items, cw, item.w, m[3], m[1])
            y += size + gap + spacing

    # -- absolute positioning ---------------------------------------------------------------
    def _place_abs(self, cb: Box, abs_list: list[Box]) -> None:
        pw = cb.w - cb.border[1] - cb.border[3]
        ph = cb.h - cb.border[0] - cb.border[2]
        for box in abs_list:
            box.cb = cb
            cs = box.cs
            m = cs.margin
            box.pad = self._px_pad(box, pw)
            left = cs.left.resolve(pw, cs.font_px) if cs.left is not None else 0.0
            top = cs.top.resolve(ph, cs.font_px) if cs.top is not None else 0.0
            left, top = left or 0.0, top or 0.0
            if cs.width is not None and cs.width.resolve(pw) is not None:
                bw = (cs.width.resolve(pw, cs.font_px) or 0.0) + box.frame_lr
            else:
                mn, mx = self.intrinsic(box)
                avail = pw - left - m[1] - m[3]
                bw = min(max(mn, avail), mx)
            bw = self.clamp_width(box, bw, pw)
            self._flow(box, bw, [], ph)
            box.x = cb.border[3] + left + m[3]
            box.y = cb.border[0] + top + m[0]
        abs_list.clear()

    # -- transforms -------------------------------------------------------------------------
    def _matrices(
        self,
        box: Box,
        parent_matrix: Matrix,
        parent_offset: tuple[float, float] = (0.0, 0.0),
        parent_space: Matrix = IDENTITY,
    ) -> None:
        """``parent_offset``: Blink's paint offset of the parent box, i.e. where its origin
        lies relative to the origin of the transform space it paints in. ``parent_space``:
        the parent's ``raster_space``."""
        if box.is_abs and box.cb is not None:
            base, (ax, ay), space = box.cb.matrix, box.cb.space_offset, box.cb.raster_space
        else:
            base, (ax, ay), space = parent_matrix, parent_offset, parent_space
        if box.is_wrapper:
            transform: Matrix | None = about(box.w / 2, box.h / 2, channel_matrix(box.el.channels))
        elif box.cs.transform and box.cs.transform != "none":
            ox, oy = transform_origin(box.cs.transform_origin, box.w, box.h)
            transform = about(ox, oy, css_transform(box.cs.transform, box.w, box.h))
        else:
            transform = None
        offset = (ax + box.x, ay + box.y)
        if transform is None:
            local = translate(box.x, box.y)
        else:
            # Blink's paint property tree: a transformed element starts a transform space at
            # its paint offset rounded to whole pixels; the rest (subpixel accumulation)
            # carries into the space for a translation, and is dropped for any other
            # transform. A wrapper is the space of its text, whose baselines are snapped in
            # that space (motiontext.paint; measured: with translate(-50%, -50%) of a 65 px
            # box, top 540.53 paints the glyphs one pixel lower than top 540.31;
            # horizontally glyphs keep 1/4 px positions).
            rx, ry = _round_px(offset[0]), _round_px(offset[1])
            if not _is_translation(transform):
                offset = (0.0, 0.0)
            else:
                offset = (offset[0] - rx, offset[1] - ry)
            local = translate(rx - ax, ry - ay) @ transform @ translate(*offset)
        box.matrix = base @ local
        box.space_offset = offset
        if transform is not None and not _is_translation(transform):
            space = box.matrix
        box.raster_space = space
        for child in box.children:
            self._matrices(child, box.matrix, offset, space)
