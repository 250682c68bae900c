"""Request and response bodies of the API (pydantic at the boundary only).

The backend sends the render request in two shapes, snake_case (``job_id``, ``video_url``,
``callback_url``) and camelCase (``jobId``, ``videoUrl``, ``callbackUrl``); both validate to
:class:`RenderBody`. Option ranges are the backend's own (``app/api/v1/render.py``).
"""

from __future__ import annotations

import io
import logging
from fractions import Fraction
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from engine.video_options import parse_rate
from motiontext.errors import InputError
from motiontext.host_styles import HOST_STYLES
from server.service.jobs import JobStatus

if TYPE_CHECKING:
    from engine.host_page import HostPage

JOB_ID_PATTERN = r"^[A-Za-z0-9._-]{1,128}$"
log = logging.getLogger("ecg_render.api")
MIN_OUTPUT_FPS, MAX_OUTPUT_FPS = 1, 60  # the backend's range (app/api/v1/render.py)


def _output_fps(value: Any) -> Fraction | None:
    """``options.fps``: absent or null keeps the source's timing; otherwise an exact rate
    (engine.video_options.parse_fps: 30, 29.97, "30000/1001") within the backend's range."""
    if value is None:
        return None
    try:
        fps = parse_rate(value)
    except InputError:  # its message quotes the value, which the 422 handlers add themselves
        raise ValueError('fps must be a number or a fraction like "30000/1001"') from None
    if not MIN_OUTPUT_FPS <= fps <= MAX_OUTPUT_FPS:
        raise ValueError(f"fps must be between {MIN_OUTPUT_FPS} and {MAX_OUTPUT_FPS}")
    return fps


def stored_fps(options: dict[str, Any]) -> Fraction | None:
    """The rate of stored options (RenderOptions.model_dump() writes it as text, "30000/1001";
    records stored before that hold an int); None = keep the source's timing."""
    value = options.get("fps")
    return None if value is None else parse_rate(value)


def _known_host_style(value: str | None) -> str | None:
    if value is not None and value not in HOST_STYLES:
        raise ValueError(f"must be one of {', '.join(HOST_STYLES)}, but is {value!r}")
    return value


HostStyleName = Annotated[str | None, AfterValidator(_known_host_style)]
HOST_STYLE_FIELD = Field(
    None,
    validation_alias=AliasChoices("host_style", "hostStyle"),
    description="host style profile: bare or ecg-editor (default: the HOST_STYLE setting)",
)


class RenderOptions(BaseModel):
    """Output options. Without width and height the source size is kept; without fps the
    source's frames and timestamps are (variable frame rates included)."""

    model_config = ConfigDict(extra="ignore")

    width: int | None = Field(None, ge=480, le=3840, description="pixels, even")
    height: int | None = Field(None, ge=360, le=2160, description="pixels, even")
    fps: Annotated[Fraction | None, BeforeValidator(_output_fps)] = Field(
        None,
        description="output frames per second, 1..60: an integer, a decimal (29.97 means "
        '30000/1001) or a fraction ("30000/1001"); absent or null keeps the source\'s frame '
        "rate and every frame's timestamp (variable frame rates too)",
    )
    quality: int = Field(90, ge=10, le=100, description="10..100, mapped to CRF/CQ")
    format: Literal["mp4", "mov", "webm"] = "mp4"
    host_style: HostStyleName = HOST_STYLE_FIELD

    @model_validator(mode="after")
    def _size_pair(self) -> RenderOptions:
        if (self.width is None) != (self.height is None):
            raise ValueError("width and height must be given together (or both left out)")
        for name in ("width", "height"):
            value = getattr(self, name)
            if value is not None and value % 2:
                raise ValueError(f"{name} must be even, but is {value}")
        return self


class RenderBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    job_id: str | None = Field(
        None,
        validation_alias=AliasChoices("job_id", "jobId"),
        pattern=JOB_ID_PATTERN,
        description="letters, digits, '.', '_', '-' (1-128); generated when absent",
    )
    video_url: str = Field(
        validation_alias=AliasChoices("video_url", "videoUrl"),
        min_length=1,
        max_length=8192,
        description="http(s):// or s3://bucket/key",
    )
    scenario: dict[str, Any] = Field(description="MotionText v2.0 scenario")
    options: RenderOptions = Field(default_factory=RenderOptions)
    callback_url: str | None = Field(
        None, validation_alias=AliasChoices("callback_url", "callbackUrl"), max_length=4096
    )

    @field_validator("video_url", "callback_url")
    @classmethod
    def _plain_url(cls, value: str | None) -> str | None:
        """No whitespace or control characters (they would reach an HTTP request line as
        they are) and nothing that is not Unicode text."""
        if value is None:
            return value
        bad = next((c for c in value if ord(c) <= 0x20 or ord(c) == 0x7F), None)
        if bad is not None:
            raise ValueError(
                f"the URL must not contain whitespace or control characters (found {bad!r}); "
                "percent-encode them"
            )
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("the URL must be valid Unicode text") from None
        return value

    @field_validator("job_id")
    @classmethod
    def _not_dots(cls, value: str | None) -> str | None:
        if value is not None and set(value) == {"."}:
            raise ValueError("job_id must not consist of dots only")
        return value

    @field_validator("callback_url")
    @classmethod
    def _http_callback(cls, value: str | None) -> str | None:
        if value and not value.lower().startswith(("http://", "https://")):
            raise ValueError("callback_url must be an http(s) URL")
        return value or None

    @field_validator("options", mode="before")
    @classmethod
    def _null_options(cls, value: Any) -> Any:
        return {} if value is None else value


class MigrationInfo(BaseModel):
    """A v1.3 scenario migrated to v2.0 before validation (README "v1.3 scenarios")."""

    from_version: str = Field(description='"1.3"')
    warnings: list[str] = Field(description="the migration's warnings, in order")


def migration_info(loaded: Any) -> dict[str, Any]:
    """The stored form of a :class:`motiontext.loader.LoadedScenario`'s migration."""
    return {"from_version": loaded.migrated_from, "warnings": list(loaded.warnings)}


class RenderQueued(BaseModel):
    job_id: str
    status: JobStatus


class CancelResponse(BaseModel):
    job_id: str
    status: JobStatus


class StatusResponse(BaseModel):
    """The job's snapshot: the same fields the callbacks carry."""

    job_id: str
    status: JobStatus
    progress: int = Field(ge=0, le=100)
    estimated_time_remaining: int | None = Field(None, description="whole seconds, rounded up")
    download_url: str | None = None
    file_size: int | None = Field(None, description="bytes")
    duration: float | None = Field(None, description="seconds")
    error_message: str | None = None
    error_code: str | None = None
    warnings: list[str] | None = Field(
        None,
        description="present only when the render could not do everything as asked, e.g. font "
        "families that are not installed (not part of the callbacks)",
    )
    migration: MigrationInfo | None = Field(
        None, description="present only when the posted scenario was v1.3 and migrated to v2.0"
    )


class PreviewBody(BaseModel):
    scenario: dict[str, Any]
    t: float = Field(0.0, ge=0, description="seconds")
    width: int = Field(1920, ge=16, le=3840)
    height: int = Field(1080, ge=16, le=2160)
    fps: int = Field(30, ge=1, le=60)
    host_style: HostStyleName = HOST_STYLE_FIELD


def check_json_values(document: Any) -> None:
    """Refuse what JSON.parse would never hand the renderer, or what cannot be stored as
    UTF-8: NaN and infinities (Python's JSON reader accepts them, JSON does not), integers
    beyond the range of a double (JSON.parse makes them Infinity; RFC 8259 section 6), and
    strings or keys holding half a UTF-16 surrogate pair (``"\\ud800"``). Raises
    ScenarioError with the value's JSON path; walks without recursion."""
    import math
    import sys

    from motiontext.errors import ScenarioError

    def text_ok(text: str) -> bool:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True

    stack: list[tuple[Any, str]] = [(document, "")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                item_path = f"{path}.{key}" if path else str(key)
                if isinstance(key, str) and not text_ok(key):
                    raise ScenarioError(
                        "expected valid Unicode, but a key holds a lone surrogate", path
                    )
                stack.append((item, item_path))
        elif isinstance(value, list):
            stack.extend((v, f"{path}[{i}]") for i, v in enumerate(value))
        elif isinstance(value, str) and not text_ok(value):
            raise ScenarioError("expected valid Unicode text, but it holds a lone surrogate", path)
        elif isinstance(value, float) and not math.isfinite(value):
            raise ScenarioError(f"expected a finite number, but got {value}", path)
        elif (
            isinstance(value, int)
            and not isinstance(value, bool)
            and abs(value) > sys.float_info.max
        ):
            raise ScenarioError("expected a number a double can hold, but got a larger one", path)


def render_preview_png(
    scenario: dict[str, Any],
    size: tuple[int, int],
    t_seconds: float,
    fps: float = 30,
    page: HostPage | None = None,
    *,
    accept_v13: bool = True,
) -> bytes:
    """The scenario's caption overlay at ``t_seconds`` as a PNG with straight alpha (a v1.3
    scenario is migrated first unless ``accept_v13`` is False).
    Raises ScenarioError for a scenario the parser refuses, and for one it accepts but the
    renderer fails on (logged with its traceback: that is a renderer bug to fix, but the
    answer is still about this scenario, not a 500)."""
    import numpy as np
    from PIL import Image

    from engine.host_page import HostPage
    from motiontext.errors import RenderError, ScenarioError
    from motiontext.loader import load_document

    parsed = load_document(scenario, accept_v13=accept_v13).scenario
    try:
        overlay = (page or HostPage()).overlay(parsed, size[0], size[1], float(fps))
        rgba = overlay.overlay_at(round(t_seconds * fps), t_seconds).rgba.astype(np.float32)
    except RenderError:
        raise
    except Exception as exc:
        log.exception("the renderer failed on a scenario the parser accepted")
        raise ScenarioError(
            f"the scenario could not be rendered at {t_seconds} s: {type(exc).__name__}: {exc}"
        ) from exc
    alpha = rgba[..., 3:4]
    # The overlay is premultiplied; PNG wants straight colour.
    rgb = np.where(alpha > 0, rgba[..., :3] * 255.0 / np.maximum(alpha, 1), 0)
    straight = np.concatenate([np.clip(rgb + 0.5, 0, 255), alpha], axis=2).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(straight, "RGBA").save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()
