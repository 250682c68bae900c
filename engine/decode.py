"""Decode stage: open a local path or http(s) URL and stream normalised video frames.

Contract of what comes out of :meth:`VideoInput.read`, in presentation order:

* :class:`DecodedFrame`: a ``yuv420p`` ``av.VideoFrame`` at the requested output size, upright
  (display-matrix rotation applied), in the source's matrix and range (:class:`ColorInfo`),
  with ``pts`` in the source stream's ``time_base``. The receiver owns the frame; it may share
  its buffers with the decoder's reference frames, so call ``make_writable()`` before writing
  into its planes (see :func:`plane_arrays`).
* ``av.Packet``: an undecoded packet of the source's first audio stream, for remux/transcode.

Every PyAV exception raised while opening or decoding is translated here, once, into the
project's error tree: missing file -> InputError, URL refused -> DownloadError, anything the
demuxer or decoder rejects -> DecodeError.
"""

from __future__ import annotations

import contextlib
import os
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from types import ModuleType
from typing import Any

import av
import numpy as np

from engine.cancel import CancelToken
from engine.device_frames import DeviceFrame, adopt_device_picture, is_device_picture
from engine.nvdec import nvdec_hwaccel
from engine.planes import plane_arrays
from motiontext.errors import DecodeError, DownloadError, InputError

# AVColorSpace / AVColorRange / AVColorPrimaries / AVColorTransferCharacteristic tag values.
_SPC_BT709, _SPC_BT470BG, _SPC_SMPTE170M, _SPC_BT2020_NCL, _SPC_BT2020_CL = 1, 5, 6, 9, 10
_RANGE_MPEG, _RANGE_JPEG = 1, 2
_UNSPECIFIED = 2  # AVCOL_PRI/TRC/SPC_UNSPECIFIED
_ATTACHED_PIC = 0x0400  # AV_DISPOSITION_ATTACHED_PIC: a cover image, not the video
_SWS_COLORSPACE = {"bt601": "ITU601", "bt709": "ITU709", "bt2020": "BT2020"}
# A decoded video this much shorter than its header declares was cut short.
_TRUNCATED_MIN_SECONDS = 1.0
_TRUNCATED_MIN_FRACTION = 0.10


@dataclass(frozen=True, slots=True)
class ColorInfo:
    """How the source's YUV relates to RGB, and the tags the output must carry to match.

    ``matrix`` is "bt601", "bt709" or "bt2020"; ``full_range`` is JPEG (0..255) vs MPEG
    (16..235/240) levels. Untagged sources get BT.709 from 720 lines up, else BT.601, and the
    output is tagged explicitly with that guess so players and the compositor agree.
    """

    matrix: str
    full_range: bool
    colorspace: int
    color_range: int
    color_primaries: int
    color_trc: int

    @property
    def sws_colorspace(self) -> str:
        return _SWS_COLORSPACE[self.matrix]

    @property
    def sws_range(self) -> str:
        return "JPEG" if self.full_range else "MPEG"


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """What the pipeline needs to know about the input before the first frame.

    ``width``/``height`` are the displayed (upright) size. ``rate`` is the average frame rate
    (frames per second, exact), used for encoder rate control and estimates only: frame
    timing always follows each frame's pts. ``frames_estimate`` may be None when unknown.
    """

    url: str  # as display_url() shows it
    container_format: str
    codec_name: str
    width: int
    height: int
    time_base: Fraction
    start_pts: int
    rate: Fraction
    duration_seconds: float | None
    frames_estimate: int | None
    rotation_degrees: int  # counter-clockwise turn applied to make frames upright: 0/90/180/270
    color: ColorInfo
    audio_stream: Any  # av.AudioStream | None: owned by the VideoInput, read only by the muxer


@dataclass(slots=True)
class DecodedFrame:
    """One normalised source frame; ``pts`` and ``duration`` in SourceInfo.time_base (the
    duration falls back to one nominal frame when the container does not say)."""

    frame: av.VideoFrame | DeviceFrame
    pts: int
    duration: int


@contextlib.contextmanager
def translate_decode_errors(url: str, what: str = "read") -> Iterator[None]:
    """The decode side's one boundary from PyAV exceptions to the project's error tree."""
    url = display_url(url)
    try:
        yield
    except (InputError, DecodeError):
        raise
    except av.error.FileNotFoundError as exc:
        raise InputError(f"input not found: {url!r}") from exc
    except av.error.PermissionError as exc:
        raise InputError(f"input not readable (permission denied): {url!r}") from exc
    except (
        av.error.HTTPClientError,
        av.error.HTTPServerError,
        av.error.HTTPError,
        av.error.ConnectionRefusedError,
    ) as exc:
        raise DownloadError(f"cannot download {url!r}: {exc.strerror or exc}") from exc
    except (av.error.ExitError, TimeoutError) as exc:  # PyAV's timeouts interrupt as EXIT
        raise DownloadError(f"cannot download {url!r}: timed out") from exc
    except (av.error.FFmpegError, OSError, EOFError, ValueError) as exc:
        detail = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise DecodeError(
            f"cannot {what} {url!r}: expected a readable video, but {detail}"
        ) from exc


def _is_url(url: str) -> bool:
    return url.startswith(("http://", "https://"))


def display_url(url: str) -> str:
    """``url`` fit for messages and logs: presigned queries and credentials removed."""
    if not _is_url(url):
        return url
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, "", ""))


def _color_info(frame: av.VideoFrame, height: int) -> ColorInfo:
    """From the first decoded frame's tags (decoders copy the stream's tags onto frames)."""
    spc = int(frame.colorspace or 0)
    pix_fmt = frame.format.name
    if spc == _SPC_BT709:
        matrix = "bt709"
    elif spc in (_SPC_BT470BG, _SPC_SMPTE170M):
        matrix = "bt601"
    elif spc in (_SPC_BT2020_NCL, _SPC_BT2020_CL):
        matrix = "bt2020"
    else:  # untagged: the common player convention
        matrix = "bt709" if height >= 720 else "bt601"
    full = int(frame.color_range or 0) == _RANGE_JPEG or pix_fmt.startswith("yuvj")
    default_tag = {"bt709": 1, "bt601": _SPC_SMPTE170M, "bt2020": _SPC_BT2020_NCL}[matrix]
    tag_spc = spc if spc in (1, 5, 6, 9, 10) else default_tag
    prim = int(frame.color_primaries or 0)
    trc = int(frame.color_trc or 0)
    return ColorInfo(
        matrix=matrix,
        full_range=full,
        colorspace=tag_spc,
        color_range=_RANGE_JPEG if full else _RANGE_MPEG,
        color_primaries=prim if prim not in (0, _UNSPECIFIED) else default_tag,
        color_trc=trc if trc not in (0, _UNSPECIFIED) else default_tag,
    )


def _input_error(exc: BaseException) -> bool:
    """Whether an error opening with a hwaccel is the input's fault (retrying without the
    hwaccel would fail the same way, or wait out the same timeout again)."""
    return isinstance(exc, (FileNotFoundError, TimeoutError, ConnectionError))


class VideoInput:
    """An opened input. Not thread-safe: after construction, only one thread may call read().

    The constructor opens the input and decodes its first video frame (rotation and colour
    tags live on frames), so unreadable inputs fail before any output exists. It raises
    InputError (missing file), DownloadError (URL unreachable) or DecodeError (not a video,
    no video stream, no decodable frame).
    """

    def __init__(
        self,
        url: str,
        *,
        open_timeout: float = 15.0,
        read_timeout: float = 60.0,
        decoder: str = "cpu",
        device_xp: ModuleType | None = None,
    ):
        """``decoder`` is "cpu" or "nvdec" (resolved: see engine.nvdec.resolve_decoder). With
        NVDEC and ``device_xp`` (CuPy), frames that need no rotation or scaling stay in GPU
        memory and come out as DeviceFrame; everything else comes out as host frames."""
        self.url = url
        self.decoder = decoder
        self.name = display_url(url)  # for messages: no presigned query
        timeout = (open_timeout, read_timeout) if _is_url(url) else None
        if not _is_url(url) and os.path.isfile(url) and os.path.getsize(url) == 0:
            raise DecodeError(
                f"cannot open {url!r}: expected a video file, but it is empty (0 bytes)"
            )
        self._device_xp = device_xp if decoder == "nvdec" else None
        self._open(timeout)
        if self._device_xp is not None and not self._first_picture_is_nv12():
            # 10-bit or 4:2:2 pictures: let FFmpeg download them, as it does without CuPy.
            self.close()
            self._device_xp = None
            self._open(timeout)
        self.decoder_used = self._decoder_used()

    def _open(self, timeout: Any) -> None:
        """Open the container with the best decoding this machine allows (NVDEC keeping
        pictures on the GPU, NVDEC downloading them, else the CPU decoder), then probe it."""
        with translate_decode_errors(self.url, "open"):
            self._container = self._open_container(timeout)
        try:
            self._pending: list[Any] = []
            self._video_stream, self._audio_stream = self._pick_streams()
            self._raw = self._decode_raw()
            self.info = self._probe()
        except BaseException:
            self._container.close()
            raise

    def _open_container(self, timeout: Any) -> Any:
        if self.decoder == "nvdec":
            try:
                hwaccel = nvdec_hwaccel(keep_on_device=self._device_xp is not None)
                return av.open(self.url, mode="r", timeout=timeout, hwaccel=hwaccel)
            except av.FFmpegError as exc:  # e.g. CUDA's context cannot be shared with CuPy
                if _input_error(exc):
                    raise
                self.decoder, self._device_xp = "cpu", None
        return av.open(self.url, mode="r", timeout=timeout)

    def pictures_stay_on_device(self, size: tuple[int, int]) -> bool:
        """Whether every frame read at ``size`` comes out as a DeviceFrame."""
        info = self.info
        return (
            self.decoder_used == "nvdec+gpu"
            and not info.rotation_degrees
            and (info.width, info.height) == size
        )

    def _first_picture_is_nv12(self) -> bool:
        """Whether the first decoded picture can be composited in GPU memory (8-bit NV12), or
        is a host picture anyway (NVDEC fell back to the CPU for this stream)."""
        first = next(item for item in self._pending if isinstance(item, av.VideoFrame))
        return not is_device_picture(first) or first.sw_format.name == "nv12"

    def _pick_streams(self) -> tuple[Any, Any]:
        """FFmpeg's best video stream (cover art comes last) and the audio stream that goes
        with it."""
        c = self._container
        with translate_decode_errors(self.url, "probe"):
            video = c.streams.best("video") if c.streams.video else None
            if video is None or video.disposition & _ATTACHED_PIC:
                kinds = ", ".join(sorted({s.type for s in c.streams})) or "none"
                raise DecodeError(f"{self.name!r} has no video stream (streams: {kinds})")
            audio = c.streams.best("audio", video) if c.streams.audio else None
        return video, audio

    def _probe(self) -> SourceInfo:
        c = self._container
        with translate_decode_errors(self.url, "probe"):
            vs = self._video_stream
            cc = vs.codec_context
            if not cc.width or not cc.height:
                raise DecodeError(f"{self.name!r}: the video stream has no frame size")
            tb = Fraction(vs.time_base) if vs.time_base else Fraction(1, 90000)
            rate = Fraction(vs.average_rate or vs.guessed_rate or vs.base_rate or 30)
            duration = None
            if vs.duration:
                duration = float(vs.duration * tb)
            elif c.duration:
                duration = c.duration / 1_000_000
            frames = int(vs.frames) if vs.frames else (round(duration * rate) if duration else None)
            first = self._peek_first_frame()
            ccw = round((first.rotation or 0) / 90) * 90 % 360
            w, h = int(first.width), int(first.height)
            if ccw in (90, 270):
                w, h = h, w
            return SourceInfo(
                url=self.name,
                container_format=c.format.name,
                codec_name=cc.name,
                width=w,
                height=h,
                time_base=tb,
                start_pts=int(vs.start_time) if vs.start_time is not None else 0,
                rate=rate,
                duration_seconds=duration,
                frames_estimate=frames,
                rotation_degrees=ccw,
                color=_color_info(first, h),
                audio_stream=self._audio_stream,
            )

    def _decoder_used(self) -> str:
        """The decoding that runs: "cpu", "nvdec" (pictures downloaded) or "nvdec+gpu" (kept
        in GPU memory), as the first frame was decoded (NVDEC may have fallen back to the CPU
        for this stream)."""
        if self.decoder == "cpu" or not self._video_stream.codec_context.is_hwaccel:
            return "cpu"
        return "nvdec+gpu" if self._device_xp is not None else "nvdec"

    def _peek_first_frame(self) -> av.VideoFrame:
        for item in self._raw:
            self._pending.append(item)
            if isinstance(item, av.VideoFrame):
                return item
        raise DecodeError(f"{self.name!r}: the video stream has no decodable frames")

    def _decode_raw(self) -> Iterator[av.VideoFrame | av.Packet]:
        """Decoded video frames and audio packets in demux order (PyAV errors untranslated)."""
        streams = [self._video_stream]
        if self._audio_stream is not None:
            streams.append(self._audio_stream)
        self._video_stream.thread_type = "AUTO"
        for packet in self._container.demux(streams):
            if packet.stream.type == "audio":
                if packet.dts is not None and packet.size:
                    yield packet
                continue
            yield from packet.decode()

    def read(
        self, size: tuple[int, int], cancel: CancelToken | None = None
    ) -> Iterator[DecodedFrame | av.Packet]:
        """Decode to the end, yielding frames at ``size`` (even sides) and raw audio packets.

        Checks ``cancel`` once per frame. Raises DecodeError on corrupt or truncated input.
        """
        info = self.info
        nominal = max(1, round(1 / (info.rate * info.time_base)))  # one frame, in pts units
        last_pts: int | None = None
        last_end: int | None = None
        with translate_decode_errors(self.url, "decode"):
            while True:
                item = self._pending.pop(0) if self._pending else next(self._raw, None)
                if item is None:
                    break
                if not isinstance(item, av.VideoFrame):
                    yield item
                    continue
                if cancel is not None:
                    cancel.raise_if_cancelled()
                pts = item.pts if item.pts is not None else item.dts
                if pts is None:  # raw streams without timestamps: keep the nominal rate
                    pts = info.start_pts if last_pts is None else last_pts + nominal
                if last_pts is not None and pts <= last_pts:  # broken files: keep pts increasing
                    pts = last_pts + 1
                duration = int(item.duration or 0) or nominal
                last_pts, last_end = pts, pts + duration
                yield DecodedFrame(self._normalise(item, size), pts, duration)
        self._check_complete(last_end)

    def _check_complete(self, last_end: int | None) -> None:
        """Demuxers end quietly when a file is cut at a packet boundary: compare with the
        header's declared duration."""
        info = self.info
        if info.duration_seconds is None or last_end is None:
            return
        decoded = float((last_end - info.start_pts) * info.time_base)
        missing = info.duration_seconds - decoded
        if missing > max(_TRUNCATED_MIN_SECONDS, _TRUNCATED_MIN_FRACTION * info.duration_seconds):
            raise DecodeError(
                f"{self.name!r} is truncated: expected {info.duration_seconds:.2f} s of video, "
                f"but it ends after {decoded:.2f} s"
            )

    def _normalise(
        self, frame: av.VideoFrame, size: tuple[int, int]
    ) -> av.VideoFrame | DeviceFrame:
        """yuv420p, upright, at ``size``; the source matrix and range are kept (no conversion).
        A picture in GPU memory stays there when it needs neither."""
        if is_device_picture(frame):
            device = adopt_device_picture(frame, self._device_xp)
            if self.pictures_stay_on_device(size):
                return device
            frame = device.download(self._device_xp)
        color = self.info.color
        if self.info.rotation_degrees:
            frame = rotate_frame(frame, self.info.rotation_degrees, color)
        if frame.format.name == "yuv420p" and (frame.width, frame.height) == size:
            return frame
        return frame.reformat(
            width=size[0],
            height=size[1],
            format="yuv420p",
            src_colorspace=color.sws_colorspace,
            dst_colorspace=color.sws_colorspace,
            src_color_range=color.sws_range,
            dst_color_range=color.sws_range,
            interpolation="BICUBIC",
        )

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._raw.close()
        with contextlib.suppress(Exception):
            self._container.close()


def rotate_frame(frame: av.VideoFrame, ccw_degrees: int, color: ColorInfo) -> av.VideoFrame:
    """A new yuv420p frame turned counter-clockwise by 90/180/270 degrees, as a display matrix
    asks (FFmpeg's convention). Costs one copy."""
    if frame.format.name != "yuv420p":
        frame = frame.reformat(
            format="yuv420p",
            src_colorspace=color.sws_colorspace,
            dst_colorspace=color.sws_colorspace,
            src_color_range=color.sws_range,
            dst_color_range=color.sws_range,
        )
    k = ccw_degrees // 90  # np.rot90 turns counter-clockwise for k > 0
    planes = [np.rot90(p, k) for p in plane_arrays(frame)]
    h, w = planes[0].shape
    out = av.VideoFrame(w - w % 2, h - h % 2, "yuv420p")
    for dst, src in zip(plane_arrays(out), planes):
        dst[...] = src[: dst.shape[0], : dst.shape[1]]
    out.pts, out.time_base = frame.pts, frame.time_base
    return out
