"""Which cues a tick has to visit: visiting every cue on every frame costs O(cues) per frame,
which dominates a long scenario's steady frames, yet only two kinds of cue can do anything:
those whose domLifetime holds t (mount, plugins) and those with a node still mounted
(unmount). The rest are skipped; the visited ones keep the scenario's order (mount order).
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterable

from .model import Cue, Node


def _node_ids(node: Node):
    yield node.id
    for child in node.children:
        yield from _node_ids(child)


class CueSchedule:
    def __init__(self, cues: tuple[Cue, ...]) -> None:
        self.cues = cues
        owner = {
            node_id: index for index, cue in enumerate(cues) for node_id in _node_ids(cue.root)
        }
        count = sum(1 for cue in cues for _ in _node_ids(cue.root))
        # a node id shared between cues lets one cue unmount another's node: visit them all
        self._owner: dict[str, int] | None = owner if len(owner) == count else None
        # within the intervals between these times (and at each of them) the set of cues
        # whose lifetime holds t cannot change
        self._times = sorted({v for cue in cues for v in cue.dom_lifetime if not math.isnan(v)})
        self._segment: tuple[int, bool] | None = None
        self._live: list[int] = []

    def due(self, t: float, mounted: Iterable[str]) -> list[int]:
        """Indices of the cues to visit at ``t``, ascending; ``mounted``: mounted node ids."""
        if self._owner is None:
            return list(range(len(self.cues)))
        live = self._live_at(t)
        holding = {self._owner[node_id] for node_id in mounted}
        if holding.issubset(live):
            return live
        return sorted(holding.union(live))

    def _live_at(self, t: float) -> list[int]:
        at = bisect_left(self._times, t)
        segment = (at, at < len(self._times) and self._times[at] == t)
        if segment != self._segment:
            self._segment = segment
            self._live = [
                index
                for index, cue in enumerate(self.cues)
                if not (t < cue.dom_lifetime[0] or t > cue.dom_lifetime[1])
            ]
        return self._live
