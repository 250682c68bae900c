"""Frames kept in GPU memory: NVDEC pictures as CuPy NV12 arrays.

With ``is_hw_owned`` PyAV leaves decoded pictures on the GPU and exports their planes through
DLPack. The decode stage copies each picture into arrays of its own at once, so frames waiting
in the queues never hold the decoder's small surface pool; the composite stage blends into
those arrays in place (U and V are strided views of the interleaved plane) and downloads the
result as a host yuv420p frame for a CPU encoder (H100/H200 have NVDEC but no NVENC: this one
download per frame is the only copy back there), or hands it to NVENC through DLPack where
``engine.encode.nvenc_takes_device_frames`` proves that works.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Any

import av
import numpy as np

from engine.planes import plane_arrays


@dataclass(slots=True)
class DeviceFrame:
    """An NV12 picture on the GPU: ``y`` (H, W) and ``uv`` (H/2, W/2, 2) uint8 arrays."""

    y: Any
    uv: Any

    @property
    def width(self) -> int:
        return int(self.y.shape[1])

    @property
    def height(self) -> int:
        return int(self.y.shape[0])

    def planes(self) -> tuple[Any, Any, Any]:
        """Writable (Y, U, V) views, in the compositor's plane order."""
        return self.y, self.uv[..., 0], self.uv[..., 1]

    def copy(self) -> DeviceFrame:
        return DeviceFrame(self.y.copy(), self.uv.copy())

    def to_cuda_frame(self) -> av.VideoFrame:
        """A CUDA NV12 av.VideoFrame sharing these arrays (DLPack, no copy), for NVENC. The
        frame keeps the arrays alive until the encoder lets it go."""
        return av.VideoFrame.from_dlpack((self.y, self.uv), format="nv12")

    def download(self, xp: ModuleType) -> av.VideoFrame:
        """A new host yuv420p frame with these pixels."""
        out = av.VideoFrame(self.width, self.height, "yuv420p")
        y, u, v = plane_arrays(out)
        np.copyto(y, xp.asnumpy(self.y))
        # De-interleave on the device: contiguous U and V travel as two plain copies.
        np.copyto(u, xp.asnumpy(xp.ascontiguousarray(self.uv[..., 0])))
        np.copyto(v, xp.asnumpy(xp.ascontiguousarray(self.uv[..., 1])))
        return out


class _PlaneExport:
    """A CUDA plane for ``xp.from_dlpack``. PyAV exports only with ``stream=None`` (the caller
    synchronises first), while CuPy passes its current stream; this drops that argument."""

    def __init__(self, plane: Any):
        self._plane = plane

    def __dlpack_device__(self) -> tuple[int, int]:
        return self._plane.__dlpack_device__()

    def __dlpack__(self, stream: Any = None, **_: Any) -> Any:
        return self._plane.__dlpack__(stream=None)


def is_device_picture(frame: av.VideoFrame) -> bool:
    """Whether ``frame`` is a CUDA picture left in GPU memory by the decoder."""
    return frame.format.name == "cuda"


def adopt_device_picture(frame: av.VideoFrame, xp: ModuleType) -> DeviceFrame:
    """Copy a decoded CUDA NV12 picture into arrays owned by ``xp`` (CuPy)."""
    xp.cuda.runtime.deviceSynchronize()  # the decoder's copy into its surface must be done
    y = xp.from_dlpack(_PlaneExport(frame.planes[0]))
    uv = xp.from_dlpack(_PlaneExport(frame.planes[1]))
    return DeviceFrame(y.copy(), uv.copy())
