"""spin@2.0.0 (channel): rot = 360 * fullTurns * p (plugins spec 3.1)."""

from __future__ import annotations

from typing import Any

from ._base import number


class Spin:
    name, version, kind = "spin", "2.0.0", "channel"

    def channels(self, params: dict[str, Any], p: float, ctx) -> dict:
        return {"rot": 360.0 * number(params, "fullTurns", 1) * p}

    def apply(self, effects, params, p, ctx) -> None:  # channel plugins have no DOM part
        return None


PLUGIN = Spin()
