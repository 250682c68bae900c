"""NVDEC decoding through PyAV's CUDA hwaccel: does it open here, and the hwaccel to open with.

Listing is not proof (FFmpeg lists the CUDA device type on machines without a GPU), so the
probe decodes a tiny H.264 stream with software fallback disabled, once per process.
"""

from __future__ import annotations

import ctypes
import functools
from fractions import Fraction
from typing import Any

from motiontext.errors import InputError

DECODERS = ("cpu", "nvdec", "auto")


def error_text(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"


def tiny_h264_packets(frames: int = 3) -> list:
    """A few libx264 packets of a 256x256 grey clip, made in memory."""
    import av
    import numpy as np

    enc = av.CodecContext.create("libx264", "w")
    enc.width, enc.height, enc.pix_fmt = 256, 256, "yuv420p"
    enc.time_base = Fraction(1, 30)
    enc.options = {"preset": "ultrafast", "tune": "zerolatency"}
    packets = []
    planes = np.full((384, 256), 128, np.uint8)
    for index in range(frames):
        frame = av.VideoFrame.from_ndarray(planes, format="yuv420p")
        frame.pts = index
        packets += enc.encode(frame)
    packets += enc.encode(None)
    return packets


@functools.cache
def probe_nvdec() -> tuple[bool, str]:
    """(opened, detail): decode a tiny H.264 stream with the CUDA hwaccel, no fallback.
    Once per process: the answer does not change while it runs."""
    import av
    from av.codec.hwaccel import HWAccel

    try:
        hwaccel = HWAccel("cuda", allow_software_fallback=False)
        dec = av.CodecContext.create("h264", "r", hwaccel=hwaccel)
        decoded = []
        for packet in tiny_h264_packets():
            decoded += dec.decode(packet)
        decoded += dec.decode(None)
    except Exception as exc:  # noqa: BLE001 (any failure means "does not open here")
        return False, error_text(exc)
    if not decoded:
        return False, "the CUDA decoder returned no frame"
    if not getattr(dec, "is_hwaccel", True):
        return False, "the decoder fell back to software"
    return True, f"decoded {len(decoded)} frames via CUDA hwaccel ({decoded[0].format.name})"


def nvdec_opens() -> bool:
    return probe_nvdec()[0]


def resolve_decoder(name: str) -> str:
    """The decoder to use, "cpu" or "nvdec", for a requested one; "auto" takes NVDEC when it opens here."""
    if name not in DECODERS:
        raise InputError(f'"decoder" must be one of {", ".join(DECODERS)}, but is {name!r}')
    if name == "cpu":
        return "cpu"
    if nvdec_opens():
        return "nvdec"
    if name == "nvdec":
        raise InputError(f'decoder "nvdec" was asked for, but does not open: {probe_nvdec()[1]}')
    return "cpu"


# CU_CTX_SCHED_BLOCKING_SYNC: the only flags FFmpeg accepts on a CUDA primary context it shares.
_FFMPEG_PRIMARY_CONTEXT_FLAGS = 0x4


def _cuda_device(device: int) -> tuple[Any, Any] | None:
    """(libcuda, device handle) from the CUDA driver; None when no driver answers."""
    try:
        cuda = ctypes.CDLL("libcuda.so.1")
    except OSError:
        return None
    handle = ctypes.c_int()
    if cuda.cuInit(0) or cuda.cuDeviceGet(ctypes.byref(handle), device):
        return None
    return cuda, handle


def primary_context_state(device: int = 0) -> tuple[int, bool] | None:
    """(flags, active) of the device's CUDA primary context, from the driver; None when no
    CUDA driver answers."""
    found = _cuda_device(device)
    if found is None:
        return None
    cuda, handle = found
    flags, active = ctypes.c_uint(), ctypes.c_int()
    if cuda.cuDevicePrimaryCtxGetState(handle, ctypes.byref(flags), ctypes.byref(active)):
        return None
    return flags.value, bool(active.value)


def match_ffmpeg_context_flags(device: int = 0) -> bool:
    """Give the device's CUDA primary context the scheduling flags FFmpeg insists on; True
    when they match afterwards. Decoded pictures reach CuPy only through that shared context,
    and FFmpeg refuses to join one with other flags (EOPNOTSUPP, seen on an H100 once CuPy
    had created it with its defaults). The driver (CUDA >= 11) changes them even while the
    context is active. Blocking sync also lets a waiting thread sleep instead of spinning."""
    state = primary_context_state(device)
    if state is not None and state[0] != _FFMPEG_PRIMARY_CONTEXT_FLAGS:
        cuda, handle = _cuda_device(device)  # type: ignore[misc] (it answered just now)
        cuda.cuDevicePrimaryCtxSetFlags_v2(handle, _FFMPEG_PRIMARY_CONTEXT_FLAGS)
        state = primary_context_state(device)
    return state is not None and state[0] == _FFMPEG_PRIMARY_CONTEXT_FLAGS


def nvdec_hwaccel(keep_on_device: bool) -> Any:
    """The hwaccel for av.open. Streams NVDEC cannot take (some profiles, other codecs) fall
    back to the CPU decoder. ``keep_on_device`` leaves decoded pictures in GPU memory (PyAV
    then shares CUDA's primary context with CuPy)."""
    from av.codec.hwaccel import HWAccel

    return HWAccel("cuda", allow_software_fallback=True, is_hw_owned=keep_on_device)
