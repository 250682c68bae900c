"""The page a render imitates: the host style profile whose values the captions inherit
(``motiontext.host_styles``) and the font folders whose web fonts it has loaded
(``engine.font_store``). Built by the CLI, the service and the batch runner from their
options and settings; every renderer of a scenario (video, frame, preview, parity) takes one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from motiontext.font_families import named_font_families
from motiontext.host_styles import DEFAULT_HOST_STYLE, host_style
from motiontext.layout.style import HostDefaults
from motiontext.model import Scenario

from .overlay import ScenarioOverlay, shared_shaper, video_overlay
from .text import SkiaShaper


@dataclass(frozen=True, slots=True)
class HostPage:
    """``style_name`` names the profile (``style`` is its record); ``font_dirs`` the web font
    folders, first one first."""

    style_name: str = DEFAULT_HOST_STYLE
    font_dirs: tuple[Path, ...] = ()
    style: HostDefaults = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "style", host_style(self.style_name))  # InputError if unknown
        object.__setattr__(self, "font_dirs", tuple(Path(d) for d in self.font_dirs))

    @classmethod
    def from_options(cls, style_name: str | None, font_dirs: Sequence[Path | str] = ()) -> HostPage:
        return cls(style_name or DEFAULT_HOST_STYLE, tuple(Path(d) for d in font_dirs))

    def shaper(self) -> SkiaShaper:
        return shared_shaper(self.font_dirs)

    def overlay(self, scenario: Scenario, width: int, height: int, fps: float) -> ScenarioOverlay:
        return ScenarioOverlay(scenario, width, height, fps, self.style, self.shaper())

    def video_overlay(
        self, scenario: Scenario, output_fps: Fraction | None
    ) -> Callable[[int, int], ScenarioOverlay]:
        """``engine.overlay.video_overlay`` on this page."""
        return video_overlay(scenario, output_fps, self.style, self.shaper())

    def missing_families(self, scenario: Scenario) -> tuple[str, ...]:
        """The families ``scenario`` names that resolve to nothing here: neither declared,
        nor in a font folder, nor installed on the system. Their text falls back."""
        fonts = self.shaper().fonts
        return tuple(f for f in named_font_families(scenario) if not fonts.has_family(f))

    def warnings(self, scenario: Scenario) -> list[str]:
        """One readable line per missing family (the CLI, batch reports, job status)."""
        return [missing_family_warning(f) for f in self.missing_families(scenario)]


def missing_family_warning(family: str) -> str:
    return (
        f'font family "{family}" is not installed: its text is drawn with fallback fonts '
        f"(add it to a font folder, e.g. `ecg-render fonts install {_quoted(family)}`)"
    )


def _quoted(family: str) -> str:
    return f'"{family}"' if " " in family else family
