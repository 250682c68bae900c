"""Host style profiles: the inherited values the page around the renderer's stage hands to
every caption that does not set them (spec 10.6, CORE-STYLE-HOST). 1.5.0 writes no font,
size, line height or colour on its stage, so the page decides them.

* ``bare``: Chromium's defaults on a page without CSS, as the goldens were made.
* ``ecg-editor``: what reaches the renderer's container in the ECG editor (Next.js +
  Tailwind 4.1, read in Chromium 156 with its real stylesheet): Tailwind's fallback font
  stack (the editor's own font variables fail to apply), ``clamp(1rem, 1.5vw, 1.125rem)`` =
  18 px in any window 1200 px or wider (``rem`` stays 16 px: html is not restyled), a
  unitless line height of 1.6 and rgb(16, 24, 40) text, in an ``en`` page.

A profile is data only: the layout inherits from whichever record it is given.
"""

from __future__ import annotations

from .errors import InputError
from .layout.style import HostDefaults

EDITOR_FONT_STACK = (
    'ui-sans-serif, system-ui, sans-serif, "Apple Color Emoji", "Segoe UI Emoji", '
    '"Segoe UI Symbol", "Noto Color Emoji"'
)

HOST_STYLES: dict[str, HostDefaults] = {
    "bare": HostDefaults(),
    "ecg-editor": HostDefaults(
        font_family=EDITOR_FONT_STACK,
        font_size_px=18.0,
        line_height="1.6",
        color="rgb(16, 24, 40)",
        font_weight=400,
        lang="en",
    ),
}
DEFAULT_HOST_STYLE = "bare"


def host_style(name: str) -> HostDefaults:
    """The profile called ``name``; InputError naming the known ones otherwise."""
    try:
        return HOST_STYLES[name]
    except (KeyError, TypeError):
        known = ", ".join(HOST_STYLES)
        raise InputError(f'"host_style" must be one of {known}, but is {name!r}') from None
