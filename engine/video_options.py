"""Options of a video render, validated once at construction.

``VideoOptions`` is what the CLI, the service and the batch runner fill in; the pipeline only
reads it. Invalid values raise :class:`~motiontext.errors.InputError` with a message that
says what was expected and what came.

Quality mapping (documented contract, ``quality`` 10..100, default 90):

=================================  =========================  ==========================
encoder                            rate-control value         quality 100 / 90 / 50 / 10
=================================  =========================  ==========================
libx264, h264_nvenc, hevc_nvenc    CRF / CQ (0..51) =         15 / 19 / 33 / 47
                                   round(51 - 0.36*quality)
libvpx-vp9                         CRF (0..63) =              18 / 23 / 41 / 59
                                   round(63 - 0.45*quality)
=================================  =========================  ==========================

``crf`` overrides the mapping and is passed to the encoder as is (CRF for x264/VP9, CQ for
NVENC). Presets use x264's names (ultrafast .. veryslow) for every encoder and are
translated (NVENC p1..p7, VP9 cpu-used 8..1); each encoder's native names are accepted too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from engine.nvdec import DECODERS
from motiontext.errors import InputError

ENCODERS = ("auto", "libx264", "h264_nvenc", "hevc_nvenc", "libvpx-vp9")
DEFAULT_QUALITY = 90
DEFAULT_PRESET = "veryfast"
MAX_FPS = 240
MAX_SIDE = 8192

X264_PRESETS = (
    "ultrafast",
    "superfast",
    "veryfast",
    "faster",
    "fast",
    "medium",
    "slow",
    "slower",
    "veryslow",
    "placebo",
)
# x264 name -> NVENC preset (p1 fastest .. p7 best) and VP9 cpu-used (8 fastest .. 0 best).
_NVENC_PRESET = dict(
    zip(X264_PRESETS, ("p1", "p2", "p3", "p4", "p4", "p5", "p6", "p7", "p7", "p7"))
)
_VP9_CPU_USED = dict(zip(X264_PRESETS, ("8", "8", "7", "6", "5", "4", "3", "2", "1", "0")))

# Decimal spellings of the NTSC rates mean the exact rational rate ("29.970" too).
_NTSC = {
    Fraction(decimal): Fraction(numerator, 1001)
    for decimal, numerator in (
        ("23.976", 24000),
        ("29.97", 30000),
        ("47.952", 48000),
        ("59.94", 60000),
        ("119.88", 120000),
    )
}
# What a rate may look like: no sign, no exponent (1e999999999 would be a billion-digit
# integer), and short (the API passes clients' values here).
_RATE_TEXT = re.compile(r"\d+(\.\d+)?|\d+/\d+")
_RATE_TEXT_MAX = 40


@dataclass(frozen=True, slots=True)
class VideoOptions:
    """How to encode the output.

    encoder: one of ENCODERS; ``auto`` = h264_nvenc when a session really opens, else libx264
      (``.webm`` outputs always use libvpx-vp9).
    preset: x264 preset name or the encoder's native preset; None = ``veryfast`` equivalent.
    crf: explicit CRF/CQ, overrides ``quality``.
    quality: 10..100, mapped as in the module docstring.
    fps: output frames per second (exact rational, see parse_fps), or None to keep the source's
      timing: the same frames with the same timestamps (VFR too).
    size: output (width, height) in pixels, both even, or None to keep the source size.
    queue_frames: depth of each bounded queue between stages (memory ~ 1 frame per slot).
    array_backend: "numpy", "cupy" or "auto" (CuPy when a CUDA device answers) for the blend.
    decoder: "cpu", "nvdec" or "auto" (NVDEC when it opens here). NVDEC with a CuPy backend
      keeps pictures in GPU memory and blends there.
    open_timeout_seconds / read_timeout_seconds: network timeouts for http(s) inputs.
    """

    encoder: str = "auto"
    preset: str | None = None
    crf: int | None = None
    quality: int = DEFAULT_QUALITY
    fps: Fraction | None = None
    size: tuple[int, int] | None = None
    queue_frames: int = 8
    array_backend: str = "numpy"
    decoder: str = "cpu"
    open_timeout_seconds: float = 15.0
    read_timeout_seconds: float = 60.0

    def __post_init__(self) -> None:
        if self.encoder not in ENCODERS:
            raise InputError(
                f'"encoder" must be one of {", ".join(ENCODERS)}, but is {self.encoder!r}'
            )
        if (
            isinstance(self.quality, bool)
            or not isinstance(self.quality, int)
            or not (10 <= self.quality <= 100)
        ):
            raise InputError(
                f'"quality" must be an integer between 10 and 100, but is {self.quality!r}'
            )
        if self.crf is not None and (
            isinstance(self.crf, bool) or not isinstance(self.crf, int) or not 0 <= self.crf <= 63
        ):
            raise InputError(f'"crf" must be an integer between 0 and 63, but is {self.crf!r}')
        if self.preset is not None and not _preset_known(self.preset):
            raise InputError(
                f'"preset" must be an x264 preset ({", ".join(X264_PRESETS)}), p1..p7 or 0..8, '
                f"but is {self.preset!r}"
            )
        if self.fps is not None:
            object.__setattr__(self, "fps", parse_fps(self.fps))
        if self.size is not None:
            w, h = self.size
            if not all(isinstance(v, int) and 2 <= v <= MAX_SIDE and v % 2 == 0 for v in (w, h)):
                raise InputError(
                    f'"size" must be WxH with even sides between 2 and {MAX_SIDE}, but is {w}x{h}'
                )
            object.__setattr__(self, "size", (w, h))
        if self.array_backend not in ("numpy", "cupy", "auto"):
            raise InputError(
                f'"array_backend" must be numpy, cupy or auto, but is {self.array_backend!r}'
            )
        if self.decoder not in DECODERS:
            raise InputError(
                f'"decoder" must be one of {", ".join(DECODERS)}, but is {self.decoder!r}'
            )
        if self.queue_frames < 1:
            raise InputError(f'"queue_frames" must be at least 1, but is {self.queue_frames}')

    def rate_control_value(self, codec: str) -> int:
        """CRF (x264, VP9) or CQ (NVENC) for ``codec``: ``crf`` if set, else mapped quality."""
        if codec == "libvpx-vp9":
            limit = 63
            mapped = (6300 - 45 * self.quality + 50) // 100  # integer maths: exact halves
        else:
            limit = 51
            mapped = (5100 - 36 * self.quality + 50) // 100
        value = mapped if self.crf is None else self.crf
        if value > limit:
            raise InputError(f'"crf" must be between 0 and {limit} for {codec}, but is {value}')
        return value

    def encoder_preset(self, codec: str) -> str:
        """The preset in ``codec``'s own vocabulary (x264 name, NVENC pN, VP9 cpu-used)."""
        preset = self.preset or DEFAULT_PRESET
        if codec in ("h264_nvenc", "hevc_nvenc"):
            if re.fullmatch(r"p[1-7]", preset):
                return preset
            if preset in _NVENC_PRESET:
                return _NVENC_PRESET[preset]
        elif codec == "libvpx-vp9":
            if re.fullmatch(r"[0-8]", preset):
                return preset
            if preset in _VP9_CPU_USED:
                return _VP9_CPU_USED[preset]
        elif preset in X264_PRESETS:
            return preset
        raise InputError(f'"preset" {preset!r} does not apply to encoder {codec}')


def _preset_known(preset: str) -> bool:
    return preset in X264_PRESETS or bool(re.fullmatch(r"p[1-7]|[0-8]", preset))


def parse_rate(value: str | float | Fraction) -> Fraction:
    """A frame rate, exactly: ``30``, ``"25"``, ``29.97`` or ``"29.97"`` (= 30000/1001, as
    the other NTSC decimals), ``"30000/1001"``, ``"12.5"``. The one reader of rates: the
    CLI's ``--fps``, the API's and the batch manifests' ``options.fps`` and stored requests
    all go through it, so nothing is ever rounded or truncated. The range is the caller's
    (:func:`parse_fps` for the pipeline's). Raises InputError."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Fraction)):
        raise InputError(
            f'"fps" must be a number or a fraction like 30000/1001, but is {value!r:.80}'
        )
    text = str(value).strip()  # a float's str() is its shortest spelling: 29.97 -> "29.97"
    if len(text) > _RATE_TEXT_MAX or not _RATE_TEXT.fullmatch(text):
        raise InputError(
            f'"fps" must be a number or a fraction like 30000/1001, but is {text[:80]!r}'
        )
    try:
        rate = Fraction(text)
    except ZeroDivisionError:
        raise InputError(f'"fps" must have a denominator above 0, but is {text}') from None
    return _NTSC.get(rate, rate)


def parse_fps(value: str | float | Fraction) -> Fraction:
    """:func:`parse_rate` within the pipeline's range (above 0, at most MAX_FPS)."""
    fps = parse_rate(value)
    if not 0 < fps <= MAX_FPS:
        raise InputError(f'"fps" must be above 0 and at most {MAX_FPS}, but is {value}')
    return fps


def parse_size(text: str) -> tuple[int, int]:
    """'1280x720' -> (1280, 720). Raises InputError for other shapes."""
    match = re.fullmatch(r"\s*(\d+)\s*[xX]\s*(\d+)\s*", text)
    if not match:
        raise InputError(f'"size" must look like 1280x720, but is {text!r}')
    return int(match.group(1)), int(match.group(2))
