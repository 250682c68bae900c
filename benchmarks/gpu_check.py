"""GPU checks for a lent H100/H200 (run by ``benchmarks/gpu_check.sh``; needs no network).

Sections, each independent (a missing import skips that section with the reason):

1. ``doctor``: what opens (NVENC, NVDEC, CuPy, fonts...), as ``ecg-render doctor`` prints it.
2. ``composite``: the engine's Compositor on CuPy vs numpy at 1920x1080, on a caption-band
   overlay and a full-frame overlay, same frames: bit-exact, or the largest difference and
   how many samples differ (tolerance: at most 1 level on at most 0.1 % of samples, from
   float32 rounding order in cuBLAS vs OpenBLAS). Two GPU variants: host planes (only the
   bbox travels) and an NV12 picture already in GPU memory (the NVDEC path). Then the time
   per composite on each.
3. ``dlpack``: an NV12 frame made in GPU memory by CuPy handed to PyAV's
   ``VideoFrame.from_dlpack`` (what an NVENC path would consume).
4. ``nvdec``: a generated 1080p H.264 clip decoded through PyAV's CUDA hwaccel (no software
   fallback) vs the CPU decoder: frames/s, and whether the pictures are identical; both with
   pictures downloaded by FFmpeg and kept in GPU memory (``engine.device_frames``).
5. ``render``: ``render_video`` on that clip as (numpy, CPU decode), (CuPy, CPU decode) and
   (CuPy, NVDEC, pictures kept on the GPU), encoded on the CPU (libx264; H100/H200 have no
   NVENC): decoded outputs compared with the numpy render, times.

Prints a report and writes JSON (``--json PATH``). ``--fake-gpu`` runs the CuPy code paths
with numpy behind a CuPy-like shim, to dry-run this script on a machine without a GPU.
Exit 0 when every section that could run passed its check.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

WIDTH, HEIGHT = 1920, 1080
TOLERANCE_LEVELS = 1
TOLERANCE_FRACTION = 0.001


class FakeCupy(ModuleType):
    """numpy posing as CuPy (``xp is not np`` so the engine takes its device branches)."""

    def __init__(self) -> None:
        super().__init__("fakecupy")
        self.__version__ = "fake (numpy " + np.__version__ + ")"

    def __getattr__(self, name: str) -> Any:
        return getattr(np, name)

    @staticmethod
    def asnumpy(array: Any) -> np.ndarray:
        return np.asarray(array)

    @staticmethod
    def synchronize() -> None:
        return None

    @staticmethod
    def ascontiguousarray(array: Any) -> np.ndarray:
        return np.ascontiguousarray(array)


def _gpu_module(fake: bool) -> tuple[Any, Callable[[], None]]:
    """(array module, synchronize) for the GPU side; raises when CuPy is unusable."""
    if fake:
        shim = FakeCupy()
        return shim, shim.synchronize
    from engine.composite import array_module

    cupy = array_module("cupy")  # as the engine sets it up (context flags shared with FFmpeg)
    return cupy, cupy.cuda.Device().synchronize


# --- overlays and frames -----------------------------------------------------------------------


def synthetic_overlay(kind: str, seed: int = 3) -> Any:
    """A premultiplied RGBA Overlay at 1080p: ``band`` = a caption box (0.9 black with
    anti-aliased edges, white glyph-like strokes), ``full`` = every pixel partly covered."""
    from engine.overlay_types import Overlay

    rng = np.random.default_rng(seed)
    rgba = np.zeros((HEIGHT, WIDTH, 4), np.uint8)
    if kind == "full":
        alpha = rng.integers(0, 256, (HEIGHT, WIDTH), dtype=np.uint16)
        colour = rng.integers(0, 256, (HEIGHT, WIDTH, 3), dtype=np.uint16)
        rgba[..., :3] = (colour * alpha[..., None] // 255).astype(np.uint8)
        rgba[..., 3] = alpha
        return Overlay(rgba, (0, 0, WIDTH, HEIGHT), 1)
    x0, y0, x1, y1 = 481, 741, 1439, 999  # odd edges: the compositor widens to 2x2 blocks
    box = rgba[y0:y1, x0:x1]
    box[..., 3] = 230
    box[0, :, 3] = box[-1, :, 3] = box[:, 0, 3] = box[:, -1, 3] = 100  # soft edge
    strokes = rng.random((y1 - y0, x1 - x0)) < 0.25
    box[strokes, :3] = 255
    box[strokes, 3] = 255
    return Overlay(rgba, (x0, y0, x1, y1), 1)


def synthetic_planes(seed: int = 5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(16, 236, (HEIGHT, WIDTH), dtype=np.uint8)
    u = rng.integers(16, 241, (HEIGHT // 2, WIDTH // 2), dtype=np.uint8)
    v = rng.integers(16, 241, (HEIGHT // 2, WIDTH // 2), dtype=np.uint8)
    return y, u, v


def device_nv12_planes(xp: Any, seed: int = 5) -> tuple[Any, Any, Any]:
    """synthetic_planes as an NV12 picture in GPU memory: the (Y, U, V) views a DeviceFrame
    gives the compositor."""
    from engine.device_frames import DeviceFrame

    y, u, v = synthetic_planes(seed)
    frame = DeviceFrame(xp.asarray(y), xp.asarray(np.stack([u, v], axis=-1)))
    return frame.planes()


def compare_arrays(a: np.ndarray, b: np.ndarray) -> dict[str, Any]:
    diff = np.abs(a.astype(np.int16) - b.astype(np.int16))
    differing = int(np.count_nonzero(diff))
    return {
        "max_diff": int(diff.max()) if diff.size else 0,
        "differing": differing,
        "samples": int(diff.size),
        "fraction": differing / max(1, diff.size),
    }


def within_tolerance(stats: dict[str, Any]) -> bool:
    return stats["max_diff"] <= TOLERANCE_LEVELS and stats["fraction"] <= TOLERANCE_FRACTION


# --- sections ----------------------------------------------------------------------------------


def section_doctor(_: argparse.Namespace) -> dict[str, Any]:
    from server.cli.doctor import cpu_path_usable, format_table, run_checks, summary

    checks = run_checks()
    print(format_table(checks))
    print(summary(checks))
    return {
        "ok": cpu_path_usable(checks),
        "checks": {c.name: [c.status.value, c.detail] for c in checks},
    }


def section_composite(args: argparse.Namespace) -> dict[str, Any]:
    from engine.composite import Compositor, yuv_matrix

    xp, sync = _gpu_module(args.fake_gpu)
    matrix = yuv_matrix("bt709", False)
    out: dict[str, Any] = {"backend": getattr(xp, "__version__", "?"), "cases": {}}
    ok = True
    for kind in ("band", "full"):
        overlay = synthetic_overlay(kind)
        results = {}
        timings = {}
        variants = (
            ("numpy", np, lambda: None, synthetic_planes),
            ("gpu", xp, sync, synthetic_planes),
            ("gpu_resident", xp, sync, lambda seed=5: device_nv12_planes(xp, seed)),
        )
        for name, module, wait, make_planes in variants:
            compositor = Compositor(WIDTH, HEIGHT, matrix, module)
            planes = make_planes()
            compositor.composite(planes, overlay)  # also warms the GPU (kernels, allocations)
            wait()
            results[name] = tuple(np.ascontiguousarray(xp.asnumpy(p)) for p in planes)
            # Timing: new frame contents each round, the same overlay version (as in a render
            # where the caption holds still), then one with a new version (prepare included).
            work = make_planes(seed=9)
            rounds = args.rounds
            started = time.perf_counter()
            for _ in range(rounds):
                compositor.composite(work, overlay)
            wait()
            timings[f"{name}_ms_per_frame"] = 1000 * (time.perf_counter() - started) / rounds
            started = time.perf_counter()
            for version in range(2, 2 + max(1, rounds // 4)):
                compositor.composite(work, type(overlay)(overlay.rgba, overlay.bbox, version))
            wait()
            timings[f"{name}_ms_per_frame_new_overlay"] = (
                1000 * (time.perf_counter() - started) / max(1, rounds // 4)
            )
        stats = {
            f"{variant}:{plane}": compare_arrays(a, b)
            for variant in ("gpu", "gpu_resident")
            for plane, a, b in zip("YUV", results["numpy"], results[variant], strict=True)
        }
        bit_exact = all(s["differing"] == 0 for s in stats.values())
        passed = all(within_tolerance(s) for s in stats.values())
        ok &= passed
        out["cases"][kind] = {
            "bbox": overlay.bbox,
            "bit_exact": bit_exact,
            "passed": passed,
            "planes": stats,
            **timings,
        }
        print(
            f"composite {kind}: bit-exact={bit_exact} passed={passed} "
            + " ".join(
                f"{p}: max {s['max_diff']} ({s['differing']} differ)" for p, s in stats.items()
            )
            + " | "
            + " ".join(f"{k}={v:.2f}" for k, v in timings.items())
        )
    out["ok"] = ok
    return out


def section_dlpack(args: argparse.Namespace) -> dict[str, Any]:
    import av

    from engine.nvdec import primary_context_state

    xp, sync = _gpu_module(args.fake_gpu)
    print(f"dlpack: CUDA primary context (flags, active) = {primary_context_state()}")
    nv12 = xp.zeros((HEIGHT * 3 // 2, WIDTH), dtype=xp.uint8)
    nv12[:HEIGHT] = 100
    nv12[HEIGHT:] = 128
    sync()
    try:  # two planes: Y (H, W) and interleaved UV (H/2, W)
        frame = av.VideoFrame.from_dlpack((nv12[:HEIGHT], nv12[HEIGHT:]), format="nv12")
    except Exception as exc:  # noqa: BLE001 (the finding is the error itself)
        print(f"dlpack: VideoFrame.from_dlpack(NV12 on the device) failed: {exc!r}")
        return {"ok": None, "error": repr(exc)}
    detail = f"{frame.format.name} {frame.width}x{frame.height}" + (
        " (fake: host memory)" if args.fake_gpu else ""
    )
    print(f"dlpack: VideoFrame.from_dlpack(NV12 on the device) -> {detail}")
    from engine.encode import nvenc_takes_device_frames

    nvenc = {codec: nvenc_takes_device_frames(codec) for codec in ("h264_nvenc", "hevc_nvenc")}
    print(f"dlpack: NVENC encodes DLPack CUDA frames (else frames are downloaded): {nvenc}")
    return {"ok": True, "frame": detail, "nvenc_takes_device_frames": nvenc}


def _make_clip(seconds: float, folder: Path) -> Path:
    from benchmarks.workload import ClipSpec, make_clip

    return make_clip(ClipSpec(width=WIDTH, height=HEIGHT, seconds=seconds), cache_dir=folder)


def _decode_all(
    path: Path, hwaccel: Any = None, device_xp: Any = None
) -> tuple[list[np.ndarray], float]:
    """Every picture as a yuv420p array, and the seconds it took. With ``device_xp`` the
    pictures stay in GPU memory and are adopted and downloaded as the pipeline does."""
    import av

    from engine.device_frames import adopt_device_picture, is_device_picture

    frames = []
    kwargs = {"hwaccel": hwaccel} if hwaccel is not None else {}
    started = time.perf_counter()
    with av.open(str(path), **kwargs) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for frame in container.decode(stream):
            if device_xp is not None:
                if not is_device_picture(frame):
                    raise RuntimeError(f"expected a CUDA picture, got {frame.format.name}")
                frame = adopt_device_picture(frame, device_xp).download(device_xp)
            elif frame.format.name != "yuv420p":
                frame = frame.reformat(format="yuv420p")
            frames.append(frame.to_ndarray())
    return frames, time.perf_counter() - started


def _decode_on_device_only(path: Path, xp: Any) -> tuple[int, float]:
    """(pictures, seconds) decoding with NVDEC into DeviceFrames, nothing downloaded."""
    import av
    from av.codec.hwaccel import HWAccel

    from engine.device_frames import adopt_device_picture

    count = 0
    started = time.perf_counter()
    hwaccel = HWAccel("cuda", allow_software_fallback=False, is_hw_owned=True)
    with av.open(str(path), hwaccel=hwaccel) as container:
        for frame in container.decode(container.streams.video[0]):
            adopt_device_picture(frame, xp)
            count += 1
    xp.cuda.runtime.deviceSynchronize()
    return count, time.perf_counter() - started


def section_nvdec(args: argparse.Namespace) -> dict[str, Any]:
    from av.codec.hwaccel import HWAccel

    from engine.nvdec import probe_nvdec

    opened, detail = probe_nvdec()
    print(f"nvdec probe: {detail}")
    if not opened:
        return {"ok": None, "probe": detail}
    clip = _make_clip(args.seconds, args.work)
    cpu_frames, cpu_seconds = _decode_all(clip)
    reference = np.stack(cpu_frames)
    out: dict[str, Any] = {"probe": detail, "frames": len(cpu_frames)}
    out["cpu_fps"] = len(cpu_frames) / cpu_seconds
    ok = True
    downloaded, seconds = _decode_all(clip, HWAccel("cuda", allow_software_fallback=False))
    out["nvdec_downloaded_fps"] = len(downloaded) / seconds
    out["nvdec_downloaded_compare"] = _compare_decodes(reference, downloaded)
    ok &= out["nvdec_downloaded_compare"] is not None
    if not args.fake_gpu:
        xp, _ = _gpu_module(False)
        hwaccel = HWAccel("cuda", allow_software_fallback=False, is_hw_owned=True)
        resident, seconds = _decode_all(clip, hwaccel, device_xp=xp)
        out["nvdec_resident_then_downloaded_fps"] = len(resident) / seconds
        out["nvdec_resident_compare"] = _compare_decodes(reference, resident)
        ok &= out["nvdec_resident_compare"] is not None
        count, seconds = _decode_on_device_only(clip, xp)
        out["nvdec_resident_only_fps"] = count / seconds
    compares = [v for k, v in out.items() if k.endswith("_compare")]
    out["ok"] = ok and all(c["max_diff"] == 0 for c in compares)
    print(
        "nvdec: "
        + ", ".join(f"{k}={v:.0f}" for k, v in out.items() if k.endswith("_fps"))
        + f"; identical to the CPU decode: {out['ok']} {compares}"
    )
    return out


def _compare_decodes(reference: np.ndarray, frames: list[np.ndarray]) -> dict[str, Any] | None:
    if len(frames) != len(reference):
        print(f"nvdec: {len(frames)} pictures, the CPU decoder gave {len(reference)}")
        return None
    return compare_arrays(reference, np.stack(frames))


RENDER_VARIANTS = (  # (name, array_backend, decoder)
    ("numpy", "numpy", "cpu"),
    ("cupy", "cupy", "cpu"),
    ("cupy_nvdec", "cupy", "nvdec"),
)


def section_render(args: argparse.Namespace) -> dict[str, Any]:
    from benchmarks.workload import dense_scenario
    from engine.composite import array_module
    from engine.nvdec import nvdec_opens
    from engine.overlay import ScenarioOverlay
    from engine.pipeline import render_video
    from engine.video_options import VideoOptions
    from motiontext.parse import load_scenario

    if args.fake_gpu:
        return {"ok": None, "skipped": "needs real CuPy (array_backend='cupy')"}
    array_module("cupy")  # raises InputError when CuPy is unusable
    clip = _make_clip(args.seconds, args.work)
    scenario = load_scenario(dense_scenario(args.seconds))
    outputs, times, paths, cpu = {}, {}, {}, {}
    for name, backend, decoder in RENDER_VARIANTS:
        if decoder == "nvdec" and not nvdec_opens():
            print(f"render {name}: skipped, NVDEC does not open")
            continue
        path = args.work / f"render-{name}.mp4"
        options = VideoOptions(encoder="libx264", array_backend=backend, decoder=decoder)
        started, cpu_started = time.perf_counter(), time.process_time()
        result = render_video(
            str(clip), path, lambda w, h: ScenarioOverlay(scenario, w, h, 30.0), options
        )
        times[name] = time.perf_counter() - started
        cpu[name] = time.process_time() - cpu_started
        paths[name] = path
        outputs[name] = f"decoded {result.decoder}, blended {result.array_backend}"
        print(
            f"render {name}: {result.frames} frames in {times[name]:.2f} s "
            f"({result.frames / times[name]:.1f} fps, {cpu[name]:.2f} CPU s), {outputs[name]}, "
            f"{result.encoder}"
        )
    reference, _ = _decode_all(paths["numpy"])
    compares = {}
    for name, path in paths.items():
        if name == "numpy":
            continue
        frames, _ = _decode_all(path)
        same = len(frames) == len(reference)
        compares[name] = compare_arrays(np.stack(reference), np.stack(frames)) if same else None
        print(f"render {name} vs numpy (decoded outputs): {compares[name]}")
    ok = all(c is not None and within_tolerance(c) for c in compares.values())
    return {
        "ok": ok,
        "frames": len(reference),
        "paths": outputs,
        "seconds": times,
        "cpu_seconds": cpu,
        "compare": compares,
        "fps": {k: len(reference) / v for k, v in times.items()},
    }


SECTIONS = {
    "doctor": section_doctor,
    "composite": section_composite,
    "dlpack": section_dlpack,
    "nvdec": section_nvdec,
    "render": section_render,
}


def _nvidia_smi() -> str:
    try:
        out = subprocess.run(
            ["nvidia-smi", "--query-gpu=name,driver_version,memory.total", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
        return out.stdout.strip() or out.stderr.strip()
    except (OSError, subprocess.SubprocessError) as exc:
        return f"nvidia-smi unavailable ({exc})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.gpu_check")
    parser.add_argument(
        "--sections", default=",".join(SECTIONS), help=f"comma list of {', '.join(SECTIONS)}"
    )
    parser.add_argument("--rounds", type=int, default=200, help="composites timed per case")
    parser.add_argument("--seconds", type=float, default=4.0, help="length of the test clip")
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--fake-gpu", action="store_true", help="numpy behind a CuPy shim")
    args = parser.parse_args(argv)
    report: dict[str, Any] = {
        "python": platform.python_version(),
        "gpu": _nvidia_smi(),
        "fake_gpu": args.fake_gpu,
        "sections": {},
    }
    print(f"GPU: {report['gpu']}; Python {report['python']}")
    with tempfile.TemporaryDirectory(prefix="ecg-gpu-check-") as tmp:
        args.work = Path(tmp)
        for name in args.sections.split(","):
            print(f"\n== {name} ==", flush=True)
            started = time.perf_counter()
            try:
                result = SECTIONS[name](args)
            except ImportError as exc:
                print(f"{name}: skipped, {exc}")
                result = {"ok": None, "skipped": f"import failed: {exc}"}
            except Exception as exc:  # noqa: BLE001 (reported; the other sections still run)
                traceback.print_exc()
                result = {"ok": False, "error": repr(exc)}
            result["section_seconds"] = time.perf_counter() - started
            report["sections"][name] = result
            sys.stdout.flush()
    verdicts = {name: r.get("ok") for name, r in report["sections"].items()}
    print(
        "\nsummary: "
        + ", ".join(
            f"{n}={'pass' if v else 'n/a' if v is None else 'FAIL'}" for n, v in verdicts.items()
        )
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=1, default=str) + "\n")
    return 1 if any(v is False for v in verdicts.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
