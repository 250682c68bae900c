"""Encode stage: the output container, its video encoder and its audio stream.

:class:`OutputFile` makes the write atomic: everything goes to a temporary name in the
destination folder, renamed over the destination only by ``publish()``; ``discard()``
removes it. :class:`VideoWriter` owns the PyAV output container and is used by one thread.

Every PyAV exception raised while opening, encoding or muxing is translated here, once:
disk full / not writable -> StorageError, anything else -> EncodeError.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

from engine.audio import AudioOutput
from engine.decode import ColorInfo
from engine.video_options import VideoOptions
from motiontext.errors import EncodeError, InputError, StorageError

FORMAT_BY_SUFFIX = {".mp4": "mp4", ".mov": "mov", ".webm": "webm"}
_NVENC = ("h264_nvenc", "hevc_nvenc")
_STORAGE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EROFS, errno.EIO}


def output_format(path: str | Path) -> str:
    """The container for ``path``'s suffix ("mp4", "mov", "webm"); InputError otherwise."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMAT_BY_SUFFIX:
        raise InputError(f"output must end in {', '.join(FORMAT_BY_SUFFIX)}, but is {str(path)!r}")
    return FORMAT_BY_SUFFIX[suffix]


@functools.cache
def encoder_opens(codec: str) -> bool:
    """Whether an encoder session of ``codec`` really opens here (listing proves nothing:
    NVENC is listed on machines without a GPU). Tries a tiny context once per process."""
    try:
        ctx = av.CodecContext.create(codec, "w")
        ctx.width, ctx.height, ctx.pix_fmt = 256, 256, "yuv420p"
        ctx.time_base = Fraction(1, 30)
        ctx.open()
    except Exception:  # noqa: BLE001 (any failure means "not usable here")
        return False
    return True


@functools.cache
def nvenc_takes_device_frames(codec: str) -> bool:
    """Whether ``codec`` (NVENC) encodes CUDA NV12 frames imported from CuPy through DLPack,
    set up exactly as VideoWriter does for device input. Proven by encoding a few frames once
    per process: only then are composited frames handed over without a download."""
    if codec not in _NVENC:
        return False
    try:
        import cupy  # type: ignore[import-not-found]

        ctx = av.CodecContext.create(codec, "w", hwaccel=_nvenc_hwaccel())
        ctx.width, ctx.height, ctx.pix_fmt = 256, 256, "nv12"
        ctx.time_base = Fraction(1, 30)
        packets = []
        for index in range(3):
            y = cupy.full((256, 256), 16 + 60 * index, cupy.uint8)
            uv = cupy.full((128, 128, 2), 128, cupy.uint8)
            frame = av.VideoFrame.from_dlpack((y, uv), format="nv12")
            frame.pts = index
            packets += ctx.encode(frame)
        packets += ctx.encode(None)
    except Exception:  # noqa: BLE001 (any failure means "download instead")
        return False
    return len(packets) > 0


def _nvenc_hwaccel() -> Any:
    """NVENC on CUDA's primary context: the one CuPy's arrays (and so the frames) live in."""
    from av.codec.hwaccel import HWAccel

    return HWAccel("cuda", options={"primary_ctx": "1"})


def choose_encoder(requested: str, fmt: str) -> str:
    """Resolve ``auto`` and check the pair (encoder, container) makes sense."""
    if fmt == "webm":
        if requested not in ("auto", "libvpx-vp9"):
            raise InputError(f"webm output needs encoder libvpx-vp9 (or auto), but is {requested}")
        return "libvpx-vp9"
    if requested == "auto":
        return "h264_nvenc" if encoder_opens("h264_nvenc") else "libx264"
    return requested


def encoder_settings(codec: str, options: VideoOptions) -> dict[str, str]:
    """Private options for ``codec`` (constant-quality rate control, preset)."""
    quality = str(options.rate_control_value(codec))
    preset = options.encoder_preset(codec)
    if codec == "libx264":
        return {"crf": quality, "preset": preset}
    if codec in _NVENC:
        return {"preset": preset, "tune": "hq", "rc": "vbr", "cq": quality}
    # VP9: constant quality needs b:v 0; speeds 5+ are only honoured by the realtime deadline.
    deadline = "realtime" if int(preset) >= 5 else "good"
    return {"crf": quality, "b": "0", "deadline": deadline, "cpu-used": preset, "row-mt": "1"}


@contextlib.contextmanager
def translate_encode_errors(what: str) -> Iterator[None]:
    """The encode side's one boundary from PyAV exceptions to the project's error tree."""
    try:
        yield
    except (EncodeError, StorageError, InputError):
        raise
    except (av.error.FFmpegError, OSError, ValueError, TypeError) as exc:
        detail = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        if isinstance(exc, OSError) and exc.errno in _STORAGE_ERRNOS:
            raise StorageError(f"cannot write the output ({what}): {detail}") from exc
        raise EncodeError(f"{what} failed: {detail}") from exc


class OutputFile:
    """A temporary file next to ``destination``, published by atomic rename.

    The destination folder must exist (InputError otherwise). Until ``publish()``,
    nothing appears at ``destination``; ``discard()`` is safe to call more than once.
    """

    def __init__(self, destination: str | Path):
        self.destination = Path(destination)
        folder = self.destination.parent
        if not folder.is_dir():
            raise InputError(f"output folder does not exist: {str(folder)!r}")
        # Not mkstemp: its 0600 mode would survive the rename; O_EXCL keeps the name ours.
        name = f".{self.destination.stem}.{secrets.token_hex(6)}.part{self.destination.suffix}"
        self.temp_path = folder / name
        try:
            os.close(os.open(self.temp_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except OSError as exc:
            raise StorageError(f"cannot create a file in {str(folder)!r}: {exc.strerror}") from exc

    def publish(self) -> int:
        """Rename the finished file onto the destination; returns its size in bytes."""
        try:
            size = self.temp_path.stat().st_size
            os.replace(self.temp_path, self.destination)
        except OSError as exc:
            raise StorageError(f"cannot publish {str(self.destination)!r}: {exc.strerror}") from exc
        return size

    def discard(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.temp_path.unlink()


@dataclass(frozen=True, slots=True)
class VideoSpec:
    """The output video stream: size in pixels, ``time_base`` of the pts the caller sets,
    nominal ``rate`` (frames per second, for rate control) and the colour tags to write."""

    width: int
    height: int
    time_base: Fraction
    rate: Fraction
    color: ColorInfo


class VideoWriter:
    """Output container + video encoder (+ audio stream), opened at construction.

    Frames passed to ``write_frame`` must be yuv420p (CUDA NV12 with ``device_frames``) at the
    spec's size with ``pts`` set in ``spec.time_base``; the writer takes ownership. Raises EncodeError/StorageError.
    """

    def __init__(
        self,
        path: Path,
        fmt: str,
        codec: str,
        spec: VideoSpec,
        options: VideoOptions,
        audio_source: Any = None,
        device_frames: bool = False,
    ):
        """``device_frames``: frames come as CUDA NV12 frames (DLPack) for NVENC, which must
        have passed nvenc_takes_device_frames."""
        self.codec = codec
        self.spec = spec
        self.device_frames = device_frames
        container_options = {"movflags": "+faststart"} if fmt in ("mp4", "mov") else {}
        with translate_encode_errors("opening the output"):
            self._container = av.open(str(path), mode="w", format=fmt, options=container_options)
        try:
            with translate_encode_errors(f"opening encoder {codec}"):
                self._video = self._add_video_stream(codec, spec, options, fmt)
                self.audio = (
                    AudioOutput(self._container, audio_source, fmt) if audio_source else None
                )
                self._container.start_encoding()  # opens encoders, writes the header
        except BaseException:
            self.abort()
            raise

    def _add_video_stream(
        self, codec: str, spec: VideoSpec, options: VideoOptions, fmt: str
    ) -> Any:
        hwaccel = {"hwaccel": _nvenc_hwaccel()} if self.device_frames else {}
        stream = self._container.add_stream(
            codec, rate=spec.rate, options=encoder_settings(codec, options), **hwaccel
        )
        cc = stream.codec_context
        stream.width, stream.height = spec.width, spec.height
        stream.pix_fmt = "nv12" if self.device_frames else "yuv420p"
        stream.time_base = spec.time_base
        cc.time_base = spec.time_base
        cc.bit_rate = 0  # constant quality: a bit rate would switch x264/VP9 to ABR
        cc.thread_count = 0  # encoder picks its thread count from the cores
        color = spec.color
        cc.colorspace, cc.color_range = color.colorspace, color.color_range
        cc.color_primaries, cc.color_trc = color.color_primaries, color.color_trc
        if codec == "hevc_nvenc" and fmt in ("mp4", "mov"):
            stream.codec_tag = "hvc1"  # what Apple players require for HEVC
        return stream

    def write_frame(self, frame: av.VideoFrame) -> None:
        """Encode one frame and mux what the encoder releases."""
        frame.pict_type = 0  # decoded frames keep their type; x264 would make all keyframes
        frame.time_base = self.spec.time_base
        color = self.spec.color
        frame.colorspace, frame.color_range = color.colorspace, color.color_range
        with translate_encode_errors(f"encoding with {self.codec}"):
            for packet in self._video.encode(frame):
                self._container.mux(packet)

    def write_audio(self, packet: av.Packet) -> None:
        if self.audio is None:
            return
        with translate_encode_errors("writing audio"):
            self.audio.push(packet)

    def finish(self) -> None:
        """Flush encoders and write the trailer (mp4/mov: the faststart rewrite)."""
        with translate_encode_errors(f"finishing the {self.codec} stream"):
            for packet in self._video.encode(None):
                self._container.mux(packet)
            if self.audio is not None:
                self.audio.finish()
            self._container.close()

    def abort(self) -> None:
        """Close without caring about errors (the file is discarded after)."""
        with contextlib.suppress(Exception):
            self._container.close()
