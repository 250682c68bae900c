"""`ecg-render doctor`: what opens on this machine, as a table.

Every capability is proven by using it, never by listing it (PyAV lists h264_nvenc on
machines without a GPU): NVENC by opening an encoder session, NVDEC by decoding a tiny H.264
stream through PyAV's CUDA hwaccel with software fallback disabled, CuPy by running a kernel,
fonts by resolving them through Skia's fontconfig manager as the renderer does, Redis by a
PING when REDIS_URL is set. The web font folders (FONT_DIRS, or --font-dir) are listed with
the families each holds.

Exit status 0 when the CPU path (H.264 decode, libx264 encode, Skia raster) is usable, else 1.
Missing fonts are reported as warnings: renders still run, but captions would not match the
editor's (Chromium's) metrics or would show boxes for Korean.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import asdict, dataclass
from enum import StrEnum
from fractions import Fraction
from pathlib import Path

from engine.nvdec import error_text, match_ffmpeg_context_flags, probe_nvdec, tiny_h264_packets
from server.cli.fonts import add_font_dir_option, font_dirs

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser")
# The families the renderer resolves CSS to on Debian, as Chromium does (engine/fonts.py).
FONTS = (
    ("Liberation Sans", "A"),  # Arial, Helvetica, sans-serif
    ("Liberation Serif", "A"),  # Times New Roman, the default family
    ("DejaVu Sans", "A"),  # system-ui and other generics
    ("Noto Sans CJK KR", "한"),  # Korean fallback
    ("Noto Color Emoji", "😂"),  # colour emoji (fonts-noto-color-emoji)
)


class Status(StrEnum):
    OK = "ok"
    WARN = "warn"  # usable, but output or an optional feature is affected
    MISSING = "missing"  # optional feature absent (GPU, Chromium, Redis)
    FAIL = "fail"  # a required part of the CPU path does not work


@dataclass(frozen=True, slots=True)
class Check:
    """One line of the report. ``required``: the CPU render path needs it."""

    name: str
    status: Status
    detail: str
    required: bool = False


def open_encoder(codec: str) -> str | None:
    """None when an encoder session of ``codec`` opens, else why not."""
    import av

    try:
        ctx = av.CodecContext.create(codec, "w")
        ctx.width, ctx.height, ctx.pix_fmt = 256, 256, "yuv420p"
        ctx.time_base = Fraction(1, 30)
        ctx.open()
    except Exception as exc:  # noqa: BLE001 (any failure means "does not open here")
        return error_text(exc)
    return None


def probe_cupy() -> tuple[bool, str]:
    """(usable, detail): CuPy imports, sees a device and runs a kernel."""
    try:
        import cupy  # type: ignore[import-not-found]
    except Exception as exc:  # noqa: BLE001
        return False, f"CuPy not importable ({error_text(exc)})"
    try:
        count = cupy.cuda.runtime.getDeviceCount()
        match_ffmpeg_context_flags()  # before the kernel creates the context, as the engine does
        props = cupy.cuda.runtime.getDeviceProperties(0)
        name = props["name"].decode() if isinstance(props["name"], bytes) else props["name"]
        total = int(cupy.arange(1000, dtype=cupy.int64).sum())
        if total != 499500:
            return False, f"CuPy {cupy.__version__}: a test kernel returned {total}"
        runtime = cupy.cuda.runtime.runtimeGetVersion()
    except Exception as exc:  # noqa: BLE001
        return False, f"CuPy {cupy.__version__} imports, but no usable device ({error_text(exc)})"
    return True, f"CuPy {cupy.__version__}, CUDA runtime {runtime}, {count} device(s): {name}"


# --- the checks -------------------------------------------------------------------------------


def check_pyav() -> Check:
    import av

    codec = av.library_versions.get("libavcodec")
    version = ".".join(map(str, codec)) if codec else "?"
    return Check(
        "PyAV / FFmpeg",
        Status.OK,
        f"PyAV {av.__version__}, FFmpeg {av.ffmpeg_version_info} (libavcodec {version})",
        required=True,
    )


def check_decoder() -> Check:
    import av

    try:
        dec = av.CodecContext.create("h264", "r")
        frames = []
        for packet in tiny_h264_packets():
            frames += dec.decode(packet)
        frames += dec.decode(None)
    except Exception as exc:  # noqa: BLE001
        return Check("H.264 decode (CPU)", Status.FAIL, error_text(exc), required=True)
    if not frames:
        return Check("H.264 decode (CPU)", Status.FAIL, "no frame decoded", required=True)
    return Check("H.264 decode (CPU)", Status.OK, f"{len(frames)} test frames", required=True)


def check_x264() -> Check:
    error = open_encoder("libx264")
    if error:
        return Check("libx264 encoder", Status.FAIL, error, required=True)
    return Check("libx264 encoder", Status.OK, "session opens", required=True)


def check_nvenc(codec: str = "h264_nvenc") -> Check:
    error = open_encoder(codec)
    if error:
        return Check(f"NVENC {codec}", Status.MISSING, f"does not open ({error})")
    return Check(
        f"NVENC {codec}",
        Status.OK,
        "session opens (encoder=auto picks it)" if codec == "h264_nvenc" else "session opens",
    )


def check_nvdec() -> Check:
    opened, detail = probe_nvdec()
    if opened:
        detail += " (decoder=auto decodes on the GPU)"
    return Check("NVDEC (CUDA hwaccel)", Status.OK if opened else Status.MISSING, detail)


def check_cupy() -> Check:
    usable, detail = probe_cupy()
    if usable:
        detail += " (array_backend=auto composites on the GPU)"
    return Check("CUDA / CuPy", Status.OK if usable else Status.MISSING, detail)


def check_skia() -> Check:
    try:
        import numpy as np
        import skia

        pixels = np.zeros((16, 16, 4), np.uint8)
        surface = skia.Surface(pixels)
        surface.getCanvas().drawRect(skia.Rect(0, 0, 8, 8), skia.Paint(Color=skia.ColorWHITE))
        surface.flushAndSubmit()
        drew = int(pixels[..., 3].max()) == 255
    except Exception as exc:  # noqa: BLE001
        return Check("Skia raster", Status.FAIL, error_text(exc), required=True)
    if not drew:
        return Check("Skia raster", Status.FAIL, "a test rectangle left no pixels", required=True)
    return Check("Skia raster", Status.OK, f"skia-python {skia.__version__}", required=True)


def check_font(family: str, sample: str) -> Check:
    try:
        import skia

        typeface = skia.FontMgr().matchFamilyStyle(family, skia.FontStyle())
    except Exception as exc:  # noqa: BLE001
        return Check(f"font {family}", Status.WARN, error_text(exc))
    if typeface is None or typeface.getFamilyName().lower() != family.lower():
        got = typeface.getFamilyName() if typeface is not None else "nothing"
        return Check(
            f"font {family}",
            Status.WARN,
            f"not installed (fontconfig gives {got}); captions will differ from the editor",
        )
    if typeface.unicharToGlyph(ord(sample)) == 0:
        return Check(f"font {family}", Status.WARN, f"installed but has no glyph for {sample!r}")
    return Check(f"font {family}", Status.OK, "resolves via fontconfig")


def check_font_dirs(dirs: tuple[Path, ...]) -> Check:
    """The web font folders and their families; warn about absent folders and unreadable
    files (renders then fall back for those families)."""
    from engine.font_store import FontStore

    name = "web font folders"
    if not dirs:
        return Check(name, Status.OK, "none (FONT_DIRS is empty): system fonts only")
    store = FontStore(dirs)
    parts: list[str] = []
    absent: list[str] = []
    for folder in dirs:
        if not folder.is_dir():
            absent.append(str(folder))
            parts.append(f"{folder}: absent")
            continue
        names = sorted(f.name for f in store.families.values() if f.folder.is_relative_to(folder))
        shown = ", ".join(names[:6]) + (f" +{len(names) - 6}" if len(names) > 6 else "")
        parts.append(f"{folder}: {shown or 'no families'}")
    detail = "; ".join(parts)
    if store.problems:
        detail += f"; {len(store.problems)} unreadable: {store.problems[0]}"
    if len(absent) == len(dirs):
        detail += " (no web fonts: `ecg-render fonts install FAMILY` creates the first)"
    status = Status.WARN if store.problems or len(absent) == len(dirs) else Status.OK
    return Check(name, status, detail)


def _version_line(argv: list[str]) -> str | None:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    lines = (out.stdout or out.stderr).strip().splitlines()
    return lines[0] if out.returncode == 0 and lines else None


def check_chromium() -> Check:
    for candidate in CHROMIUM_CANDIDATES:
        path = shutil.which(candidate)
        if path:
            version = _version_line([path, "--version"])
            if version:
                return Check(
                    "Chromium", Status.OK, f"{version} at {path} (parity tests and benchmarks only)"
                )
            return Check("Chromium", Status.WARN, f"{path} does not run --version")
    return Check("Chromium", Status.MISSING, "not installed (needed only by parity tests)")


def check_redis(redis_url: str | None) -> Check:
    binary = shutil.which("redis-server")
    server = _version_line([binary, "--version"]) if binary else None
    local = f"{server.split(' sha=')[0]}" if server else "no redis-server binary"
    if redis_url is None:
        return Check(
            "Redis",
            Status.OK if server else Status.MISSING,
            f"{local}; REDIS_URL not set (standalone mode needs no Redis)",
        )
    try:
        import redis

        client = redis.Redis.from_url(redis_url, socket_timeout=2, socket_connect_timeout=2)
        client.ping()
    except Exception as exc:  # noqa: BLE001
        return Check(
            "Redis",
            Status.WARN,
            f"{local}; PING {_safe_url(redis_url)} failed ({error_text(exc)})",
        )
    return Check("Redis", Status.OK, f"{local}; PING {_safe_url(redis_url)} answered")


def _safe_url(url: str) -> str:
    """``url`` without a password."""
    import urllib.parse

    parts = urllib.parse.urlsplit(url)
    if parts.password:
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
        user = f"{parts.username}:***@" if parts.username else "***@"
        return urllib.parse.urlunsplit(parts._replace(netloc=user + host))
    return url


def _redis_url_if_set() -> str | None:
    """REDIS_URL from the service settings, only when the environment (or .env) set it."""
    try:
        from server.service.settings import Settings

        settings = Settings()
    except Exception:  # noqa: BLE001 (an invalid unrelated variable must not hide the rest)
        return None
    return settings.redis_url if "redis_url" in settings.model_fields_set else None


def run_checks(redis_url: str | None = None, font_dirs: tuple[Path, ...] = ()) -> list[Check]:
    """Every check, in the report's order; none raises."""
    checks: list[Callable[[], Check]] = [
        check_pyav,
        check_decoder,
        check_x264,
        lambda: check_nvenc("h264_nvenc"),
        lambda: check_nvenc("hevc_nvenc"),
        check_nvdec,
        check_cupy,
        check_skia,
        *[lambda f=family, s=sample: check_font(f, s) for family, sample in FONTS],
        lambda: check_font_dirs(font_dirs),
        check_chromium,
        lambda: check_redis(redis_url),
    ]
    out = []
    for check in checks:
        try:
            out.append(check())
        except Exception as exc:  # noqa: BLE001 (a broken probe is itself a finding)
            name = getattr(check, "__name__", "check").removeprefix("check_")
            out.append(Check(name, Status.FAIL, error_text(exc)))
    return out


def cpu_path_usable(checks: list[Check]) -> bool:
    return all(c.status is not Status.FAIL for c in checks if c.required)


def summary(checks: list[Check]) -> str:
    by_name = {c.name: c for c in checks}

    def ok(name: str) -> bool:
        return name in by_name and by_name[name].status is Status.OK

    encoder = "h264_nvenc" if ok("NVENC h264_nvenc") else "libx264"
    composite = "CuPy (GPU)" if ok("CUDA / CuPy") else "numpy (CPU)"
    usable = "usable" if cpu_path_usable(checks) else "NOT usable"
    return (
        f"CPU path: {usable}. encoder=auto -> {encoder}; array_backend=auto -> {composite}; "
        f"NVDEC {'opens' if ok('NVDEC (CUDA hwaccel)') else 'does not open'}."
    )


def format_table(checks: list[Check]) -> str:
    name_w = max(len(c.name) for c in checks)
    lines = [f"{'check'.ljust(name_w)}  status   detail", f"{'-' * name_w}  -------  ------"]
    for c in checks:
        lines.append(f"{c.name.ljust(name_w)}  {c.status.value.ljust(7)}  {c.detail}")
    return "\n".join(lines)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "doctor",
        help="show which encoders, decoders, GPU parts, fonts and services work here",
        description="Probe this machine by opening things (NVENC and NVDEC sessions, CuPy, "
        "fonts, Chromium, Redis) and print what works. Exit 0 when the CPU render path works.",
    )
    parser.add_argument("--json", action="store_true", help="print the checks as JSON")
    add_font_dir_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    checks = run_checks(_redis_url_if_set(), font_dirs(args))
    usable = cpu_path_usable(checks)
    if args.json:
        payload = {"cpu_path_usable": usable, "checks": [asdict(c) for c in checks]}
        print(json.dumps(payload, indent=1))
    else:
        print(format_table(checks))
        print()
        print(summary(checks))
    return 0 if usable else 1
