"""Small font files for tests: a system face (Liberation Sans) renamed to a family of the
test's choosing, optionally cut to a unicode range, given a ``wght`` axis (a variable face
whose instances all draw the same outlines: enough for descriptors, ranges and instances)
and saved as woff2, as a font folder or a Fontsource package would hold it; and scenarios
naming font families. No network, nothing
large committed."""

from __future__ import annotations

import subprocess
from pathlib import Path

SOURCE_FAMILY = "Liberation Sans"


def source_font() -> Path:
    path = subprocess.run(
        ["fc-match", "-f", "%{file}", SOURCE_FAMILY], capture_output=True, text=True, check=True
    ).stdout
    return Path(path)


def font_bytes(
    family: str,
    *,
    weight: int = 400,
    unicode_range: str = "",
    flavor: str | None = None,
    wght_axis: tuple[float, float] | None = None,
) -> bytes:
    """Liberation Sans renamed to ``family`` (weight class ``weight``); ``unicode_range``
    cuts its cmap (engine.font_store.sfnt_bytes); ``wght_axis`` (min, max) adds that axis
    (default ``weight``); ``flavor`` "woff"/"woff2" compresses it."""
    import io

    from fontTools.ttLib import TTFont, newTable
    from fontTools.ttLib.tables._f_v_a_r import Axis

    from engine.font_store import sfnt_bytes

    data = source_font().read_bytes()
    if unicode_range:
        data, _ = sfnt_bytes(data, unicode_range)
    font = TTFont(io.BytesIO(data))
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 4, 6, 16):
            text = family if record.nameID != 6 else family.replace(" ", "")
            names.setName(text, record.nameID, record.platformID, record.platEncID, record.langID)
    font["OS/2"].usWeightClass = weight
    if wght_axis is not None:
        axis = Axis()
        axis.axisTag, axis.flags = "wght", 0
        axis.minValue, axis.defaultValue, axis.maxValue = wght_axis[0], weight, wght_axis[1]
        axis.axisNameID = names.addMultilingualName({"en": "Weight"}, font)
        fvar = newTable("fvar")
        fvar.axes, fvar.instances = [axis], []
        font["fvar"] = fvar
    font.flavor = flavor
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def write_font(path: Path, family: str, **options: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(font_bytes(family, **options))  # type: ignore[arg-type]
    return path


def families_scenario(
    track_family: str, word_styles: list[dict], group_style: dict | None = None
) -> dict:
    """A scenario whose subtitle track's defaultStyle names ``track_family`` and whose one
    group (styled ``group_style``) holds a word per entry of ``word_styles``."""
    group: dict = {
        "id": "g",
        "eType": "group",
        "children": [
            {"id": f"w{i}", "eType": "text", "text": f"word {i}", "style": style}
            for i, style in enumerate(word_styles)
        ],
    }
    if group_style is not None:
        group["style"] = group_style
    return {
        "version": "2.0",
        "timebase": {"unit": "seconds"},
        "stage": {"baseAspect": "16:9"},
        "tracks": [{"id": "t", "type": "subtitle", "defaultStyle": {"fontFamily": track_family}}],
        "cues": [{"id": "c", "track": "t", "root": group}],
    }
