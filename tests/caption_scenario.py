"""The production caption shape (the ECG editor's export): one ``caption`` subtitle track in
white Arial and a ``define.caption`` block that every cue's root refers to. Shared by the
service tests and the benchmark workload, which differ only in their cues and define."""

from __future__ import annotations

from typing import Any


def caption_scenario(
    cues: list[dict[str, Any]], caption_define: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    """A v2.0 scenario with ``cues`` on the caption track; ``extra`` top-level keys (for
    example ``pluginApiVersion``) are added as given."""
    return {
        "version": "2.0",
        **extra,
        "timebase": {"unit": "seconds"},
        "stage": {"baseAspect": "16:9"},
        "define": {"caption": caption_define},
        "tracks": [
            {
                "id": "caption",
                "type": "subtitle",
                "layer": 1,
                "defaultStyle": {
                    "fontSizeRel": 0.07,
                    "fontFamily": "Arial, sans-serif",
                    "color": "#ffffff",
                    "align": "center",
                },
            }
        ],
        "cues": cues,
    }
